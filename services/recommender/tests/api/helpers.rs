//! `spawn_app()`: the recommender on 127.0.0.1:0, integrations at wiremock.

use std::time::Duration;

use platform::Env;
use platform::testing::{TestDatabase, TestKey, TestServer};
use recommender::clock::Clock;
use recommender::store::Store;
use serde_json::{Value, json};
use shared_types::recommender::Recommendation;
use uuid::Uuid;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub struct App {
    pub base: String,
    pub integrations: MockServer,
    pub store: Store,
    pub clock: Clock,
    /// The key the service trusts: it signs the tests' access tokens.
    pub key: TestKey,
    pub user: Uuid,
    pub http: reqwest::Client,
    pub internal_token: String,
    _server: TestServer,
    _db: TestDatabase,
}

pub async fn spawn_app() -> App {
    spawn_app_with(&[]).await
}

/// The service with extra settings (`RECOMMENDER_POLICY=urgency`…).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> App {
    platform::testing::init_tracing();
    let db = TestDatabase::new().await;
    let integrations = MockServer::start().await;
    let mut pairs: Vec<(String, String)> = vec![
        ("DATA_DIR".into(), db.dir().display().to_string()),
        ("RECOMMENDER_DATABASE_URL".into(), db.url().to_owned()),
        ("INTEGRATIONS_URL".into(), integrations.uri()),
        (
            "INTERNAL_API_TOKEN".into(),
            "internal-token-for-tests-0123456789abcdef".into(),
        ),
        ("RECOMMENDER_CANDIDATE_BUDGET".into(), "1200ms".into()),
    ];
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let settings = recommender::Settings::from_env(&Env::from_pairs(pairs)).unwrap();
    let pool = recommender::open_database(&settings).await.unwrap();
    let clock = Clock::system();
    let service = recommender::recommender(&settings, pool.clone(), clock.clone(), None);
    let key = TestKey::default();
    let mut state = recommender::state(&settings, service);
    state.verifier = key.verifier();
    let server = TestServer::router(recommender::router(state, Vec::new())).await;
    App {
        base: server.url().to_owned(),
        integrations,
        store: Store::new(pool),
        clock,
        key,
        user: Uuid::new_v4(),
        http: reqwest::Client::new(),
        internal_token: "internal-token-for-tests-0123456789abcdef".into(),
        _server: server,
        _db: db,
    }
}

/// A `task.open` event as integrations lists it.
pub fn task(id: &str, title: &str, extra: Value) -> Value {
    let mut payload = json!({
        "title": title,
        "description": "",
        "priority": 1,
        "labels": [],
        "deep_link": format!("https://app.todoist.com/app/task/{id}"),
    });
    if let (Some(p), Value::Object(extra)) = (payload.as_object_mut(), extra) {
        p.extend(extra);
    }
    json!({
        "id": Uuid::now_v7(),
        "user_id": Uuid::nil(),
        "source": "todoist",
        "kind": "task.open",
        "subject_id": id,
        "occurred_at": "2026-12-01T08:00:00Z",
        "trace_id": null,
        "payload": payload,
    })
}

/// Today (UTC) plus `days`, as Todoist writes a date.
pub fn day(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl App {
    pub fn token(&self) -> String {
        self.token_for(self.user)
    }

    pub fn token_for(&self, user: Uuid) -> String {
        self.key.token(&user.to_string(), "session-1")
    }

    /// integrations answers this candidate list (replacing any before).
    pub async fn candidates(&self, items: Vec<Value>) {
        self.candidates_with(
            items,
            json!([{"source": "todoist", "status": "ok", "as_of": "2026-12-01T08:00:00Z"}]),
        )
        .await;
    }

    pub async fn candidates_with(&self, items: Vec<Value>, sources: Value) {
        self.integrations.reset().await;
        self.list(items, sources).await;
        self.writes_succeed().await;
    }

    /// Answers this candidate list, keeping the write mocks mounted.
    pub async fn candidates_keep_writes(&self, items: Vec<Value>) {
        self.list(
            items,
            json!([{"source": "todoist", "status": "ok", "as_of": "2026-12-01T08:00:00Z"}]),
        )
        .await;
    }

    async fn list(&self, items: Vec<Value>, sources: Value) {
        Mock::given(method("GET"))
            .and(path("/api/integrations/tasks"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"items": items, "sources": sources})),
            )
            .mount(&self.integrations)
            .await;
    }

    /// complete and reopen succeed at integrations.
    pub async fn writes_succeed(&self) {
        Mock::given(method("POST"))
            .and(path_regex(
                r"^/api/integrations/items/todoist/[^/]+/complete$",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "outcome": "completed", "previous_due": null, "next_due": null})))
            .with_priority(10)
            .mount(&self.integrations)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(
                r"^/api/integrations/items/todoist/[^/]+/reopen$",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"outcome": "reopened"})))
            .with_priority(10)
            .mount(&self.integrations)
            .await;
    }

    /// How many requests integrations got for paths ending with `suffix`.
    pub async fn calls(&self, suffix: &str) -> Vec<wiremock::Request> {
        self.integrations
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path().ends_with(suffix))
            .collect()
    }

    pub fn post(&self, p: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{p}", self.base))
            .bearer_auth(self.token())
    }

    pub async fn recommend(&self) -> Recommendation {
        self.recommend_with(json!({"user_id": self.user})).await
    }

    pub async fn recommend_with(&self, body: Value) -> Recommendation {
        let response = self
            .post("/api/recommend")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// `POST /api/tips/{id}/{action}` with an idempotency key.
    pub async fn act(&self, id: Uuid, action: &str, key: &str) -> reqwest::Response {
        self.post(&format!("/api/tips/{id}/{action}"))
            .header("idempotency-key", key)
            .send()
            .await
            .unwrap()
    }

    /// The kinds of a decision's stored events.
    pub async fn events(&self, decision: Uuid) -> Vec<String> {
        self.store.event_kinds(decision).await.unwrap()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}
