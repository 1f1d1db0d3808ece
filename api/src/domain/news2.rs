//! NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017), computed by the
//! server for every observation set as a pure function. It supports, and never replaces, clinical
//! judgement.

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
    /// Sum of the scores of the parameters present.
    pub total: i32,
    pub risk: News2Risk,
    /// All seven parameters were present.
    pub complete: bool,
    /// At least one parameter scored 3 on its own.
    pub any_single_parameter_three: bool,
}

fn respiration(rate: i32) -> i32 {
    match rate {
        ..=8 => 3,
        9..=11 => 1,
        12..=20 => 0,
        21..=24 => 2,
        25.. => 3,
    }
}

fn spo2_scale_1(spo2: i32) -> i32 {
    match spo2 {
        ..=91 => 3,
        92..=93 => 2,
        94..=95 => 1,
        96.. => 0,
    }
}

/// Scale 2 (hypercapnic respiratory failure): 88–92 is the target; values of 93 and above only
/// score when the resident is on oxygen.
fn spo2_scale_2(spo2: i32, on_oxygen: bool) -> i32 {
    match spo2 {
        ..=83 => 3,
        84..=85 => 2,
        86..=87 => 1,
        88..=92 => 0,
        93.. if !on_oxygen => 0,
        93..=94 => 1,
        95..=96 => 2,
        97.. => 3,
    }
}

fn air_or_oxygen(on_oxygen: bool) -> i32 {
    if on_oxygen { 2 } else { 0 }
}

fn systolic(bp: i32) -> i32 {
    match bp {
        ..=90 => 3,
        91..=100 => 2,
        101..=110 => 1,
        111..=219 => 0,
        220.. => 3,
    }
}

fn pulse(rate: i32) -> i32 {
    match rate {
        ..=40 => 3,
        41..=50 => 1,
        51..=90 => 0,
        91..=110 => 1,
        111..=130 => 2,
        131.. => 3,
    }
}

fn consciousness(level: Consciousness) -> i32 {
    match level {
        Consciousness::Alert => 0,
        Consciousness::NewConfusion | Consciousness::Voice | Consciousness::Pain | Consciousness::Unresponsive => 3,
    }
}

/// The temperature in whole tenths of a degree, rounded half away from zero (36.05 → 361). The
/// tiny nudge keeps a value that lands a hair under a half only because of binary floating point
/// (e.g. the result of a unit conversion) on the side a person reading it would choose.
fn tenths(celsius: f64) -> i64 {
    let scaled = celsius * 10.0;
    (scaled + 1e-9_f64.copysign(scaled)).round() as i64
}

fn temperature(celsius: f64) -> i32 {
    match tenths(celsius) {
        ..=350 => 3,
        351..=360 => 1,
        361..=380 => 0,
        381..=390 => 1,
        391.. => 2,
    }
}

fn risk(total: i32, any_single_parameter_three: bool) -> News2Risk {
    match total {
        7.. => News2Risk::High,
        5..=6 => News2Risk::Medium,
        _ if any_single_parameter_three => News2Risk::LowMedium,
        _ => News2Risk::Low,
    }
}

/// Scores an observation set on the resident's SpO2 scale. A set with missing parameters gets its
/// partial sum, flagged incomplete; on scale 2 an SpO2 without air/oxygen is scored as on air. A
/// temperature that is not a finite number counts as not measured.
pub fn score(input: &News2Input, scale: Spo2Scale) -> News2Score {
    let on_oxygen = input.on_supplemental_oxygen;
    let spo2 = input.oxygen_saturation.map(|spo2| match scale {
        Spo2Scale::Scale1 => spo2_scale_1(spo2),
        Spo2Scale::Scale2 => spo2_scale_2(spo2, on_oxygen.unwrap_or(false)),
    });
    let parts = [
        input.respiration_rate.map(respiration),
        spo2,
        on_oxygen.map(air_or_oxygen),
        input.systolic_bp.map(systolic),
        input.pulse.map(pulse),
        input.consciousness.map(consciousness),
        input.temperature.filter(|t| t.is_finite()).map(temperature),
    ];
    let total = parts.iter().flatten().sum();
    let any_single_parameter_three = parts.iter().flatten().any(|&p| p == 3);
    News2Score {
        total,
        risk: risk(total, any_single_parameter_three),
        complete: parts.iter().all(Option::is_some),
        any_single_parameter_three,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// Removes one parameter from a set.
    type Clear = fn(&mut News2Input);

    /// A complete set in which every parameter scores 0.
    const NORMAL: News2Input = News2Input {
        respiration_rate: Some(16),
        oxygen_saturation: Some(97),
        on_supplemental_oxygen: Some(false),
        systolic_bp: Some(130),
        pulse: Some(72),
        consciousness: Some(Consciousness::Alert),
        temperature: Some(37.0),
    };

    #[test]
    fn respiration_bands() {
        let cases = [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)];
        for (v, s) in cases {
            assert_eq!(respiration(v), s, "respiration {v}");
        }
    }

    #[test]
    fn spo2_scale_1_bands() {
        let cases = [(50, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)];
        for (v, s) in cases {
            assert_eq!(spo2_scale_1(v), s, "spo2 {v}");
        }
    }

    #[test]
    fn spo2_scale_2_bands_on_air() {
        let cases = [
            (50, 3),
            (83, 3),
            (84, 2),
            (85, 2),
            (86, 1),
            (87, 1),
            (88, 0),
            (92, 0),
            (93, 0),
            (94, 0),
            (96, 0),
            (97, 0),
            (100, 0),
        ];
        for (v, s) in cases {
            assert_eq!(spo2_scale_2(v, false), s, "air {v}");
        }
    }

    #[test]
    fn spo2_scale_2_bands_on_oxygen() {
        let cases = [
            (83, 3),
            (84, 2),
            (85, 2),
            (86, 1),
            (87, 1),
            (88, 0),
            (92, 0),
            (93, 1),
            (94, 1),
            (95, 2),
            (96, 2),
            (97, 3),
            (100, 3),
        ];
        for (v, s) in cases {
            assert_eq!(spo2_scale_2(v, true), s, "oxygen {v}");
        }
    }

    #[test]
    fn air_or_oxygen_scores() {
        assert_eq!(air_or_oxygen(false), 0);
        assert_eq!(air_or_oxygen(true), 2);
    }

    #[test]
    fn systolic_bands() {
        let cases = [(50, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (280, 3)];
        for (v, s) in cases {
            assert_eq!(systolic(v), s, "systolic {v}");
        }
    }

    #[test]
    fn pulse_bands() {
        let cases = [
            (20, 3),
            (40, 3),
            (41, 1),
            (50, 1),
            (51, 0),
            (90, 0),
            (91, 1),
            (110, 1),
            (111, 2),
            (130, 2),
            (131, 3),
            (200, 3),
        ];
        for (v, s) in cases {
            assert_eq!(pulse(v), s, "pulse {v}");
        }
    }

    #[test]
    fn consciousness_levels() {
        let cases = [
            (Consciousness::Alert, 0),
            (Consciousness::NewConfusion, 3),
            (Consciousness::Voice, 3),
            (Consciousness::Pain, 3),
            (Consciousness::Unresponsive, 3),
        ];
        for (level, s) in cases {
            assert_eq!(consciousness(level), s, "{level:?}");
        }
    }

    #[test]
    fn temperature_bands_after_rounding_to_one_decimal() {
        let cases = [
            (30.0, 3),
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
            (42.0, 2),
        ];
        for (v, s) in cases {
            assert_eq!(temperature(v), s, "temperature {v}");
        }
    }

    #[test]
    fn temperature_rounds_half_away_from_zero_in_tenths() {
        let cases = [
            (36.05, 361),
            (f64::from_bits(36.05_f64.to_bits() - 1), 361),
            (36.04, 360),
            (35.04, 350),
            (35.05, 351),
            (0.05, 1),
            (-0.05, -1),
            (-0.04, 0),
        ];
        for (v, t) in cases {
            assert_eq!(tenths(v), t, "tenths of {v}");
        }
    }

    #[test]
    fn risk_thresholds() {
        let cases = [
            (0, false, News2Risk::Low),
            (3, false, News2Risk::Low),
            (4, false, News2Risk::Low),
            (3, true, News2Risk::LowMedium),
            (4, true, News2Risk::LowMedium),
            (5, false, News2Risk::Medium),
            (5, true, News2Risk::Medium),
            (6, false, News2Risk::Medium),
            (6, true, News2Risk::Medium),
            (7, false, News2Risk::High),
            (7, true, News2Risk::High),
            (20, true, News2Risk::High),
        ];
        for (total, three, want) in cases {
            assert_eq!(risk(total, three), want, "total {total}, single 3: {three}");
        }
    }

    #[test]
    fn normal_complete_set_scores_zero_on_both_scales() {
        for scale in [Spo2Scale::Scale1, Spo2Scale::Scale2] {
            let got = score(&NORMAL, scale);
            let want = News2Score { total: 0, risk: News2Risk::Low, complete: true, any_single_parameter_three: false };
            assert_eq!(got, want, "{scale:?}");
        }
    }

    #[test]
    fn empty_set_is_incomplete_zero() {
        for scale in [Spo2Scale::Scale1, Spo2Scale::Scale2] {
            let got = score(&News2Input::default(), scale);
            let want =
                News2Score { total: 0, risk: News2Risk::Low, complete: false, any_single_parameter_three: false };
            assert_eq!(got, want, "{scale:?}");
        }
    }

    #[test]
    fn each_missing_parameter_makes_the_set_incomplete() {
        let cases: [(&str, Clear); 7] = [
            ("respiration", |i| i.respiration_rate = None),
            ("spo2", |i| i.oxygen_saturation = None),
            ("air/oxygen", |i| i.on_supplemental_oxygen = None),
            ("systolic", |i| i.systolic_bp = None),
            ("pulse", |i| i.pulse = None),
            ("consciousness", |i| i.consciousness = None),
            ("temperature", |i| i.temperature = None),
        ];
        for (name, clear) in cases {
            let mut input = NORMAL;
            clear(&mut input);
            let got = score(&input, Spo2Scale::Scale1);
            assert!(!got.complete, "without {name}");
            assert_eq!(got.total, 0, "without {name}");
        }
    }

    #[test]
    fn non_finite_temperature_counts_as_not_measured() {
        for t in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let got = score(&News2Input { temperature: Some(t), ..NORMAL }, Spo2Scale::Scale1);
            assert_eq!((got.total, got.complete), (0, false), "{t}");
        }
    }

    #[test]
    fn partial_sets_keep_their_partial_sum() {
        let cases = [
            (News2Input { respiration_rate: Some(7), ..News2Input::default() }, 3, News2Risk::LowMedium),
            (News2Input { pulse: Some(95), temperature: Some(38.5), ..News2Input::default() }, 2, News2Risk::Low),
            (
                News2Input {
                    respiration_rate: Some(26),
                    systolic_bp: Some(85),
                    pulse: Some(120),
                    ..News2Input::default()
                },
                8,
                News2Risk::High,
            ),
        ];
        for (input, total, risk) in cases {
            let got = score(&input, Spo2Scale::Scale1);
            assert_eq!((got.total, got.risk, got.complete), (total, risk, false), "{input:?}");
        }
    }

    #[test]
    fn scale_2_without_air_or_oxygen_is_scored_as_air_and_incomplete() {
        let input = News2Input { oxygen_saturation: Some(97), on_supplemental_oxygen: None, ..NORMAL };
        let got = score(&input, Spo2Scale::Scale2);
        assert_eq!((got.total, got.complete), (0, false));
        let on_oxygen = score(&News2Input { on_supplemental_oxygen: Some(true), ..input }, Spo2Scale::Scale2);
        assert_eq!((on_oxygen.total, on_oxygen.complete), (5, true));
    }

    #[test]
    fn oxygen_adds_two_on_either_scale() {
        let input = News2Input { on_supplemental_oxygen: Some(true), ..NORMAL };
        assert_eq!(score(&input, Spo2Scale::Scale1).total, 2);
        let input = News2Input { oxygen_saturation: Some(90), on_supplemental_oxygen: Some(true), ..NORMAL };
        assert_eq!(score(&input, Spo2Scale::Scale2).total, 2);
        assert_eq!(score(&input, Spo2Scale::Scale1).total, 5);
    }

    #[test]
    fn single_three_rule() {
        // Total 3 from one parameter scoring 3.
        let one_three = score(&News2Input { respiration_rate: Some(8), ..NORMAL }, Spo2Scale::Scale1);
        assert_eq!(
            (one_three.total, one_three.risk, one_three.any_single_parameter_three),
            (3, News2Risk::LowMedium, true)
        );
        // Total 3 from three parameters scoring 1 each.
        let ones = News2Input { respiration_rate: Some(10), oxygen_saturation: Some(95), pulse: Some(45), ..NORMAL };
        let ones = score(&ones, Spo2Scale::Scale1);
        assert_eq!((ones.total, ones.risk, ones.any_single_parameter_three), (3, News2Risk::Low, false));
        // A 3 within a total of 5 or more is MEDIUM, not LOW_MEDIUM.
        let five = News2Input { consciousness: Some(Consciousness::Voice), respiration_rate: Some(22), ..NORMAL };
        let five = score(&five, Spo2Scale::Scale1);
        assert_eq!((five.total, five.risk, five.any_single_parameter_three), (5, News2Risk::Medium, true));
    }

    #[test]
    fn risk_thresholds_on_whole_sets() {
        let cases = [
            // 2 + 1 + 1 = 4
            (
                News2Input { respiration_rate: Some(22), oxygen_saturation: Some(94), pulse: Some(100), ..NORMAL },
                4,
                News2Risk::Low,
            ),
            // 2 + 1 + 1 + 1 = 5
            (
                News2Input {
                    respiration_rate: Some(22),
                    oxygen_saturation: Some(94),
                    systolic_bp: Some(105),
                    pulse: Some(100),
                    ..NORMAL
                },
                5,
                News2Risk::Medium,
            ),
            // 2 + 2 + 1 + 1 = 6
            (
                News2Input {
                    respiration_rate: Some(22),
                    oxygen_saturation: Some(93),
                    systolic_bp: Some(105),
                    pulse: Some(100),
                    ..NORMAL
                },
                6,
                News2Risk::Medium,
            ),
            // 2 + 2 + 1 + 2 = 7
            (
                News2Input {
                    respiration_rate: Some(22),
                    oxygen_saturation: Some(93),
                    systolic_bp: Some(105),
                    pulse: Some(115),
                    ..NORMAL
                },
                7,
                News2Risk::High,
            ),
        ];
        for (input, total, risk) in cases {
            let got = score(&input, Spo2Scale::Scale1);
            assert_eq!((got.total, got.risk, got.complete), (total, risk, true), "{input:?}");
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

    /// Whole observation sets, shared with the web client's NEWS2 preview.
    #[test]
    fn shared_vectors() {
        let vectors: Vec<Vector> =
            serde_json::from_str(include_str!("../../tests/news2_vectors.json")).expect("valid vectors");
        assert!(vectors.len() >= 25, "only {} vectors", vectors.len());
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
