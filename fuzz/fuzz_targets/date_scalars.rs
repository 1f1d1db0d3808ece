//! The `Date` scalar (ours) and `DateTime` (async-graphql's, with chrono) as clients send them.
//! Parsing never panics, and every value that is accepted is written back in a form that parses
//! to the same value (dates near the ends of chrono's range included).
#![no_main]

use async_graphql::{ScalarType, Value};
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use plejelink::graphql::scalars::Date;

fn round_trips<T: ScalarType + PartialEq + std::fmt::Debug>(input: &Value) {
    if let Ok(parsed) = T::parse(input.clone()) {
        let written = parsed.to_value();
        match T::parse(written.clone()) {
            Ok(again) => assert_eq!(again, parsed, "{input} written as {written}"),
            Err(err) => panic!("{input} was accepted but its output {written} is not: {err:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // As a GraphQL string, and (when it is JSON) as whatever value a variable could carry.
    let mut inputs = vec![Value::String(text.to_owned())];
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text)
        && let Ok(value) = Value::from_json(json)
    {
        inputs.push(value);
    }
    for input in &inputs {
        round_trips::<Date>(input);
        round_trips::<DateTime<Utc>>(input);
    }
});
