//! `spawn_app()`: web on 127.0.0.1:0, its gateway pointed where a test says.

use platform::Env;
use platform::testing::{TestServer, free_port};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    // Stops the server when the test ends.
    _server: TestServer,
}

/// A page's status code, headers and body.
pub struct Page {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.address)))
            .await
    }

    /// A page as the gateway forwards it for a signed-in user: with
    /// `Authorization: Bearer <token>`.
    pub async fn get_as(&self, path: &str, token: &str) -> Page {
        self.send(
            self.client
                .get(format!("{}{path}", self.address))
                .bearer_auth(token),
        )
        .await
    }

    /// A form post as the gateway forwards it: with the Bearer token when
    /// `token` is given, and the form's fields.
    pub async fn post_form(
        &self,
        path: &str,
        token: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .form(fields);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    /// The CSRF token web puts in the forms it shows to `token`'s session
    /// (read off a page, as a browser would have it).
    pub async fn csrf_for(&self, token: &str) -> String {
        csrf_of(&self.get_as("/missing", token).await.body)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("web answers");
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("a text body"),
        }
    }
}

/// The CSRF key of the test web (base64 of 32 bytes).
pub const TEST_CSRF_KEY: &str = "dGVzdC1jc3JmLWtleS1vZi1vbmV0aXAtd2ViLWFwcCE";

/// An access token as the gateway forwards it: JWT-shaped, for the user
/// of [`profile`], in session `session-1` (web reads the `sid`; the
/// signature is the gateway's and the services' business).
pub const TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.\
    eyJzdWIiOiIwMTkxZjZiOC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDEiLCJzaWQiOiJzZXNzaW9uLTEifQ.sig";
/// The same user in another session (`session-2`).
pub const OTHER_SESSION_TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.\
    eyJzdWIiOiIwMTkxZjZiOC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDEiLCJzaWQiOiJzZXNzaW9uLTIifQ.sig";

/// The CSRF token of the first form in `html`.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf field in:\n{html}"))
        + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

/// Web, asking the gateway at `gateway_url`.
pub async fn spawn_app(gateway_url: &str) -> TestApp {
    spawn_app_with(gateway_url, &[]).await
}

/// Web with more environment (`GOOGLE_CLIENT_ID`, `APP_ENV`…).
pub async fn spawn_app_with(gateway_url: &str, more: &[(&str, &str)]) -> TestApp {
    platform::testing::init_tracing();
    let env = Env::from_pairs([
        ("WEB_ADDR", "127.0.0.1:0"),
        ("GATEWAY_URL", gateway_url),
        ("WEB_CSRF_KEY", TEST_CSRF_KEY),
    ])
    .with(more.iter().copied());
    let settings = web::Settings::from_env(&env).expect("test settings");
    let server = TestServer::serve(web::build(settings).await.expect("web binds"));
    TestApp {
        address: server.url().to_owned(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _server: server,
    }
}

/// A fake gateway whose `/health` answers `status` with `body`.
pub async fn gateway_answering(status: u16, body: Value) -> MockServer {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&gateway)
        .await;
    gateway
}

/// A profile, as profile's `GET /api/me` writes it.
pub fn profile(email: &str, name: Option<&str>) -> Value {
    json!({
        "id": "0191f6b8-0000-7000-8000-000000000001",
        "email": email,
        "name": name,
        "picture": null,
        "time_zone": "UTC",
        "created_at": "2025-06-01T12:00:00Z",
        "updated_at": "2025-06-01T12:00:00Z",
    })
}

/// A fake gateway whose `/api/me` answers `status` with `body` to the
/// request carrying `Authorization: Bearer <token>`, and 401 otherwise.
pub async fn gateway_with_me(token: &str, status: u16, body: Value) -> MockServer {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .with_priority(1)
        .mount(&gateway)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/me"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "unauthorized"})))
        .with_priority(2)
        .mount(&gateway)
        .await;
    gateway
}

/// The `/api/me` calls the fake gateway received.
pub async fn me_calls(gateway: &MockServer) -> Vec<wiremock::Request> {
    gateway
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == "/api/me")
        .collect()
}

/// A gateway report, as the gateway's `/health` writes it.
pub fn report(status: &str, components: Value) -> Value {
    json!({
        "status": status,
        "checked_at": "2025-06-01T12:34:56.789Z",
        "components": components,
    })
}

/// An address where nothing listens.
pub fn closed_port_url() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

/// The opening tag of the element carrying `attr`, e.g. `data-component="auth"`.
pub fn tag_with<'a>(html: &'a str, attr: &str) -> &'a str {
    let at = html
        .find(attr)
        .unwrap_or_else(|| panic!("no element with {attr} in:\n{html}"));
    let start = html[..at].rfind('<').expect("an opening tag");
    let end = at + html[at..].find('>').expect("a closed tag");
    &html[start..=end]
}

/// The whole `<li …>…</li>` of the row for component `name`.
pub fn row<'a>(html: &'a str, name: &str) -> &'a str {
    let tag = tag_with(html, &format!("data-component=\"{name}\""));
    let start = html.find(tag).unwrap();
    let end = start + html[start..].find("</li>").expect("a closed row");
    &html[start..end]
}
