//! What profile answers: the user's id (the `sub` of every access token),
//! the upsert auth makes on sign-in, and the user as `GET /api/me` shows
//! them.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The profile's user id: the `sub` of our access tokens, a UUID. On the
/// wire it is the hyphenated lower-case text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
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

impl From<Uuid> for UserId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

/// A user id is the UUID it wraps, whichever side holds which.
impl PartialEq<Uuid> for UserId {
    fn eq(&self, other: &Uuid) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hyphenated lower-case form, as stored in TEXT columns.
        self.0.hyphenated().fmt(f)
    }
}

/// A user id that is not a UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUserId;

impl fmt::Display for InvalidUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user id must be a UUID")
    }
}

impl std::error::Error for InvalidUserId {}

/// `POST /internal/users` (auth → profile): who signed in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UpsertUser {
    /// Google's stable `sub` (or `dev:<email>` for development sign-in).
    pub google_sub: String,
    pub email: String,
    pub name: Option<String>,
    pub picture: Option<String>,
}

/// The upsert's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Upserted {
    /// The user's id: the `sub` of their access tokens.
    #[schema(value_type = String)]
    pub id: UserId,
}

/// A user as the API shows them (`GET /api/me`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    #[schema(value_type = String)]
    pub id: UserId,
    pub email: String,
    pub name: Option<String>,
    pub picture: Option<String>,
    /// An IANA time zone name.
    pub time_zone: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

impl User {
    /// The name when there is one, the email address otherwise.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_reads_and_writes_the_uuid_text_and_nothing_else() {
        let id = UserId::new(Uuid::new_v4());
        assert_eq!(UserId::parse(&id.to_string()).unwrap(), id);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            format!("\"{}\"", id.as_uuid().hyphenated())
        );
        assert!(UserId::parse("not-a-uuid").is_err());
        assert!(serde_json::from_str::<UserId>("\"not-a-uuid\"").is_err());
    }
}
