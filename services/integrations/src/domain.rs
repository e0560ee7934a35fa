//! Domain newtypes: parsed at the edge, so raw strings do not travel inward.

/// The profile's user id, shared with every service that names a user.
pub use shared_types::profile::{InvalidUserId, UserId};

/// The caller's `Idempotency-Key`: 1 to 64 visible ASCII characters. The
/// same key is the same write, however often it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, InvalidIdempotencyKey> {
        let ok =
            (1..=Self::MAX_LEN).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self(text.to_owned()))
            .ok_or(InvalidIdempotencyKey)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A key that is empty, too long, or not visible ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an Idempotency-Key is 1 to 64 visible ASCII characters")]
pub struct InvalidIdempotencyKey;

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn an_idempotency_key_is_one_to_64_visible_ascii_characters() {
        assert!(IdempotencyKey::parse("done-0190c0de").is_ok());
        assert!(IdempotencyKey::parse(&"k".repeat(64)).is_ok());
        for bad in ["", " ", "has space", "tab\t", "é", &"k".repeat(65)] {
            assert!(IdempotencyKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_user_id_round_trips_through_its_text_form() {
        let id = UserId::new(Uuid::new_v4());
        assert_eq!(UserId::parse(&id.to_string()).unwrap(), id);
        assert!(UserId::parse("not-a-uuid").is_err());
    }
}
