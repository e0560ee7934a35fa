//! The fleet's health: every service's `/ready` and every configured
//! dependency, checked at once, each under a short timeout.
//!
//! `/health` is public, so it cannot be a lever against what it checks: the
//! report is computed at most once every [`CACHE_FOR`] and shared (callers
//! arriving while a check runs wait for that one), and a failing check's
//! raw error text goes to the log, never into the document.
//!
//! A service whose `/ready` carries an outbox backlog (integrations: the
//! events it has written and not yet handed to the bus) has it on its
//! component as `outbox`, up or down, so an operator sees events piling up
//! before the outbox check turns red.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use futures::future::BoxFuture;
use platform::health::{HttpProbe, NatsProbe, Probe, ProbeContext, SmtpProbe};
use shared_types::{HealthReport, Status};
use sqlx::{Connection, PgConnection};
use time::format_description::well_known::Rfc3339;

use crate::Settings;
use crate::app::AppState;
use crate::revocation::Revocations;

/// How long one computed report is served to every caller.
pub const CACHE_FOR: Duration = Duration::from_secs(2);

/// The last report and when it was computed; the lock is held while a
/// check runs, so concurrent callers share it.
pub type HealthCache = Arc<tokio::sync::Mutex<Option<(Instant, StatusCode, HealthReport)>>>;

/// The gateway's own component: is its revoked-session list fresh?
pub fn revocation_check(revocations: &Revocations) -> shared_types::Check {
    let stale = revocations.staleness();
    shared_types::Check {
        name: "gateway".into(),
        status: if stale.is_some() {
            Status::Down
        } else {
            Status::Ok
        },
        latency_ms: 0,
        detail: stale,
        outbox: None,
    }
}

/// Longer than a service's own probe timeout, so a slow dependency shows
/// up as that service's failing check rather than as a gateway timeout.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Every component the gateway reports on, in a stable order.
pub fn probes(settings: &Settings) -> Vec<Arc<dyn Probe>> {
    // The probe timeout ends a slow check; the client's own is only a backstop.
    let client = platform::client::http_client(CHECK_TIMEOUT + Duration::from_secs(1));
    let up = &settings.upstreams;
    let mut probes: Vec<Arc<dyn Probe>> = [
        ("auth", &up.auth),
        ("profile", &up.profile),
        ("integrations", &up.integrations),
        ("recommender", &up.recommender),
        ("web", &up.web),
    ]
    .into_iter()
    .map(|(name, base)| {
        Arc::new(HttpProbe::new(
            name,
            format!("{base}/ready"),
            client.clone(),
        )) as Arc<dyn Probe>
    })
    .collect();
    let deps = &settings.dependencies;
    if let Some(url) = &deps.postgres {
        probes.push(Arc::new(PostgresProbe { url: url.clone() }));
    }
    if let Some(url) = &deps.nats {
        probes.push(Arc::new(NatsProbe::new(url.clone())));
    }
    if let Some(endpoint) = &deps.s3_endpoint {
        let url = format!("{}/minio/health/live", endpoint.trim_end_matches('/'));
        probes.push(Arc::new(HttpProbe::new("minio", url, client.clone())));
    }
    if let Some(url) = &deps.smtp_url {
        probes.push(Arc::new(SmtpProbe::new(url.clone())));
    }
    probes
}

/// The PostgreSQL server itself: a fresh connection and `SELECT 1`.
struct PostgresProbe {
    url: String,
}

impl Probe for PostgresProbe {
    fn name(&self) -> &str {
        "postgres"
    }
    fn check(&self, _: &ProbeContext) -> BoxFuture<'static, Result<(), String>> {
        let url = self.url.clone();
        Box::pin(async move {
            let mut conn = PgConnection::connect(&url)
                .await
                .map_err(|e| format!("connect: {}", platform::db::describe(&e)))?;
            sqlx::query_scalar::<_, i32>("SELECT 1")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| platform::db::describe(&e))?;
            let _ = conn.close().await;
            Ok(())
        })
    }
}

/// The fleet's health: 200 when every component is ok, 503 otherwise.
#[utoipa::path(get, path = "/health", tag = "health",
    responses(
        (status = 200, description = "Every component is ok", body = HealthReport),
        (status = 503, description = "At least one component is down", body = HealthReport)))]
pub async fn health(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> (StatusCode, Json<HealthReport>) {
    let mut cache = state.health_cache.lock().await;
    if let Some((at, code, report)) = cache.as_ref()
        && at.elapsed() < CACHE_FOR
    {
        return (*code, Json(report.clone()));
    }
    let ctx = ProbeContext {
        request_id: headers.get(platform::http::REQUEST_ID).cloned(),
    };
    let (code, report) = check(&state, &ctx).await;
    *cache = Some((Instant::now(), code, report.clone()));
    (code, Json(report))
}

async fn check(state: &AppState, ctx: &ProbeContext) -> (StatusCode, HealthReport) {
    let checked_at = time::OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default();
    let mut components = platform::health::run_all(&state.probes, ctx, CHECK_TIMEOUT).await;
    for c in &mut components {
        if let Some(detail) = c.detail.take() {
            tracing::warn!(component = %c.name, detail = %detail, "health check failed");
            c.detail = Some(platform::health::public_detail(&detail));
        }
    }
    state
        .edge
        .revocations
        .refresh_if_stale(Duration::from_secs(1))
        .await;
    components.insert(0, revocation_check(&state.edge.revocations));
    let all_ok = components.iter().all(|c| c.status.is_ok());
    let (code, status) = if all_ok {
        (StatusCode::OK, Status::Ok)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Status::Degraded)
    };
    (
        code,
        HealthReport {
            status,
            checked_at,
            components,
        },
    )
}
