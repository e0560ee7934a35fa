//! The integrations service's tables, in portable SQL over `AnyPool`: ids as
//! TEXT, times as BIGINT epoch milliseconds, bytes as BYTEA/BLOB.
//!
//! * [`credentials`]: a user's sealed provider tokens, one row per provider.
//! * [`oauth_states`]: OAuth flows in progress, single use.
//! * [`receipts`]: the writes sent to providers, pending then answered.

pub mod credentials;
pub mod oauth_states;
pub mod receipts;

use sqlx::AnyPool;

pub use credentials::{CredentialRow, RowKey};
pub use oauth_states::OAuthState;
pub use receipts::WriteReceipt;

/// A store call failed. The message is fit for logs: no values, no URLs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{context}: {message}")]
    Database {
        context: &'static str,
        message: String,
    },
    #[error("{0}: a stored value is malformed")]
    Corrupt(&'static str),
}

impl StoreError {
    fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| StoreError::Database {
            context,
            message: platform::db::describe(&e),
        }
    }
}

/// The service's data, behind one handle.
#[derive(Debug, Clone)]
pub struct Store {
    db: AnyPool,
}

impl Store {
    pub fn new(db: AnyPool) -> Self {
        Self { db }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.db
    }
}
