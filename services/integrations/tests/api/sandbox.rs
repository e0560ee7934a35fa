//! The whole connection against the workspace's fake Todoist (the
//! sandbox of the embedded run): consent, code exchange with PKCE, every
//! page of tasks, an idempotent close, refresh with rotation, revoke. The
//! exit check of "Connect Todoist", below the HTTP layer.

use std::time::Duration;

use integrations::connector::{Connector, Credentials};
use integrations::vault::Vault;
use secrecy::ExposeSecret;
use todoist_fake::{FakeConfig, FakeTodoist};

use crate::helpers::*;

fn query(url: &str, name: &str) -> Option<String> {
    oauth2::url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn a_user_connects_the_sandbox_lists_every_task_closes_one_once_and_disconnects() {
    let fake = FakeTodoist::start(FakeConfig::sandbox()).await.unwrap();
    let db = database().await;
    let vault = Vault::new(ring(1));
    let seeded = fake.active_tasks("alice").len() as u32;
    let mut config = config_for(&fake);
    // Pages of a third of the list, so listing needs the cursor.
    config.page_limit = seeded.div_ceil(3);
    let todoist = connector(&db.store, &vault, config, Duration::from_secs(30));
    let u = user();

    let authorize = todoist.begin_oauth(&u).await.unwrap();
    let back = fake.approve(&authorize, "alice").unwrap();
    let code = query(&back, "code").expect("a code");
    let state = query(&back, "state").expect("the state");
    let stored = todoist.finish_oauth(&u, &code, &state).await.unwrap();
    assert_eq!(stored.provider, "todoist");

    let expected = fake.active_tasks("alice");
    assert!(expected.len() > 2, "the sandbox seeds a believable list");
    let events = todoist.fetch_signals(&u, None).await.unwrap();
    let mut got: Vec<_> = events.iter().map(|e| e.subject_id.clone()).collect();
    let mut want: Vec<_> = expected.iter().map(|t| t.id.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let listings = fake.user_stats("alice").task_listings;
    assert!(listings >= 2, "pages were followed");
    // Cached: no more listings.
    todoist.fetch_signals(&u, None).await.unwrap();
    assert_eq!(fake.user_stats("alice").task_listings, listings);

    // A double tap closes once.
    let one_off = expected
        .iter()
        .find(|t| t.due.as_ref().is_none_or(|d| !d.is_recurring))
        .expect("a one-off task");
    let key = integrations::domain::IdempotencyKey::parse("rec-1").unwrap();
    let event = |_: &_| write_event("task.completed", &one_off.id);
    todoist
        .complete(&u, &one_off.id, &key, &event)
        .await
        .unwrap();
    todoist
        .complete(&u, &one_off.id, &key, &event)
        .await
        .unwrap();
    let stats = fake.user_stats("alice");
    // The second tap is answered from the first one's receipt.
    assert_eq!(stats.close_requests, 1);
    assert_eq!(stats.closes, 1);
    assert_eq!(
        stats.request_ids,
        [integrations::todoist::request_id(&u, &one_off.id, "close", "rec-1").to_string()]
    );
    let after = todoist.fetch_signals(&u, None).await.unwrap();
    assert_eq!(after.len(), expected.len() - 1);
    assert!(after.iter().all(|e| e.subject_id != one_off.id));

    // Expired access token: refreshed, and the rotated refresh token kept.
    let creds = Credentials::new(db.store.clone(), vault.clone());
    let before = creds.load(&u, "todoist").await.unwrap().unwrap();
    fake.expire_access_tokens();
    sqlx::query("UPDATE credentials SET expires_at = 0")
        .execute(db.store.pool())
        .await
        .unwrap();
    todoist
        .complete(
            &u,
            &expected.last().unwrap().id,
            &integrations::domain::IdempotencyKey::parse("rec-2").unwrap(),
            &event,
        )
        .await
        .unwrap();
    let refreshed = creds.load(&u, "todoist").await.unwrap().unwrap();
    assert_ne!(
        refreshed.tokens.access.expose_secret(),
        before.tokens.access.expose_secret()
    );
    if let (Some(old), Some(new)) = (&before.tokens.refresh, &refreshed.tokens.refresh) {
        assert_ne!(old.expose_secret(), new.expose_secret());
    }
    assert!(fake.token_is_active(refreshed.tokens.access.expose_secret()));

    assert!(todoist.disconnect(&u).await.unwrap());
    assert!(!fake.token_is_active(refreshed.tokens.access.expose_secret()));
    assert!(todoist.status(&u).await.unwrap().is_none());
}

#[tokio::test]
async fn a_denied_consent_leaves_nothing_behind() {
    let fake = FakeTodoist::start(FakeConfig::sandbox()).await.unwrap();
    let db = database().await;
    let todoist = connector(
        &db.store,
        &Vault::new(ring(1)),
        config_for(&fake),
        Duration::from_secs(30),
    );
    let u = user();
    let authorize = todoist.begin_oauth(&u).await.unwrap();
    let back = fake.deny(&authorize).unwrap();
    assert_eq!(query(&back, "error").as_deref(), Some("access_denied"));
    assert!(todoist.status(&u).await.unwrap().is_none());
}

fn config_for(fake: &FakeTodoist) -> integrations::todoist::TodoistConfig {
    let mut config = integrations::todoist::TodoistConfig::new(
        integrations::config::SANDBOX_CLIENT_ID,
        secret("any"),
        REDIRECT,
    );
    config.api_url = fake.api_url();
    config.auth_url = fake.authorize_url();
    config.token_url = fake.token_url();
    config
}
