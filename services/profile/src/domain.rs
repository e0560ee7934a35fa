//! Parsed values: what a request's strings become at the edge.

use shared_types::profile::UpsertUser;

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

    /// A name from elsewhere (Google's): trimmed and cut to
    /// [`Self::MAX_CHARS`] rather than refused; `None` when blank.
    pub fn shortened(raw: &str) -> Option<Self> {
        let name = raw.trim();
        (!name.is_empty()).then(|| Self(name.chars().take(Self::MAX_CHARS).collect()))
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

/// A string field of the sign-in upsert: 1 to `max` bytes, no control
/// characters.
fn bounded(field: &'static str, raw: &str, max: usize) -> Result<String, ApiError> {
    if raw.is_empty() || raw.len() > max || raw.chars().any(char::is_control) {
        return Err(ApiError::Invalid {
            field,
            reason: "empty, too long or with control characters",
        });
    }
    Ok(raw.to_owned())
}

/// Google's stable `sub` (or `dev:<email>` for development sign-in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleSub(String);

impl GoogleSub {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        bounded("google_sub", raw, Self::MAX_LEN).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address as Google vouched for it (at most RFC 5321's 254).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        bounded("email", raw, Self::MAX_LEN).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A profile picture's address: kept only when it is `https://` and at
/// most 2048 bytes, dropped otherwise (a sign-in never fails over it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureUrl(String);

impl PictureUrl {
    pub const MAX_LEN: usize = 2048;

    pub fn accept(raw: &str) -> Option<Self> {
        (raw.starts_with("https://") && raw.len() <= Self::MAX_LEN).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who signed in, parsed from auth's upsert: what profile stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInUser {
    pub google_sub: GoogleSub,
    pub email: Email,
    /// Google's name, shortened to a display name's length (never refused).
    pub name: Option<DisplayName>,
    pub picture: Option<PictureUrl>,
}

impl SignedInUser {
    pub fn parse(u: &UpsertUser) -> Result<Self, ApiError> {
        Ok(Self {
            google_sub: GoogleSub::parse(&u.google_sub)?,
            email: Email::parse(&u.email)?,
            name: u.name.as_deref().and_then(DisplayName::shortened),
            picture: u.picture.as_deref().and_then(PictureUrl::accept),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_keeps_a_long_name_shortened_and_drops_a_plain_http_picture() {
        let user = SignedInUser::parse(&UpsertUser {
            google_sub: "g-1".into(),
            email: "a@b.c".into(),
            name: Some(format!("  {}  ", "é".repeat(100))),
            picture: Some("http://example.test/a.png".into()),
        })
        .unwrap();
        assert_eq!(user.name.unwrap().as_str(), "é".repeat(80));
        assert_eq!(user.picture, None);
        assert_eq!(DisplayName::shortened("   "), None);
        assert!(PictureUrl::accept("https://example.test/a.png").is_some());
        assert!(GoogleSub::parse(&"g".repeat(256)).is_err());
        assert!(Email::parse("").is_err());
        assert!(Email::parse("a\u{7}@b.c").is_err());
    }

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
