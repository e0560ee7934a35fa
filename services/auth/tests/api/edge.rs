//! What the gateway relies on at the edge (issue 9): the revoked list paged
//! without loss, one session's state for a gateway whose list is stale, and
//! a refresh that hands the access token only to internal callers.

use serde_json::Value;

use crate::helpers::*;

async fn page(app: &TestApp, since: i64, after: &str, limit: usize) -> Value {
    app.client
        .get(format!("{}/internal/sessions/revoked", app.base))
        .query(&[
            ("since", since.to_string()),
            ("after", after.to_owned()),
            ("limit", limit.to_string()),
        ])
        .bearer_auth(INTERNAL_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_revoked_list_pages_by_the_last_row_seen_and_skips_none() {
    let app = spawn_app().await;
    // Seven revocations, five of them in the same millisecond: a page
    // boundary falls inside the tie.
    let mut expected = Vec::new();
    for (i, at) in [1000, 1000, 1000, 1000, 1000, 2000, 3000]
        .iter()
        .enumerate()
    {
        let id = format!("s{i}");
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, revoked_at) \
             VALUES ($1, 'u', 0, 0, 9999999999999, $2)",
        )
        .bind(&id)
        .bind(*at as i64)
        .execute(&app.pool)
        .await
        .unwrap();
        expected.push(id);
    }
    let (mut since, mut after, mut seen, mut pages) = (0i64, String::new(), Vec::new(), 0);
    loop {
        let body = page(&app, since, &after, 2).await;
        let rows = body["revoked"].as_array().unwrap().clone();
        pages += 1;
        for r in &rows {
            since = r["revoked_at"].as_i64().unwrap();
            after = r["sid"].as_str().unwrap().to_owned();
            seen.push(after.clone());
        }
        if rows.len() < 2 {
            break;
        }
    }
    assert_eq!(seen, expected, "every row once, in (revoked_at, sid) order");
    assert_eq!(pages, 4, "7 rows in pages of 2: the last page is short");
    let all = page(&app, 0, "", 10_000).await;
    assert_eq!(all["revoked"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn one_session_state_is_live_until_sign_out_for_internal_callers_only() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let sid = peek(&s.at)["sid"].as_str().unwrap().to_owned();
    let state = |sid: String, token: Option<&'static str>| {
        let mut req = app
            .client
            .get(format!("{}/internal/sessions/{sid}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move { req.send().await.unwrap() }
    };
    assert_eq!(state(sid.clone(), None).await.status(), 401);
    assert_eq!(state(sid.clone(), Some("wrong")).await.status(), 401);
    let live: Value = state(sid.clone(), Some(INTERNAL_TOKEN))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(live["live"], true);
    let unknown: Value = state("nope".into(), Some(INTERNAL_TOKEN))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["live"], false, "an unknown session is not live");
    let r = app
        .client
        .post(format!("{}/auth/logout", app.base))
        .header("cookie", format!("onetip_rt={}", s.rt))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let after: Value = state(sid, Some(INTERNAL_TOKEN)).await.json().await.unwrap();
    assert_eq!(after["live"], false);
}

#[tokio::test]
async fn refresh_gives_a_browser_cookies_and_204_and_the_token_only_to_internal_callers() {
    let app = spawn_app().await;
    let s = app.sign_in().await;
    let browser = app.refresh(&s.rt).await;
    assert_eq!(browser.status(), 204);
    let cookies = set_cookies(&browser);
    assert!(cookies.contains_key("onetip_at") && cookies.contains_key("onetip_rt"));
    let body = browser.text().await.unwrap();
    assert!(body.is_empty(), "no token in a browser's body: {body}");
    let wrong = app
        .client
        .post(format!("{}/auth/refresh", app.base))
        .header("cookie", format!("onetip_rt={}", cookies["onetip_rt"]))
        .bearer_auth("not-the-internal-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 204, "a wrong internal token is a browser");
    let rt = set_cookies(&wrong)["onetip_rt"].clone();
    let internal = app
        .client
        .post(format!("{}/auth/refresh", app.base))
        .header("cookie", format!("onetip_rt={rt}"))
        .bearer_auth(INTERNAL_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(internal.status(), 200);
    let at = set_cookies(&internal)["onetip_at"].clone();
    let body: Value = internal.json().await.unwrap();
    assert_eq!(body["access_token"], at.as_str());
}
