//! `spawn_app()`: web on 127.0.0.1:0, its gateway pointed where a test says.

use platform::{Env, Shutdown};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    // Stops the server when the test ends.
    _shutdown: StopOnDrop,
}

struct StopOnDrop(Shutdown);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.trigger();
    }
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

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("web answers");
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("a text body"),
        }
    }
}

/// Web, asking the gateway at `gateway_url`.
pub async fn spawn_app(gateway_url: &str) -> TestApp {
    platform::testing::init_tracing();
    let env = Env::from_pairs([("WEB_ADDR", "127.0.0.1:0"), ("GATEWAY_URL", gateway_url)]);
    let settings = web::Settings::from_env(&env).expect("test settings");
    let server = web::build(settings).await.expect("web binds");
    let address = format!("http://{}", server.local_addr());
    let shutdown = Shutdown::new();
    tokio::spawn(server.serve(shutdown.clone()));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _shutdown: StopOnDrop(shutdown),
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
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
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
