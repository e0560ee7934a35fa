//! The service's own database out of reach: a clear 503 with `Retry-After`
//! and a JSON body, never a 500 (security.md, faults the system survives).

use serde_json::Value;

use crate::app::spawn_with_fake;
use crate::helpers::*;
use integrations::connector::CachePolicy;

#[tokio::test]
async fn a_database_out_of_reach_is_a_503_with_retry_after_not_a_500() {
    let app = spawn_with_fake(CachePolicy::new(std::time::Duration::from_secs(30))).await;
    let u = user();
    app.connect_fake(&u, "alice").await;
    let before = app.get(&u, "/api/connectors").send().await.unwrap();
    assert_eq!(before.status(), 200, "the database is still there");

    // Every later query fails as it does when the server is gone
    // (`PoolClosed`, one of the errors `platform::db::is_unreachable` names).
    app.db.store.pool().close().await;

    let response = app.get(&u, "/api/connectors").send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["retry-after"],
        "5",
        "the caller is told when to try again"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unavailable", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("database"), "{message}");
    assert!(
        !message.contains("sqlite") && !message.contains("postgres"),
        "no connection detail reaches the caller: {message}"
    );
}
