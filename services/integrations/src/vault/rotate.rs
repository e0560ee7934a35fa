//! Re-encrypting every credentials row under the active key, in batches.
//!
//! Each batch is read, opened under its old key, sealed under the active
//! key and written back in one transaction, each row only if it still holds
//! what was read. A row is never deleted: one that cannot be opened (its key
//! left the ring, or it is corrupt) is counted and left as it is. Stopping at
//! any point loses nothing; running again picks up the rows still under an
//! old key.

use std::time::{Duration, Instant};

use super::{Sealed, Vault, VaultError};
use crate::store::{CredentialRow, RowKey, Store, StoreError};

/// How a rotation runs.
#[derive(Debug, Clone, Copy)]
pub struct RotateOptions {
    /// Rows per batch (and per transaction).
    pub batch_size: usize,
    /// Stop after this many batches (`None`: until done).
    pub max_batches: Option<usize>,
}

impl Default for RotateOptions {
    fn default() -> Self {
        Self {
            batch_size: 500,
            max_batches: None,
        }
    }
}

/// What a rotation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Rows now sealed under the active key.
    pub resealed: u64,
    /// Rows changed by someone else between read and write (already fresh).
    pub skipped_concurrent: u64,
    /// Rows that could not be opened, left untouched.
    pub unreadable: u64,
    pub batches: u64,
    /// False when stopped by `max_batches` before the end.
    pub complete: bool,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error("rotating keys: {0}")]
    Store(#[from] StoreError),
}

/// Re-encrypts every row not under the vault's active key.
pub async fn rotate(
    store: &Store,
    vault: &Vault,
    options: RotateOptions,
) -> Result<RotationReport, RotateError> {
    let started = Instant::now();
    let active = vault.active_key_id().to_owned();
    let batch_size = options.batch_size.max(1);
    let mut report = RotationReport::default();
    let mut after: Option<RowKey> = None;
    loop {
        if options
            .max_batches
            .is_some_and(|max| report.batches as usize >= max)
        {
            report.elapsed = started.elapsed();
            return Ok(report);
        }
        let rows = store
            .credentials_not_under(&active, after.as_ref(), batch_size as i64)
            .await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = Some(RowKey {
            user_id: last.user.to_string(),
            provider: last.provider.clone(),
        });
        let mut replacements: Vec<(CredentialRow, Sealed)> = Vec::with_capacity(rows.len());
        for row in rows {
            match reseal(vault, &row) {
                Ok(sealed) => replacements.push((row, sealed)),
                Err(e) => {
                    report.unreadable += 1;
                    tracing::warn!(
                        provider = %row.provider,
                        key_id = %row.sealed.key_id,
                        error = %e,
                        "a credential could not be opened; left as it is"
                    );
                }
            }
        }
        let replaced = store
            .reseal_credentials(&replacements, platform::db::now_millis())
            .await?;
        report.resealed += replaced;
        report.skipped_concurrent += replacements.len() as u64 - replaced;
        report.batches += 1;
        tracing::info!(
            batch = report.batches,
            resealed = report.resealed,
            "rotation batch committed"
        );
    }
    report.complete = true;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn reseal(vault: &Vault, row: &CredentialRow) -> Result<Sealed, VaultError> {
    let tokens = vault.open_tokens(&row.user, &row.provider, &row.sealed)?;
    vault.seal_tokens(&row.user, &row.provider, &tokens)
}
