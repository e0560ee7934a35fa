//! The logs of a whole connect flow, captured by the process's one global
//! subscriber (its own test binary, so no other test can race it), hold
//! no token and no secret.

#[allow(dead_code)]
#[path = "api/app.rs"]
mod app;
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::sync::{Arc, Mutex};

use helpers::*;

/// Collects every log line written while it is the default subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_logs_of_a_whole_flow_hold_no_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,wiremock=off"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber (run this test without TEST_LOG)");

    let app = app::spawn_app().await;
    app.serve_oauth_and_tasks().await;
    let u = user();
    let state = app.connect(&u).await;
    app.callback(Some(&u), &format!("code=good-code&state={state}"))
        .await;
    app.get(&u, "/api/integrations/tasks").send().await.unwrap();
    app.http
        .delete(format!("{}/api/connectors/todoist", app.base))
        .bearer_auth(app.token(&u))
        .send()
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("Todoist connected"), "nothing was captured");
    for secret in [
        "tok-ACCESS-7f3a9c",
        "tok-REFRESH-b81d2e",
        CLIENT_SECRET,
        "good-code",
        app.token(&u).split('.').nth(2).unwrap(),
    ] {
        assert!(!logs.contains(secret), "a secret is in the logs: {secret}");
    }
}
