//! `Date`: a calendar date (`YYYY-MM-DD`), as DESIGN §6 names it.

use crate::services::STORABLE_YEARS;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (no time zone: dates are Danish calendar days).
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|date| STORABLE_YEARS.contains(&date.year()))
                .map(Date)
                .ok_or_else(|| InputValueError::custom("Expected a date like 2026-11-22")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_calendar_dates_in_the_years_1_to_9999() {
        let parse = |text: &str| Date::parse(Value::String(text.into())).ok().map(|d| d.0.to_string());
        assert_eq!(parse("2026-11-22").as_deref(), Some("2026-11-22"));
        assert_eq!(parse("0001-01-01").as_deref(), Some("0001-01-01"));
        assert_eq!(parse("9999-12-31").as_deref(), Some("9999-12-31"));
        for refused in
            ["2026-02-30", "0000-12-31", "-4714-11-24", "+10000-01-01", "+262142-12-31", "", "2026-11-22T00:00:00Z"]
        {
            assert_eq!(parse(refused), None, "{refused}");
        }
    }
}
