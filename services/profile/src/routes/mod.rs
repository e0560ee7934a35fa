//! The profile service's routes, each module beside its handlers.

pub mod internal;
pub mod me;

use platform::clock::rfc3339;
use shared_types::profile::{User, UserId};

use crate::error::ApiError;
use crate::store::UserRow;

/// A stored id as the wire carries it; profile makes every id a UUID, so
/// anything else is a corrupt row.
fn user_id(id: &str) -> Result<UserId, ApiError> {
    UserId::parse(id)
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("users.id is not a UUID: {id:?}")))
}

/// A stored user as the API shows them.
fn shown(r: UserRow) -> Result<User, ApiError> {
    Ok(User {
        id: user_id(&r.id)?,
        email: r.email,
        name: r.name,
        picture: r.picture,
        time_zone: r.time_zone,
        created_at: rfc3339(r.created_at),
        updated_at: rfc3339(r.updated_at),
    })
}
