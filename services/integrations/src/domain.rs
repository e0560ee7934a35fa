//! Domain newtypes: parsed at the edge, so raw strings do not travel inward.

use std::fmt;

use uuid::Uuid;

/// The profile's user id (the `sub` of our access tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(Uuid);

impl UserId {
    pub fn new(id: Uuid) -> Self {
        Self(id)
    }

    /// Parses the textual UUID form; anything else is refused.
    pub fn parse(text: &str) -> Result<Self, InvalidUserId> {
        Uuid::parse_str(text.trim())
            .map(Self)
            .map_err(|_| InvalidUserId)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hyphenated lower-case form, as stored in TEXT columns.
        self.0.hyphenated().fmt(f)
    }
}

/// A user id that is not a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a user id must be a UUID")]
pub struct InvalidUserId;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_round_trips_through_its_text_form() {
        let id = UserId::new(Uuid::new_v4());
        assert_eq!(UserId::parse(&id.to_string()).unwrap(), id);
        assert!(UserId::parse("not-a-uuid").is_err());
    }
}
