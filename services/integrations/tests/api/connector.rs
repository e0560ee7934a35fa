//! The Todoist connector over a real database and a wiremock Todoist: the
//! OAuth callback's bad inputs, refresh with rotation, the per-user cache,
//! idempotent completion, disconnect.

use std::time::Duration;

use integrations::UserId;
use integrations::connector::{Connector, ConnectorError, Credentials, TodoistConnector};
use integrations::domain::IdempotencyKey;
use integrations::store::Store;
use integrations::todoist::request_id;
use integrations::vault::{TokenSecrets, Vault};
use secrecy::ExposeSecret;
use serde_json::json;
use shared_types::integrations::CompletionKind;
use wiremock::matchers::{bearer_token, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const TASKS: &str = "/api/v1/tasks";
const TOKEN: &str = "/oauth/access_token";

struct Setup {
    server: MockServer,
    db: Db,
    vault: Vault,
    todoist: TodoistConnector,
}

async fn setup(ttl: Duration) -> Setup {
    let server = MockServer::start().await;
    let db = database().await;
    let vault = Vault::new(ring(1));
    let todoist = connector(&db.store, &vault, config(&server), ttl);
    Setup {
        server,
        db,
        vault,
        todoist,
    }
}

impl Setup {
    fn credentials(&self) -> Credentials {
        Credentials::new(self.db.store.clone(), self.vault.clone())
    }

    async fn connect(
        &self,
        user: &UserId,
        access: &str,
        refresh: Option<&str>,
        expires_in: Option<Duration>,
    ) {
        let tokens = TokenSecrets {
            access: secret(access),
            refresh: refresh.map(secret),
        };
        self.credentials()
            .save(
                user,
                "todoist",
                &tokens,
                Some("data:read_write".into()),
                expires_in,
            )
            .await
            .unwrap();
    }

    async fn serve_tasks(&self, token: &str, tasks: Vec<serde_json::Value>) {
        Mock::given(method("GET"))
            .and(path(TASKS))
            .and(bearer_token(token))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(tasks, None)))
            .mount(&self.server)
            .await;
    }
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "token_type": "Bearer", "refresh_token": refresh,
        "expires_in": 3600, "scope": "data:read_write", "state": "s"
    }))
}

#[tokio::test]
async fn many_fetches_within_the_ttl_list_tasks_at_todoist_once() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-1", None, None).await;
    s.serve_tasks(
        "at-1",
        vec![task("t1", "Water the plants"), task("t2", "Call mum")],
    )
    .await;
    for _ in 0..25 {
        let events = s.todoist.fetch_signals(&u, None).await.unwrap();
        assert_eq!(events.len(), 2);
    }
    assert_eq!(requests_to(&s.server, TASKS).await.len(), 1);
    let events = s.todoist.fetch_signals(&u, None).await.unwrap();
    let first = &events[0];
    assert_eq!(first.source, "todoist");
    assert_eq!(first.kind, "task.open");
    assert_eq!(first.subject_id, "t1");
    assert_eq!(first.user_id, u.as_uuid());
    assert_eq!(first.payload["title"], "Water the plants");
    assert_eq!(
        first.payload["deep_link"],
        "https://app.todoist.com/app/task/t1"
    );
    let since = time::OffsetDateTime::parse(
        "2030-01-01T00:00:00Z",
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        s.todoist
            .fetch_signals(&u, Some(since))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn past_its_ttl_the_list_is_answered_at_once_and_refreshed_behind() {
    let s = setup(Duration::from_millis(200)).await;
    let u = user();
    s.connect(&u, "at-1", None, None).await;
    s.serve_tasks("at-1", vec![task("t1", "a")]).await;
    s.todoist.fetch_signals(&u, None).await.unwrap();
    s.todoist.fetch_signals(&u, None).await.unwrap();
    assert_eq!(requests_to(&s.server, TASKS).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(s.todoist.fetch_signals(&u, None).await.unwrap().len(), 1);
    for _ in 0..50 {
        if requests_to(&s.server, TASKS).await.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(requests_to(&s.server, TASKS).await.len(), 2);
}

#[tokio::test]
async fn a_completion_patches_the_list_and_a_double_tap_sends_the_same_request_id() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-1", None, None).await;
    s.serve_tasks("at-1", vec![task("t1", "a"), task("t2", "b")])
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/tasks/t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(task("t1", "a")))
        .mount(&s.server)
        .await;
    let close = "/api/v1/tasks/t1/close";
    Mock::given(method("POST"))
        .and(path(close))
        .respond_with(ResponseTemplate::new(204))
        .mount(&s.server)
        .await;
    let key = IdempotencyKey::parse("rec-1").unwrap();
    s.todoist.fetch_signals(&u, None).await.unwrap();
    let event = |_: &_| write_event("task.completed", "t1");
    let done = s.todoist.complete(&u, "t1", &key, &event).await.unwrap();
    assert_eq!(done.outcome, CompletionKind::Completed);
    assert_eq!(done.previous_due.unwrap().date, "2026-11-27");
    // The same key again: the same answer, from the receipt.
    let again = s.todoist.complete(&u, "t1", &key, &event).await.unwrap();
    assert_eq!(again.outcome, CompletionKind::Completed);
    // One write, one event, recorded with its answer.
    assert_eq!(outbox_count(s.db.store.pool(), "task.completed").await, 1);
    let left = s.todoist.fetch_signals(&u, None).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].subject_id, "t2");
    // Patched, not dropped: no second listing.
    assert_eq!(requests_to(&s.server, TASKS).await.len(), 1);
    let closes = requests_to(&s.server, close).await;
    assert_eq!(closes.len(), 1);
    let expected = request_id(&u, "t1", "close", "rec-1").to_string();
    for r in &closes {
        assert_eq!(
            r.headers.get("x-request-id").unwrap().to_str().unwrap(),
            expected
        );
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            "Bearer at-1"
        );
    }
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_each_rotated_refresh_token_is_stored() {
    let s = setup(Duration::from_millis(1)).await;
    let u = user();
    s.connect(&u, "at-1", Some("rt-1"), Some(Duration::ZERO))
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("refresh_token=rt-1"))
        .respond_with(token_answer("at-2", "rt-2"))
        .up_to_n_times(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("refresh_token=rt-2"))
        .respond_with(token_answer("at-3", "rt-3"))
        .up_to_n_times(1)
        .mount(&s.server)
        .await;
    s.serve_tasks("at-2", vec![task("t1", "a")]).await;
    s.serve_tasks("at-3", vec![task("t1", "a")]).await;

    s.todoist.fetch_signals(&u, None).await.unwrap();
    let stored = s.credentials().load(&u, "todoist").await.unwrap().unwrap();
    assert_eq!(stored.tokens.access.expose_secret(), "at-2");
    assert_eq!(
        stored.tokens.refresh.as_ref().unwrap().expose_secret(),
        "rt-2"
    );
    assert!(stored.row.expires_at.unwrap() > platform::db::now_millis() + 3_000_000);

    // Expire it again: the next refresh presents the rotated token.
    sqlx::query("UPDATE credentials SET expires_at = 0")
        .execute(s.db.store.pool())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    // The stale list is answered at once; the refresh runs behind it.
    s.todoist.fetch_signals(&u, None).await.unwrap();
    for _ in 0..100 {
        if requests_to(&s.server, TASKS).await.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stored = s.credentials().load(&u, "todoist").await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh.unwrap().expose_secret(), "rt-3");
    assert_eq!(requests_to(&s.server, TOKEN).await.len(), 2);
}

#[tokio::test]
async fn a_failed_early_refresh_falls_back_on_the_still_valid_token() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-1", Some("rt-1"), Some(Duration::from_secs(30)))
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(500))
        .mount(&s.server)
        .await;
    s.serve_tasks("at-1", vec![task("t1", "a")]).await;
    assert_eq!(s.todoist.fetch_signals(&u, None).await.unwrap().len(), 1);
    assert_eq!(requests_to(&s.server, TOKEN).await.len(), 1);
    let stored = s.credentials().load(&u, "todoist").await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh.unwrap().expose_secret(), "rt-1");
}

#[tokio::test]
async fn a_401_refreshes_once_and_repeats_the_call() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-old", Some("rt-1"), None).await;
    Mock::given(path(TASKS))
        .and(bearer_token("at-old"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(token_answer("at-new", "rt-2"))
        .mount(&s.server)
        .await;
    s.serve_tasks("at-new", vec![task("t1", "a")]).await;
    assert_eq!(s.todoist.fetch_signals(&u, None).await.unwrap().len(), 1);
    assert_eq!(requests_to(&s.server, TOKEN).await.len(), 1);
}

#[tokio::test]
async fn a_refused_refresh_asks_the_user_to_reconnect() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-old", Some("rt-revoked"), Some(Duration::ZERO))
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})))
        .mount(&s.server)
        .await;
    let error = s.todoist.fetch_signals(&u, None).await.unwrap_err();
    assert!(
        matches!(error, ConnectorError::Reconnect("todoist")),
        "{error:?}"
    );
    let never = s.todoist.fetch_signals(&user(), None).await.unwrap_err();
    assert!(matches!(never, ConnectorError::NotConnected("todoist")));
}

#[tokio::test]
async fn todoist_rate_limits_reach_the_caller_with_their_wait() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-1", None, None).await;
    Mock::given(path(TASKS))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "90"))
        .mount(&s.server)
        .await;
    let error = s.todoist.fetch_signals(&u, None).await.unwrap_err();
    let ConnectorError::RateLimited { retry_after } = error else {
        panic!("{error:?}");
    };
    assert_eq!(retry_after, Duration::from_secs(90));
}

#[tokio::test]
async fn the_oauth_dance_stores_sealed_tokens_for_the_user_who_started_it() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("code=good-code"))
        .respond_with(token_answer("at-1", "rt-1"))
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})))
        .mount(&s.server)
        .await;
    let url = s.todoist.begin_oauth(&u).await.unwrap();
    let url = oauth2::url::Url::parse(&url).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "code_challenge_method" && v == "S256")
    );

    // Another signed-in user cannot finish it, and it is spent.
    let error = s
        .todoist
        .finish_oauth(&user(), "good-code", &state)
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectorError::ForeignState), "{error:?}");
    let error = s
        .todoist
        .finish_oauth(&u, "good-code", &state)
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectorError::UnknownState), "{error:?}");

    // A fresh flow: a refused code (reused, or Google's) is named as such.
    let state = state_of(&s.todoist.begin_oauth(&u).await.unwrap());
    let error = s
        .todoist
        .finish_oauth(&u, "google-code", &state)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ConnectorError::CodeRejected { .. }),
        "{error:?}"
    );

    let state = state_of(&s.todoist.begin_oauth(&u).await.unwrap());
    let stored = s
        .todoist
        .finish_oauth(&u, "good-code", &state)
        .await
        .unwrap();
    assert_eq!(stored.provider, "todoist");
    assert_eq!(stored.user_id, u.as_uuid());
    assert_eq!(stored.scope.as_deref(), Some("data:read_write"));
    assert_eq!(stored.key_id, s.vault.active_key_id());
    assert!(s.todoist.status(&u).await.unwrap().is_some());
    // The PKCE verifier of that flow went to Todoist.
    let exchange = requests_to(&s.server, TOKEN).await.pop().unwrap();
    assert!(field(&form(&exchange), "code_verifier").is_some_and(|v| v.len() >= 43));
    // Replaying the callback finds no state.
    let error = s
        .todoist
        .finish_oauth(&u, "good-code", &state)
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectorError::UnknownState));
}

fn state_of(url: &str) -> String {
    let url = oauth2::url::Url::parse(url).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    let state = state_of(&s.todoist.begin_oauth(&u).await.unwrap());
    sqlx::query("UPDATE oauth_states SET expires_at = 1")
        .execute(s.db.store.pool())
        .await
        .unwrap();
    let error = s
        .todoist
        .finish_oauth(&u, "code", &state)
        .await
        .unwrap_err();
    assert!(matches!(error, ConnectorError::ExpiredState), "{error:?}");
    assert!(s.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn disconnect_revokes_the_token_at_todoist_and_deletes_the_row() {
    let s = setup(Duration::from_secs(30)).await;
    let u = user();
    s.connect(&u, "at-bye", Some("rt-bye"), None).await;
    Mock::given(method("POST"))
        .and(path("/api/v1/revoke"))
        .and(body_string_contains("token=at-bye"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&s.server)
        .await;
    assert!(s.todoist.disconnect(&u).await.unwrap());
    assert!(
        s.db.store
            .get_credential(&u, "todoist")
            .await
            .unwrap()
            .is_none()
    );
    assert!(!s.todoist.disconnect(&u).await.unwrap());
    s.server.verify().await;
}

#[tokio::test]
async fn the_registry_finds_connectors_by_name() {
    let s = setup(Duration::from_secs(30)).await;
    let registry = integrations::connector::Registry::new().with(std::sync::Arc::new(s.todoist));
    assert_eq!(registry.get("todoist").unwrap().display_name(), "Todoist");
    assert!(registry.get("linear").is_none());
    assert_eq!(registry.all().len(), 1);
    let _: &Store = &s.db.store;
}
