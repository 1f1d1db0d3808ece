//! Observation values as a device sends them, through the server's plausibility check
//! (`services::observations::validate`) and then NEWS2, as `recordObservation` does. Checks: no
//! panic; a refusal is `VALIDATION` naming a field; whatever passes is inside the documented ranges
//! (README "Observations"), has a value, and scores the same from the stored (rounded) temperature
//! as from the entered one, so a re-score from the database agrees with the answer the nurse saw.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Duration, Utc};
use libfuzzer_sys::fuzz_target;
use plejelink::domain::news2::{News2Input, score};
use plejelink::error::AppError;
use plejelink::domain::escalation::escalation;
use plejelink::services::observations::{ObservationInput, validate};
use plejelink_fuzz::{Vitals, scale};

#[derive(Debug, Arbitrary)]
struct Entered {
    vitals: Vitals,
    diastolic_bp: Option<i32>,
    blood_glucose: Option<f64>,
    weight_kg: Option<f64>,
    pain_score: Option<i32>,
    note: Option<String>,
    /// `recordedAt` relative to the server's clock.
    recorded_offset_seconds: i64,
    scale_2: bool,
}

const FIELDS: [&str; 11] = [
    "respirationRate",
    "oxygenSaturation",
    "systolicBp",
    "diastolicBp",
    "pulse",
    "temperature",
    "bloodGlucose",
    "weightKg",
    "painScore",
    "note",
    "recordedAt",
];

fn within<T: PartialOrd + Copy>(value: Option<T>, min: T, max: T) -> bool {
    value.is_none_or(|v| v >= min && v <= max)
}

fuzz_target!(|entered: Entered| {
    let now = DateTime::<Utc>::from_timestamp(1_795_000_000, 0).expect("a fixed instant");
    let Some(recorded_at) =
        Duration::try_seconds(entered.recorded_offset_seconds).and_then(|d| now.checked_add_signed(d))
    else {
        return;
    };
    let vitals = entered.vitals.input();
    let input = ObservationInput {
        recorded_at,
        respiration_rate: vitals.respiration_rate,
        oxygen_saturation: vitals.oxygen_saturation,
        on_supplemental_oxygen: vitals.on_supplemental_oxygen,
        systolic_bp: vitals.systolic_bp,
        diastolic_bp: entered.diastolic_bp,
        pulse: vitals.pulse,
        consciousness: vitals.consciousness,
        temperature: vitals.temperature,
        blood_glucose: entered.blood_glucose,
        weight_kg: entered.weight_kg,
        pain_score: entered.pain_score,
        note: entered.note.clone(),
        ..ObservationInput::default()
    };
    match validate(&input, now) {
        Err(AppError::Validation { field, .. }) => {
            assert!(FIELDS.contains(&field.as_str()) || field == "residentId", "unexpected field {field}")
        }
        Err(other) => panic!("refused with {other:?}, not VALIDATION: {input:?}"),
        Ok(()) => {
            assert!(within(input.respiration_rate, 2, 80), "{input:?}");
            assert!(within(input.oxygen_saturation, 50, 100), "{input:?}");
            assert!(within(input.systolic_bp, 40, 300), "{input:?}");
            assert!(within(input.diastolic_bp, 20, 200), "{input:?}");
            assert!(within(input.pulse, 20, 250), "{input:?}");
            assert!(within(input.temperature, 25.0, 45.0), "{input:?}");
            assert!(within(input.blood_glucose, 0.5, 50.0), "{input:?}");
            assert!(within(input.weight_kg, 20.0, 300.0), "{input:?}");
            assert!(within(input.pain_score, 0, 10), "{input:?}");
            if let (Some(sys), Some(dia)) = (input.systolic_bp, input.diastolic_bp) {
                assert!(dia < sys, "{input:?}");
            }
            assert!(input.note.as_deref().is_none_or(|n| n.trim().chars().count() <= 2000));
            assert!(recorded_at <= now + Duration::minutes(5) && recorded_at >= now - Duration::days(30));
            let measured = vitals != News2Input::default()
                || input.diastolic_bp.is_some()
                || input.blood_glucose.is_some()
                || input.weight_kg.is_some()
                || input.pain_score.is_some();
            assert!(measured, "an observation without values passed: {input:?}");

            let scale = scale(entered.scale_2);
            let news2 = score(&vitals, scale);
            assert!((0..=20).contains(&news2.total), "{news2:?}");
            // A validated temperature is finite, so the set is complete exactly when all seven are there.
            let seven = [
                vitals.respiration_rate.is_some(),
                vitals.oxygen_saturation.is_some(),
                vitals.on_supplemental_oxygen.is_some(),
                vitals.systolic_bp.is_some(),
                vitals.pulse.is_some(),
                vitals.consciousness.is_some(),
                vitals.temperature.is_some(),
            ];
            assert_eq!(news2.complete, seven.iter().all(|&m| m), "{input:?}");
            // The row stores the temperature rounded to one decimal (services::observations::record).
            let stored = News2Input { temperature: vitals.temperature.map(|t| (t * 10.0).round() / 10.0), ..vitals };
            assert_eq!(score(&stored, scale), news2, "stored temperature {:?} of {input:?}", stored.temperature);
            // Advice exists for every score, with an interval of at most the routine 12 hours.
            let advice = escalation(&news2);
            assert!((0..=12).contains(&advice.monitoring_interval_hours), "{advice:?}");
        }
    }
});
