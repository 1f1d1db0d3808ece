//! NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017), computed by the
//! server for every observation set. It supports, and never replaces, clinical judgement.

use entities::enums::{Consciousness, News2Risk, Spo2Scale};

/// The seven NEWS2 parameters of one observation set; `None` = not measured.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct News2Input {
    pub respiration_rate: Option<i32>,
    pub oxygen_saturation: Option<i32>,
    pub on_supplemental_oxygen: Option<bool>,
    pub systolic_bp: Option<i32>,
    pub pulse: Option<i32>,
    pub consciousness: Option<Consciousness>,
    pub temperature: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct News2Score {
    pub total: i32,
    pub risk: News2Risk,
    /// All seven parameters were present.
    pub complete: bool,
    pub any_single_parameter_three: bool,
}

fn respiration(rate: i32) -> i32 {
    match rate {
        ..=8 => 3,
        9..=11 => 1,
        12..=20 => 0,
        21..=24 => 2,
        _ => 3,
    }
}

fn spo2_scale_1(spo2: i32) -> i32 {
    match spo2 {
        ..=91 => 3,
        92..=93 => 2,
        94..=95 => 1,
        _ => 0,
    }
}

/// Scale 2 (hypercapnic respiratory failure): 88–92 is the target; high values only score on oxygen.
fn spo2_scale_2(spo2: i32, on_oxygen: bool) -> i32 {
    match spo2 {
        ..=83 => 3,
        84..=85 => 2,
        86..=87 => 1,
        88..=92 => 0,
        _ if !on_oxygen => 0,
        93..=94 => 1,
        95..=96 => 2,
        _ => 3,
    }
}

fn systolic(bp: i32) -> i32 {
    match bp {
        ..=90 => 3,
        91..=100 => 2,
        101..=110 => 1,
        111..=219 => 0,
        _ => 3,
    }
}

fn pulse(rate: i32) -> i32 {
    match rate {
        ..=40 => 3,
        41..=50 => 1,
        51..=90 => 0,
        91..=110 => 1,
        111..=130 => 2,
        _ => 3,
    }
}

fn consciousness(level: Consciousness) -> i32 {
    if level == Consciousness::Alert { 0 } else { 3 }
}

/// Compared in tenths of a degree after rounding half away from zero (36.05 → 36.1).
fn temperature(celsius: f64) -> i32 {
    match (celsius * 10.0).round() as i64 {
        ..=350 => 3,
        351..=360 => 1,
        361..=380 => 0,
        381..=390 => 1,
        _ => 2,
    }
}

/// Scores an observation set on the resident's SpO2 scale. A set with missing parameters gets its
/// partial sum, flagged incomplete; on scale 2 an SpO2 without air/oxygen is scored as on air.
pub fn score(input: &News2Input, scale: Spo2Scale) -> News2Score {
    let on_oxygen = input.on_supplemental_oxygen;
    let spo2 = input.oxygen_saturation.map(|s| match scale {
        Spo2Scale::Scale1 => spo2_scale_1(s),
        Spo2Scale::Scale2 => spo2_scale_2(s, on_oxygen.unwrap_or(false)),
    });
    let parts = [
        input.respiration_rate.map(respiration),
        spo2,
        on_oxygen.map(|o| if o { 2 } else { 0 }),
        input.systolic_bp.map(systolic),
        input.pulse.map(pulse),
        input.consciousness.map(consciousness),
        input.temperature.map(temperature),
    ];
    let total = parts.iter().flatten().sum();
    let any_single_parameter_three = parts.iter().flatten().any(|&p| p == 3);
    let risk = match total {
        7.. => News2Risk::High,
        5..=6 => News2Risk::Medium,
        _ if any_single_parameter_three => News2Risk::LowMedium,
        _ => News2Risk::Low,
    };
    News2Score { total, risk, complete: parts.iter().all(Option::is_some), any_single_parameter_three }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn respiration_bands() {
        for (v, s) in [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)] {
            assert_eq!(respiration(v), s, "respiration {v}");
        }
    }

    #[test]
    fn spo2_scale_1_bands() {
        for (v, s) in [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)] {
            assert_eq!(spo2_scale_1(v), s, "spo2 {v}");
        }
    }

    #[test]
    fn spo2_scale_2_bands_on_air_and_oxygen() {
        let air = [(83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (92, 0), (93, 0), (97, 0), (100, 0)];
        for (v, s) in air {
            assert_eq!(spo2_scale_2(v, false), s, "air {v}");
        }
        let oxygen = [(83, 3), (87, 1), (88, 0), (92, 0), (93, 1), (94, 1), (95, 2), (96, 2), (97, 3), (100, 3)];
        for (v, s) in oxygen {
            assert_eq!(spo2_scale_2(v, true), s, "oxygen {v}");
        }
    }

    #[test]
    fn systolic_bands() {
        for (v, s) in [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)] {
            assert_eq!(systolic(v), s, "systolic {v}");
        }
    }

    #[test]
    fn pulse_bands() {
        let cases = [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)];
        for (v, s) in cases {
            assert_eq!(pulse(v), s, "pulse {v}");
        }
    }

    #[test]
    fn consciousness_levels() {
        assert_eq!(consciousness(Consciousness::Alert), 0);
        for level in [Consciousness::NewConfusion, Consciousness::Voice, Consciousness::Pain, Consciousness::Unresponsive] {
            assert_eq!(consciousness(level), 3, "{level:?}");
        }
    }

    #[test]
    fn temperature_bands_after_rounding_to_one_decimal() {
        let cases = [
            (35.0, 3),
            (35.04, 3),
            (35.05, 1),
            (35.1, 1),
            (36.0, 1),
            (36.04, 1),
            (36.05, 0),
            (36.1, 0),
            (38.0, 0),
            (38.04, 0),
            (38.05, 1),
            (38.1, 1),
            (39.0, 1),
            (39.04, 1),
            (39.05, 2),
            (39.1, 2),
        ];
        for (v, s) in cases {
            assert_eq!(temperature(v), s, "temperature {v}");
        }
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct VectorInput {
        respiration_rate: Option<i32>,
        oxygen_saturation: Option<i32>,
        on_supplemental_oxygen: Option<bool>,
        systolic_bp: Option<i32>,
        pulse: Option<i32>,
        consciousness: Option<Consciousness>,
        temperature: Option<f64>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Expected {
        total: i32,
        risk_level: News2Risk,
        complete: bool,
        any_single_parameter_three: bool,
    }

    #[derive(Deserialize)]
    struct Vector {
        name: String,
        scale: Spo2Scale,
        input: VectorInput,
        expected: Expected,
    }

    /// Whole observation sets, shared with the clients' NEWS2 preview.
    #[test]
    fn shared_vectors() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../../tests/news2_vectors.json")).expect("valid vectors");
        assert!(vectors.len() >= 25);
        for v in vectors {
            let i = v.input;
            let input = News2Input {
                respiration_rate: i.respiration_rate,
                oxygen_saturation: i.oxygen_saturation,
                on_supplemental_oxygen: i.on_supplemental_oxygen,
                systolic_bp: i.systolic_bp,
                pulse: i.pulse,
                consciousness: i.consciousness,
                temperature: i.temperature,
            };
            let got = score(&input, v.scale);
            let want = &v.expected;
            assert_eq!(
                (got.total, got.risk, got.complete, got.any_single_parameter_three),
                (want.total, want.risk_level, want.complete, want.any_single_parameter_three),
                "{}",
                v.name
            );
        }
    }
}
