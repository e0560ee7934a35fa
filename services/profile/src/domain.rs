//! Parsed values: what a request's strings become at the edge.

use crate::error::ApiError;

/// A display name: trimmed, 1 to 80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let name = raw.trim();
        let invalid = |reason| ApiError::Invalid {
            field: "name",
            reason,
        };
        if name.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(invalid("must be at most 80 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid("must not contain control characters"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A real IANA time zone name, such as `Europe/Berlin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone(String);

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 64 {
            return Err(ApiError::Invalid {
                field: "time_zone",
                reason: "must be an IANA time zone name",
            });
        }
        raw.parse::<chrono_tz::Tz>()
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| ApiError::Invalid {
                field: "time_zone",
                reason: "unknown IANA time zone",
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"é".repeat(81)).is_err());
        assert!(DisplayName::parse(&"é".repeat(80)).is_ok());
        assert!(DisplayName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn only_real_zones_parse() {
        assert_eq!(
            TimeZone::parse("Europe/Berlin").unwrap().as_str(),
            "Europe/Berlin"
        );
        assert!(TimeZone::parse("UTC").is_ok());
        for bad in ["Mars/Olympus", "", "Europe/Berlin; drop", "+02:00"] {
            assert!(TimeZone::parse(bad).is_err(), "{bad}");
        }
    }
}
