//! Credentials and OAuth states in the database (both backends), key
//! rotation over many rows, and what a raw row holds.

use std::time::Duration;

use integrations::UserId;
use integrations::connector::{ConnectorError, Credentials};
use integrations::store::{OAuthState, Store};
use integrations::vault::rotate::{RotateOptions, rotate};
use integrations::vault::{KeyRing, Vault, VaultError, VaultKey};
use secrecy::ExposeSecret;
use sqlx::Row;

use crate::helpers::*;

#[tokio::test]
async fn a_credential_is_stored_read_and_replaced_keeping_its_creation_time() {
    let db = database().await;
    let creds = Credentials::new(db.store.clone(), Vault::new(ring(1)));
    let u = user();
    let first = creds
        .save(
            &u,
            "todoist",
            &tokens_of(1),
            Some("data:read_write".into()),
            Some(Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    assert_eq!(first.scope.as_deref(), Some("data:read_write"));
    assert!(first.expires_at.unwrap() > platform::db::now_millis());
    tokio::time::sleep(Duration::from_millis(5)).await;
    creds
        .save(&u, "todoist", &tokens_of(2), None, None)
        .await
        .unwrap();
    let loaded = creds.load(&u, "todoist").await.unwrap().unwrap();
    assert_eq!(
        loaded.tokens.access.expose_secret(),
        tokens_of(2).access.expose_secret()
    );
    assert_eq!(loaded.row.created_at, first.connected_at);
    assert!(loaded.row.updated_at > loaded.row.created_at);
    assert_eq!(db.store.providers_of(&u).await.unwrap(), ["todoist"]);
    assert!(creds.load(&user(), "todoist").await.unwrap().is_none());
    assert!(creds.delete(&u, "todoist").await.unwrap());
    assert!(!creds.delete(&u, "todoist").await.unwrap());
}

#[tokio::test]
async fn the_raw_credentials_row_holds_no_token() {
    let db = database().await;
    let creds = Credentials::new(db.store.clone(), Vault::new(ring(1)));
    let u = user();
    let tokens = tokens_of(7);
    creds
        .save(&u, "todoist", &tokens, Some("data:read_write".into()), None)
        .await
        .unwrap();
    let row =
        sqlx::query("SELECT user_id, provider, key_id, nonce, ciphertext, scope FROM credentials")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    let mut raw: Vec<u8> = Vec::new();
    for text in ["user_id", "provider", "key_id", "scope"] {
        raw.extend(row.try_get::<String, _>(text).unwrap().into_bytes());
    }
    raw.extend(row.try_get::<Vec<u8>, _>("nonce").unwrap());
    raw.extend(row.try_get::<Vec<u8>, _>("ciphertext").unwrap());
    for secret in [
        tokens.access.expose_secret(),
        tokens.refresh.as_ref().unwrap().expose_secret(),
    ] {
        // Neither the whole token nor any 8-byte piece of it.
        for piece in secret.as_bytes().windows(8) {
            assert!(
                !raw.windows(piece.len()).any(|w| w == piece),
                "a piece of a token is in the row"
            );
        }
    }
}

#[tokio::test]
async fn a_ciphertext_copied_into_another_users_row_does_not_open() {
    let db = database().await;
    let creds = Credentials::new(db.store.clone(), Vault::new(ring(1)));
    let (alice, mallory) = (user(), user());
    creds
        .save(&alice, "todoist", &tokens_of(1), None, None)
        .await
        .unwrap();
    creds
        .save(&mallory, "todoist", &tokens_of(2), None, None)
        .await
        .unwrap();
    // Mallory's row gets Alice's sealed tokens, byte for byte.
    let alice_row = db
        .store
        .get_credential(&alice, "todoist")
        .await
        .unwrap()
        .unwrap();
    sqlx::query(
        "UPDATE credentials SET key_id = $1, nonce = $2, ciphertext = $3 WHERE user_id = $4",
    )
    .bind(&alice_row.sealed.key_id)
    .bind(&alice_row.sealed.nonce)
    .bind(&alice_row.sealed.ciphertext)
    .bind(mallory.to_string())
    .execute(db.store.pool())
    .await
    .unwrap();
    let error = creds.load(&mallory, "todoist").await.unwrap_err();
    assert!(
        matches!(error, ConnectorError::Vault(VaultError::Tampered)),
        "{error:?}"
    );
    assert!(creds.load(&alice, "todoist").await.is_ok());
}

fn flow(state: &str, user: &UserId, provider: &str, expires_in_ms: i64) -> OAuthState {
    let now = platform::db::now_millis();
    OAuthState {
        state: state.into(),
        user: *user,
        provider: provider.into(),
        pkce_verifier: secret("verifier"),
        created_at: now,
        expires_at: now + expires_in_ms,
    }
}

#[tokio::test]
async fn an_oauth_state_is_single_use_bound_to_its_user_and_provider_and_expires() {
    let db = database().await;
    let creds = Credentials::new(db.store.clone(), Vault::new(ring(1)));
    let (alice, bob) = (user(), user());
    let store: &Store = &db.store;
    store
        .insert_oauth_state(&flow("s-ok", &alice, "todoist", 60_000))
        .await
        .unwrap();
    store
        .insert_oauth_state(&flow("s-bob", &bob, "todoist", 60_000))
        .await
        .unwrap();
    store
        .insert_oauth_state(&flow("s-old", &alice, "todoist", -1))
        .await
        .unwrap();
    store
        .insert_oauth_state(&flow("s-google", &alice, "google", 60_000))
        .await
        .unwrap();

    let verifier = creds.take_flow(&alice, "todoist", "s-ok").await.unwrap();
    assert_eq!(verifier.expose_secret(), "verifier");
    assert!(matches!(
        creds.take_flow(&alice, "todoist", "s-ok").await,
        Err(ConnectorError::UnknownState)
    ));
    assert!(matches!(
        creds.take_flow(&alice, "todoist", "s-bob").await,
        Err(ConnectorError::ForeignState)
    ));
    assert!(matches!(
        creds.take_flow(&alice, "todoist", "s-old").await,
        Err(ConnectorError::ExpiredState)
    ));
    assert!(matches!(
        creds.take_flow(&alice, "todoist", "s-google").await,
        Err(ConnectorError::WrongProvider)
    ));
    assert!(matches!(
        creds.take_flow(&alice, "todoist", "").await,
        Err(ConnectorError::UnknownState)
    ));
    assert!(matches!(
        creds.take_flow(&alice, "todoist", "never-issued").await,
        Err(ConnectorError::UnknownState)
    ));
    // A refused state is spent too: Bob cannot use his after Alice tried it.
    assert!(matches!(
        creds.take_flow(&bob, "todoist", "s-bob").await,
        Err(ConnectorError::UnknownState)
    ));
    // Expired flows are purged.
    store
        .insert_oauth_state(&flow("s-old2", &alice, "todoist", -1))
        .await
        .unwrap();
    assert_eq!(
        store
            .purge_expired_oauth_states(platform::db::now_millis())
            .await
            .unwrap(),
        1
    );
}

async fn assert_all_open(store: &Store, vault: &Vault, users: &[UserId]) {
    let creds = Credentials::new(store.clone(), vault.clone());
    for (n, u) in users.iter().enumerate() {
        let open = creds.load(u, "todoist").await.unwrap().expect("row kept");
        assert_eq!(
            open.tokens.access.expose_secret(),
            tokens_of(n).access.expose_secret()
        );
        assert_eq!(
            open.tokens.refresh.unwrap().expose_secret(),
            tokens_of(n).refresh.unwrap().expose_secret()
        );
    }
}

#[tokio::test]
async fn rotation_reseals_every_row_in_batches_resumes_after_an_interruption_and_loses_none() {
    let db = database().await;
    let old_ring = ring(1);
    let old_id = old_ring.active().id().to_owned();
    let rows = 400;
    let users = seed(&db.store, &Vault::new(copy_ring(&old_ring)), rows).await;
    let new = VaultKey::generate();
    let new_id = new.id().to_owned();
    let rotated = Vault::new(old_ring.with_newest(new).unwrap());

    // Interrupted after three batches of 50.
    let partial = rotate(
        &db.store,
        &rotated,
        RotateOptions {
            batch_size: 50,
            max_batches: Some(3),
        },
    )
    .await
    .unwrap();
    assert!(!partial.complete);
    assert_eq!(partial.resealed, 150);
    let counts = db.store.credentials_by_key().await.unwrap();
    assert!(counts.contains(&(new_id.clone(), 150)), "{counts:?}");
    assert!(counts.contains(&(old_id.clone(), 250)), "{counts:?}");
    assert_all_open(&db.store, &rotated, &users).await;

    // Resumed: the rest, and nothing twice.
    let rest = rotate(
        &db.store,
        &rotated,
        RotateOptions {
            batch_size: 50,
            max_batches: None,
        },
    )
    .await
    .unwrap();
    assert!(rest.complete);
    assert_eq!(rest.resealed, 250);
    assert_eq!(rest.unreadable, 0);
    assert_eq!(
        db.store.credentials_by_key().await.unwrap(),
        vec![(new_id.clone(), rows as i64)]
    );
    // Every row opens with the new key alone.
    let only_new = Vault::new(KeyRing::parse(&entries(rotated.ring())[0]).unwrap());
    assert_all_open(&db.store, &only_new, &users).await;
    // A second run has nothing to do.
    let again = rotate(&db.store, &rotated, RotateOptions::default())
        .await
        .unwrap();
    assert_eq!((again.resealed, again.batches), (0, 0));
    println!(
        "rotation: {} rows in {:?} ({:.0} rows/s) on {}",
        rest.resealed,
        rest.elapsed,
        rest.resealed as f64 / rest.elapsed.as_secs_f64(),
        if db.db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
}

#[tokio::test]
async fn rotation_leaves_rows_it_cannot_open_untouched() {
    let db = database().await;
    let lost = Vault::new(ring(1));
    let kept_ring = ring(1);
    let lost_users = seed(&db.store, &lost, 3).await;
    let users = seed(&db.store, &Vault::new(copy_ring(&kept_ring)), 5).await;
    let rotated = Vault::new(kept_ring.with_newest(VaultKey::generate()).unwrap());
    let report = rotate(
        &db.store,
        &rotated,
        RotateOptions {
            batch_size: 2,
            max_batches: None,
        },
    )
    .await
    .unwrap();
    assert!(report.complete);
    assert_eq!((report.resealed, report.unreadable), (5, 3));
    assert_all_open(&db.store, &rotated, &users).await;
    // Still there, still under the lost key, still opening with it.
    assert_all_open(&db.store, &lost, &lost_users).await;
}

#[tokio::test]
async fn a_write_receipt_is_kept_once_answered_found_by_item_and_purged_by_age() {
    let db = database().await;
    let u = user();
    let receipt = |id: &str, at: i64| integrations::store::WriteReceipt {
        request_id: id.into(),
        user: u,
        provider: "todoist".into(),
        item_id: "t1".into(),
        action: "close".into(),
        previous_due: Some(r#"{"date":"2026-12-01","is_recurring":true}"#.into()),
        answer: None,
        created_at: at,
    };
    db.store.begin_receipt(&receipt("r1", 1_000)).await.unwrap();
    // A retry's begin keeps the first record.
    let mut again = receipt("r1", 2_000);
    again.previous_due = None;
    db.store.begin_receipt(&again).await.unwrap();
    let stored = db.store.get_receipt("r1").await.unwrap().unwrap();
    assert_eq!(stored, receipt("r1", 1_000));
    // Pending receipts are not "the last close".
    assert!(
        db.store
            .last_receipt(&u, "todoist", "t1", "close")
            .await
            .unwrap()
            .is_none()
    );
    db.store
        .finish_receipt("r1", "{}", 1_500, None)
        .await
        .unwrap();
    db.store.begin_receipt(&receipt("r2", 3_000)).await.unwrap();
    db.store
        .finish_receipt("r2", "{\"n\":2}", 3_500, None)
        .await
        .unwrap();
    let last = db
        .store
        .last_receipt(&u, "todoist", "t1", "close")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (last.request_id.as_str(), last.answer.as_deref()),
        ("r2", Some("{\"n\":2}"))
    );
    assert!(
        db.store
            .last_receipt(&user(), "todoist", "t1", "close")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.store.purge_receipts(2_000).await.unwrap(), 1);
    assert!(db.store.get_receipt("r1").await.unwrap().is_none());
    assert!(db.store.get_receipt("r2").await.unwrap().is_some());
}

#[tokio::test]
async fn a_write_answer_is_recorded_once_with_its_event_and_a_later_answer_changes_neither() {
    let db = database().await;
    let receipt = integrations::store::WriteReceipt {
        request_id: "r-tx".into(),
        user: user(),
        provider: "todoist".into(),
        item_id: "t1".into(),
        action: "close".into(),
        previous_due: None,
        answer: None,
        created_at: 1_000,
    };
    db.store.begin_receipt(&receipt).await.unwrap();
    let first = write_event("task.completed", "t1");
    assert!(
        db.store
            .finish_receipt("r-tx", "{\"n\":1}", 1_500, Some(&first))
            .await
            .unwrap()
    );
    // A concurrent try that answers later: its answer and event are dropped.
    let second = write_event("task.completed", "t1");
    assert!(
        !db.store
            .finish_receipt("r-tx", "{\"n\":2}", 1_600, Some(&second))
            .await
            .unwrap()
    );
    let stored = db.store.get_receipt("r-tx").await.unwrap().unwrap();
    assert_eq!(stored.answer.as_deref(), Some("{\"n\":1}"));
    let ids: Vec<String> = sqlx::query_scalar("SELECT event_id FROM outbox")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    assert_eq!(ids, [first.id.to_string()]);
}
