//! NEWS2 scoring (`domain::news2::score`) on any values, validated or not. Properties, each from
//! the rules in news2.rs (RCP 2017):
//! - it never panics; the total is the sum of the seven parameters' scores, each scored alone, and
//!   lies in 0..=20 (3+3+2+3+3+3+3);
//! - `complete` means all seven were measured (a non-finite temperature counts as not measured),
//!   `any_single_parameter_three` that one of them scored 3 alone, and the risk follows the total
//!   (7+ HIGH, 5–6 MEDIUM, else LOW_MEDIUM with a single 3, else LOW);
//! - measuring one more parameter never lowers the total (no parameter scores below 0; on scale 2,
//!   being on oxygen scores an SpO2 at least as high as on air);
//! - each banded parameter is monotone away from its normal band: further below the lowest 0 band,
//!   or further above the highest, never scores less; SpO2 on scale 1 never scores more when higher.
#![no_main]

use arbitrary::Arbitrary;
use entities::enums::{Consciousness, News2Risk, Spo2Scale};
use libfuzzer_sys::fuzz_target;
use plejelink::domain::news2::{News2Input, score};
use plejelink_fuzz::{Vitals, scale};

#[derive(Debug, Arbitrary)]
struct Case {
    vitals: Vitals,
    scale_2: bool,
    /// Second values for the monotonicity checks.
    other: Vitals,
}

fn total(input: News2Input, scale: Spo2Scale) -> i32 {
    score(&input, scale).total
}

/// The score of each parameter on its own (SpO2 on scale 2 with the set's air/oxygen, minus the
/// air/oxygen score itself).
fn parts(v: &News2Input, scale: Spo2Scale) -> [Option<i32>; 7] {
    let none = News2Input::default();
    let oxygen = News2Input { on_supplemental_oxygen: v.on_supplemental_oxygen, ..none };
    let spo2 = v
        .oxygen_saturation
        .map(|s| total(News2Input { oxygen_saturation: Some(s), ..oxygen }, scale) - total(oxygen, scale));
    [
        v.respiration_rate.map(|r| total(News2Input { respiration_rate: Some(r), ..none }, scale)),
        spo2,
        v.on_supplemental_oxygen.map(|_| total(oxygen, scale)),
        v.systolic_bp.map(|s| total(News2Input { systolic_bp: Some(s), ..none }, scale)),
        v.pulse.map(|p| total(News2Input { pulse: Some(p), ..none }, scale)),
        v.consciousness.map(|c| total(News2Input { consciousness: Some(c), ..none }, scale)),
        v.temperature.filter(|t| t.is_finite()).map(|t| total(News2Input { temperature: Some(t), ..none }, scale)),
    ]
}

/// Monotone away from the band `low..=high` that scores 0: for `a <= b`, both at or below `low`,
/// `a` scores at least `b`; both at or above `high`, at most.
fn away_from_band<T: PartialOrd + Copy + std::fmt::Debug>(
    name: &str,
    a: T,
    b: T,
    low: T,
    high: T,
    s: impl Fn(T) -> i32,
) {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    if b <= low {
        assert!(s(a) >= s(b), "{name}: {a:?} scores {} below {b:?} ({})", s(a), s(b));
    }
    if a >= high {
        assert!(s(a) <= s(b), "{name}: {b:?} scores {} below {a:?} ({})", s(b), s(a));
    }
    if a >= low && b <= high {
        assert_eq!((s(a), s(b)), (0, 0), "{name}: inside the normal band");
    }
}

fuzz_target!(|case: Case| {
    let scale = scale(case.scale_2);
    let input = case.vitals.input();
    let got = score(&input, scale);

    let parts = parts(&input, scale);
    let sum: i32 = parts.iter().flatten().sum();
    assert_eq!(got.total, sum, "{input:?} on {scale:?}: parts {parts:?}");
    assert!((0..=20).contains(&got.total), "{input:?}: {got:?}");
    assert!(parts.iter().flatten().all(|p| (0..=3).contains(p)), "{parts:?}");
    assert_eq!(got.complete, parts.iter().all(Option::is_some), "{input:?}");
    assert_eq!(got.any_single_parameter_three, parts.iter().flatten().any(|&p| p == 3), "{parts:?}");
    let risk = match got.total {
        7.. => News2Risk::High,
        5..=6 => News2Risk::Medium,
        _ if got.any_single_parameter_three => News2Risk::LowMedium,
        _ => News2Risk::Low,
    };
    assert_eq!(got.risk, risk, "{got:?}");

    // One more measured parameter (taken from the second set) never lowers the total.
    let other = case.other.input();
    let more = [
        News2Input { respiration_rate: input.respiration_rate.or(other.respiration_rate), ..input },
        News2Input { oxygen_saturation: input.oxygen_saturation.or(other.oxygen_saturation), ..input },
        News2Input { on_supplemental_oxygen: input.on_supplemental_oxygen.or(other.on_supplemental_oxygen), ..input },
        News2Input { systolic_bp: input.systolic_bp.or(other.systolic_bp), ..input },
        News2Input { pulse: input.pulse.or(other.pulse), ..input },
        News2Input { consciousness: input.consciousness.or(other.consciousness), ..input },
        News2Input { temperature: input.temperature.or(other.temperature), ..input },
    ];
    for bigger in more {
        assert!(total(bigger, scale) >= got.total, "{bigger:?} scores below {input:?}");
    }

    // Monotone away from the normal bands, parameter by parameter.
    let none = News2Input::default();
    if let (Some(a), Some(b)) = (input.respiration_rate, other.respiration_rate) {
        away_from_band("respiration", a, b, 12, 20, |r| total(News2Input { respiration_rate: Some(r), ..none }, scale));
    }
    if let (Some(a), Some(b)) = (input.systolic_bp, other.systolic_bp) {
        away_from_band("systolic", a, b, 111, 219, |s| total(News2Input { systolic_bp: Some(s), ..none }, scale));
    }
    if let (Some(a), Some(b)) = (input.pulse, other.pulse) {
        away_from_band("pulse", a, b, 51, 90, |p| total(News2Input { pulse: Some(p), ..none }, scale));
    }
    if let (Some(a), Some(b)) = (input.temperature, other.temperature)
        && a.is_finite()
        && b.is_finite()
    {
        away_from_band("temperature", a, b, 36.1, 38.0, |t| total(News2Input { temperature: Some(t), ..none }, scale));
    }
    if let (Some(a), Some(b)) = (input.oxygen_saturation, other.oxygen_saturation) {
        let (low, high) = (a.min(b), a.max(b));
        let spo2 = |s, scale, oxygen| {
            let air = News2Input { on_supplemental_oxygen: Some(oxygen), ..none };
            total(News2Input { oxygen_saturation: Some(s), ..air }, scale) - total(air, scale)
        };
        assert!(spo2(low, Spo2Scale::Scale1, false) >= spo2(high, Spo2Scale::Scale1, false), "spo2 {low} {high}");
        assert_eq!(spo2(low, Spo2Scale::Scale1, true), spo2(low, Spo2Scale::Scale1, false), "scale 1 ignores oxygen");
        // Scale 2: 88–92 is the target; on air nothing above it scores, on oxygen it rises again.
        away_from_band("spo2 scale 2 on oxygen", a, b, 88, 92, |s| spo2(s, Spo2Scale::Scale2, true));
        away_from_band("spo2 scale 2 on air", a, b, 88, i32::MAX, |s| spo2(s, Spo2Scale::Scale2, false));
        for s in [a, b] {
            assert!(spo2(s, Spo2Scale::Scale2, true) >= spo2(s, Spo2Scale::Scale2, false), "spo2 {s}");
        }
    }
    if let Some(c) = input.consciousness {
        let alone = total(News2Input { consciousness: Some(c), ..none }, scale);
        assert_eq!(alone, if c == Consciousness::Alert { 0 } else { 3 }, "{c:?}");
    }
});
