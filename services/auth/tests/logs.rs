//! Every log line of a full sign-in, refresh and sign-out, captured at
//! debug level: none carries a code, token, cookie value or secret.

#[path = "api/helpers.rs"]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

use helpers::*;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_log_line_of_a_sign_in_carries_a_code_token_cookie_or_secret() {
    let captured = Captured::default();
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("debug"))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(captured.clone()),
        )
        .init();

    let app = spawn_app().await;
    let flow = app.start_flow(Some("/after")).await;
    let verifier: String =
        sqlx::query_scalar("SELECT pkce_verifier FROM sign_in_attempts WHERE state = $1")
            .bind(&flow.state)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let id_token = sign_rs256(&app.google().claims(&flow.nonce), Some(GOOGLE_KID));
    let code = "4/0AeanS0-secret-authorization-code";
    app.google().grant(code, &flow.challenge, id_token.clone());
    let r = app
        .callback(Some(code), Some(&flow.state), Some(&flow.state))
        .await;
    assert_eq!(r.status(), 303);
    let s = signed(&r);
    let refreshed = app.refresh(&s.rt).await;
    assert_eq!(refreshed.status(), 204);
    let rt2 = set_cookies(&refreshed)["onetip_rt"].clone();
    let at2 = set_cookies(&refreshed)["onetip_at"].clone();
    // A refused sign-in and a replay log their reasons, not their inputs.
    let bad = app
        .callback(
            Some("4/another-secret-code"),
            Some(&flow.state),
            Some(&flow.state),
        )
        .await;
    assert_eq!(bad.status(), 400);
    app.client
        .post(format!("{}/auth/logout", app.base))
        .header("cookie", format!("onetip_at={at2}; onetip_rt={rt2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(app.refresh(&s.rt).await.status(), 401);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("session started"),
        "the capture works: {logs}"
    );
    for (what, secret) in [
        ("code", code),
        ("other code", "4/another-secret-code"),
        ("state", flow.state.as_str()),
        ("nonce", flow.nonce.as_str()),
        ("PKCE verifier", verifier.as_str()),
        ("ID token", id_token.as_str()),
        ("Google access token", "ya29.fake-google-access-token"),
        ("access token", s.at.as_str()),
        ("refresh token", s.rt.as_str()),
        ("rotated access token", at2.as_str()),
        ("rotated refresh token", rt2.as_str()),
        ("client secret", CLIENT_SECRET),
        ("internal token", INTERNAL_TOKEN),
    ] {
        assert!(!logs.contains(secret), "the logs carry the {what}");
    }
}
