//! What the fuzz targets share: NEWS2 inputs built from fuzzer bytes.

use arbitrary::Arbitrary;
use entities::enums::{Consciousness, Spo2Scale};
use plejelink::domain::news2::News2Input;

/// The AVPU + new confusion levels, in the order the schema lists them.
pub const LEVELS: [Consciousness; 5] = [
    Consciousness::Alert,
    Consciousness::NewConfusion,
    Consciousness::Voice,
    Consciousness::Pain,
    Consciousness::Unresponsive,
];

/// A consciousness level from any byte.
pub fn level(byte: u8) -> Consciousness {
    LEVELS[usize::from(byte) % LEVELS.len()]
}

pub fn scale(two: bool) -> Spo2Scale {
    if two { Spo2Scale::Scale2 } else { Spo2Scale::Scale1 }
}

/// The seven NEWS2 parameters, any values (the scorer must not trust validation).
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Vitals {
    pub respiration_rate: Option<i32>,
    pub oxygen_saturation: Option<i32>,
    pub on_supplemental_oxygen: Option<bool>,
    pub systolic_bp: Option<i32>,
    pub pulse: Option<i32>,
    pub consciousness: Option<u8>,
    pub temperature: Option<f64>,
}

impl Vitals {
    pub fn input(&self) -> News2Input {
        News2Input {
            respiration_rate: self.respiration_rate,
            oxygen_saturation: self.oxygen_saturation,
            on_supplemental_oxygen: self.on_supplemental_oxygen,
            systolic_bp: self.systolic_bp,
            pulse: self.pulse,
            consciousness: self.consciousness.map(level),
            temperature: self.temperature,
        }
    }
}
