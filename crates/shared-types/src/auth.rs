//! What auth answers the other services: the revoked-session list and one
//! session's state (both read by the gateway), and a refreshed access token.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One revoked session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokedSession {
    pub sid: String,
    /// Epoch milliseconds.
    pub revoked_at: i64,
}

/// `GET /internal/sessions/revoked`: one page of the revoked list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokedList {
    /// auth's clock when the page was read, epoch milliseconds.
    pub now: i64,
    /// In `(revoked_at, sid)` order. A page holding `limit` rows may have
    /// more after it: ask again with the last row's `revoked_at` as `since`
    /// and its `sid` as `after`.
    pub revoked: Vec<RevokedSession>,
}

/// `GET /internal/sessions/{sid}`: whether one session may still be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionState {
    pub sid: String,
    /// False when the session is revoked or unknown.
    pub live: bool,
}

/// `POST /auth/refresh` to an internal caller: a fresh access token (the
/// cookies carry the same, and the new refresh token).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Refreshed {
    pub access_token: String,
    /// Seconds.
    pub expires_in: i64,
}
