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

pub use platform::db::StoreError;

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
