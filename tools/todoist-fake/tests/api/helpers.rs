//! Starting a fake and the requests most tests make.

use reqwest::{Client, Response, StatusCode, Url, redirect};
use serde_json::Value;
use todoist_fake::{FakeConfig, FakeTodoist, Task, pkce_s256};

pub const REDIRECT: &str = "http://localhost:8080/connect/todoist/callback";
pub const VERIFIER: &str = "a-verifier-of-at-least-43-characters-0123456789";

pub struct TestFake {
    pub fake: FakeTodoist,
    pub http: Client,
}

pub async fn spawn() -> TestFake {
    spawn_with(FakeConfig::default()).await
}

pub async fn spawn_with(config: FakeConfig) -> TestFake {
    let fake = FakeTodoist::start(config).await.expect("the fake starts");
    let http = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    TestFake { fake, http }
}

/// `name`'s value in the query of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

impl TestFake {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.url())
    }

    /// A data:read_write token for `account`, without the OAuth dance.
    pub fn token(&self, account: &str) -> String {
        self.fake
            .issue_token(account, &["data:read_write"])
            .access_token
    }

    /// The authorize query with PKCE for `VERIFIER`, plus `extra`.
    pub fn authorize_params(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let challenge = pkce_s256(VERIFIER);
        let mut params: Vec<(String, String)> = [
            ("client_id", "onetip"),
            ("scope", "data:read_write"),
            ("state", "st-123"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in extra {
            params.retain(|(name, _)| name != k);
            params.push(((*k).to_owned(), (*v).to_owned()));
        }
        params
    }

    /// Posts the consent form; the redirect answer.
    pub async fn decide(&self, params: &[(String, String)], decision: &str) -> Response {
        let mut form = params.to_vec();
        form.push(("decision".to_owned(), decision.to_owned()));
        form.push(("account".to_owned(), "alice".to_owned()));
        self.http
            .post(self.url("/oauth/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Approves the default authorize request: the code.
    pub async fn code(&self) -> String {
        let response = self.decide(&self.authorize_params(&[]), "approve").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        query_param(&location(&response), "code").expect("a code")
    }

    pub async fn post_token_form(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/oauth/access_token"))
            .form(form)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// Exchanges `code` the way our client does (form, PKCE).
    pub async fn exchange(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.post_token_form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "onetip"),
            ("client_secret", "s3cret"),
            ("code_verifier", verifier),
        ])
        .await
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: &str, request_id: Option<&str>) -> Response {
        let mut request = self.http.post(self.url(path)).bearer_auth(token);
        if let Some(id) = request_id {
            request = request.header("X-Request-Id", id);
        }
        request.send().await.unwrap()
    }

    /// Every page of `/api/v1/tasks` at `limit`: the tasks and the page count.
    pub async fn list_all(&self, token: &str, limit: Option<usize>) -> (Vec<Task>, usize) {
        let mut tasks = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut query: Vec<(&str, String)> = Vec::new();
            if let Some(limit) = limit {
                query.push(("limit", limit.to_string()));
            }
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let response = self
                .http
                .get(self.url("/api/v1/tasks"))
                .bearer_auth(token)
                .query(&query)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let page: todoist_fake::Page = response.json().await.unwrap();
            pages += 1;
            tasks.extend(page.results);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return (tasks, pages),
            }
            assert!(pages < 1000, "pagination does not end");
        }
    }
}

/// The exact error body of the contract.
pub fn error_body(error: &str, code: i64, tag: &str, extra: Value, http: u16) -> Value {
    serde_json::json!({
        "error": error,
        "error_code": code,
        "error_extra": extra,
        "error_tag": tag,
        "http_code": http,
    })
}

/// `2014-09-26T08:25:05.000000Z`
pub fn is_timestamp(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 27 && &s[10..11] == "T" && &s[19..20] == "." && s.ends_with('Z')
    })
}

/// Today's UTC date, `YYYY-MM-DD`.
pub fn today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = (now / 86_400) as i64;
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
