//! Liveness (`/health`) and readiness (`/ready`) for every service, and the
//! probes the gateway's fleet-wide health uses.
//!
//! Liveness says the process answers. Readiness runs every probe the service
//! depends on (its database, NATS when events go there) concurrently, each
//! under a short timeout, and answers 503 naming the failing check.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use futures::future::{BoxFuture, join_all};
use http::HeaderValue;
use shared_types::health::OutboxBacklog;
use shared_types::{Check, Liveness, Readiness, Status};
use sqlx::AnyPool;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use utoipa_axum::{router::OpenApiRouter, routes};

/// How long one probe may take before it counts as down.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What a probe may need from the request that asked for it.
#[derive(Debug, Clone, Default)]
pub struct ProbeContext {
    /// Passed on to downstream HTTP probes so one id follows the check.
    pub request_id: Option<HeaderValue>,
}

/// What one look at a probe found: up or down (and why), and what it saw
/// that an operator wants either way (an outbox's backlog).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub outcome: Result<(), String>,
    pub outbox: Option<OutboxBacklog>,
}

impl From<Result<(), String>> for Observation {
    fn from(outcome: Result<(), String>) -> Self {
        Self {
            outcome,
            outbox: None,
        }
    }
}

/// One thing that can be up or down.
pub trait Probe: Send + Sync + 'static {
    fn name(&self) -> &str;
    /// `Err` says, in a line fit for an operator, why it is down.
    fn check(&self, ctx: &ProbeContext) -> BoxFuture<'static, Result<(), String>>;
    /// [`Probe::check`] with what else it saw; probes that see more (the
    /// outbox's, a service's `/ready` that carries one) override it.
    fn observe(&self, ctx: &ProbeContext) -> BoxFuture<'static, Observation> {
        let check = self.check(ctx);
        Box::pin(async move { Observation::from(check.await) })
    }
}

/// Runs one probe under `timeout`, timing it.
pub async fn run_probe(probe: &dyn Probe, ctx: &ProbeContext, timeout: Duration) -> Check {
    let started = Instant::now();
    let seen = tokio::time::timeout(timeout, probe.observe(ctx)).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let (status, detail, outbox) = match seen {
        Ok(Observation {
            outcome: Ok(()),
            outbox,
        }) => (Status::Ok, None, outbox),
        Ok(Observation {
            outcome: Err(why),
            outbox,
        }) => (Status::Down, Some(why), outbox),
        Err(_) => (
            Status::Down,
            Some(format!("no answer within {} ms", timeout.as_millis())),
            None,
        ),
    };
    Check {
        name: probe.name().to_owned(),
        status,
        latency_ms,
        detail,
        outbox,
    }
}

/// Runs every probe concurrently; the result keeps the probes' order.
pub async fn run_all(
    probes: &[Arc<dyn Probe>],
    ctx: &ProbeContext,
    timeout: Duration,
) -> Vec<Check> {
    join_all(probes.iter().map(|p| run_probe(p.as_ref(), ctx, timeout))).await
}

/// A failing check's detail cut down to what a public page may show: the
/// failing check's name and a short reason of our own words ("connection
/// refused", "no answer within 2000 ms"), never a foreign error's text
/// (which can name users, hosts or schemas). The full text goes to the log.
pub fn public_detail(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    let reason = if let Some(at) = lower.find("no answer within ") {
        let tail = &lower[at..];
        let end = tail.find(" ms").map_or(tail.len(), |i| i + 3);
        tail[..end].to_owned()
    } else if lower.contains("connection refused") {
        "connection refused".to_owned()
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "timed out".to_owned()
    } else if let Some(status) = lower
        .find("answered ")
        .map(|at| &lower[at + 9..])
        .and_then(|t| t.get(..3))
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit()))
    {
        format!("answered {status}")
    } else {
        "unavailable".to_owned()
    };
    // `database: query failed: …` names its check first: keep that name.
    match detail.split_once(": ") {
        Some((name, _))
            if (1..=32).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-') =>
        {
            format!("{name}: {reason}")
        }
        _ => reason,
    }
}

/// True when `e` (anywhere in its chain) says the database cannot be
/// reached right now, rather than that a query is wrong: a connection
/// refused or reset, no connection free in time, the server shutting down
/// or not accepting connections (SQLSTATE class 08, 57P01-57P03). Services
/// answer those 503: the request may work again shortly.
pub fn is_database_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .is_some_and(crate::db::is_unreachable)
    })
}

/// A real query on a service's own database.
pub struct DatabaseProbe {
    pool: AnyPool,
}

impl DatabaseProbe {
    pub fn new(pool: AnyPool) -> Self {
        Self { pool }
    }
}

impl Probe for DatabaseProbe {
    fn name(&self) -> &str {
        "database"
    }
    fn check(&self, _: &ProbeContext) -> BoxFuture<'static, Result<(), String>> {
        let pool = self.pool.clone();
        Box::pin(async move {
            sqlx::query_scalar::<_, i32>("SELECT 1")
                .fetch_one(&pool)
                .await
                .map(|_| ())
                .map_err(|e| format!("query failed: {}", crate::db::describe(&e)))
        })
    }
}

/// A NATS server answering PING with PONG.
pub struct NatsProbe {
    url: String,
}

impl NatsProbe {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into() }
    }
}

impl Probe for NatsProbe {
    fn name(&self) -> &str {
        "nats"
    }
    fn check(&self, _: &ProbeContext) -> BoxFuture<'static, Result<(), String>> {
        let addr = host_port(&self.url, 4222);
        Box::pin(async move { nats_ping(&addr).await })
    }
}

async fn nats_ping(addr: &str) -> Result<(), String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let first = lines.next_line().await.map_err(|e| e.to_string())?;
    if !first.is_some_and(|l| l.starts_with("INFO")) {
        return Err("not a NATS server (no INFO greeting)".into());
    }
    write
        .write_all(b"CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n")
        .await
        .map_err(|e| e.to_string())?;
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        if line.starts_with("PONG") {
            return Ok(());
        }
        if line.starts_with("-ERR") {
            return Err(line);
        }
    }
    Err("connection closed before PONG".into())
}

/// An SMTP server greeting with 220.
pub struct SmtpProbe {
    url: String,
}

impl SmtpProbe {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into() }
    }
}

impl Probe for SmtpProbe {
    fn name(&self) -> &str {
        "smtp"
    }
    fn check(&self, _: &ProbeContext) -> BoxFuture<'static, Result<(), String>> {
        let addr = host_port(&self.url, 25);
        Box::pin(async move {
            let stream = TcpStream::connect(&addr)
                .await
                .map_err(|e| format!("connect: {e}"))?;
            let (read, mut write) = stream.into_split();
            let greeting = BufReader::new(read)
                .lines()
                .next_line()
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let _ = write.write_all(b"QUIT\r\n").await;
            if greeting.starts_with("220") {
                Ok(())
            } else {
                Err("no 220 greeting".into())
            }
        })
    }
}

/// An HTTP endpoint answering 2xx (a service's `/ready`, MinIO's health).
pub struct HttpProbe {
    name: String,
    url: String,
    client: reqwest::Client,
}

impl HttpProbe {
    pub fn new(name: impl Into<String>, url: impl Into<String>, client: reqwest::Client) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            client,
        }
    }
}

impl Probe for HttpProbe {
    fn name(&self) -> &str {
        &self.name
    }
    fn check(&self, ctx: &ProbeContext) -> BoxFuture<'static, Result<(), String>> {
        let seen = self.observe(ctx);
        Box::pin(async move { seen.await.outcome })
    }

    fn observe(&self, ctx: &ProbeContext) -> BoxFuture<'static, Observation> {
        let mut request = self.client.get(&self.url);
        if let Some(id) = &ctx.request_id {
            request = request.header(crate::http::REQUEST_ID, id.clone());
        }
        Box::pin(async move {
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => return Err(format!("unreachable: {}", without_url(&e))).into(),
            };
            let status = response.status();
            // A service's /ready names its failing check, and carries its
            // outbox's backlog: pass both on.
            let readiness = response.json::<Readiness>().await.ok();
            let outbox = readiness
                .as_ref()
                .and_then(|r| r.checks.iter().find_map(|c| c.outbox));
            let outcome = if status.is_success() {
                Ok(())
            } else {
                Err(readiness
                    .and_then(|r| {
                        r.checks
                            .into_iter()
                            .find(|c| !c.status.is_ok())
                            .map(|c| format!("{}: {}", c.name, c.detail.unwrap_or_default()))
                    })
                    .unwrap_or_else(|| format!("answered {status}")))
            };
            Observation { outcome, outbox }
        })
    }
}

/// A reqwest error without the URL (which may carry credentials).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection refused"
    } else {
        "request failed"
    };
    kind.to_owned()
}

/// `host:port` from `scheme://[user@]host[:port][/…]`.
pub fn host_port(url: &str, default_port: u16) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        host.to_owned()
    } else {
        format!("{host}:{default_port}")
    }
}

#[derive(Clone)]
struct HealthState {
    service: &'static str,
    probes: Arc<[Arc<dyn Probe>]>,
}

/// `/health` and `/ready` for `service`, readiness made of `probes`.
pub fn routes<S>(service: &'static str, probes: Vec<Arc<dyn Probe>>) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .with_state(HealthState {
            service,
            probes: probes.into(),
        })
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "The process is alive", body = Liveness)))]
async fn health(State(state): State<HealthState>) -> Json<Liveness> {
    Json(Liveness {
        status: "ok".into(),
        service: state.service.into(),
        version: crate::VERSION.into(),
    })
}

/// Readiness: every dependency answers.
#[utoipa::path(get, path = "/ready", tag = "health",
    responses(
        (status = 200, description = "Every dependency answers", body = Readiness),
        (status = 503, description = "A dependency is down; the failing check says why", body = Readiness)))]
async fn ready(
    State(state): State<HealthState>,
    headers: http::HeaderMap,
) -> (StatusCode, Json<Readiness>) {
    let ctx = ProbeContext {
        request_id: headers.get(crate::http::REQUEST_ID).cloned(),
    };
    let checks = run_all(&state.probes, &ctx, PROBE_TIMEOUT).await;
    let all_ok = checks.iter().all(|c| c.status.is_ok());
    for check in checks.iter().filter(|c| !c.status.is_ok()) {
        tracing::warn!(check = %check.name, detail = ?check.detail, "readiness check failed");
    }
    let status = if all_ok { Status::Ok } else { Status::Down };
    let code = if all_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(Readiness {
            status,
            service: state.service.into(),
            checks,
        }),
    )
}

/// The readiness probes of a service that owns `db`: the database, and NATS
/// when events travel over it.
pub fn service_probes(
    common: &crate::config::CommonSettings,
    db: Option<AnyPool>,
) -> Vec<Arc<dyn Probe>> {
    let mut probes: Vec<Arc<dyn Probe>> = Vec::new();
    if let Some(db) = db {
        probes.push(Arc::new(DatabaseProbe::new(db)));
    }
    if common.event_bus == crate::config::EventBus::Nats {
        probes.push(Arc::new(NatsProbe::new(common.nats_url.clone())));
    }
    probes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_reads_urls_with_and_without_ports_and_credentials() {
        assert_eq!(host_port("nats://127.0.0.1:4222", 4222), "127.0.0.1:4222");
        assert_eq!(host_port("nats://nats", 4222), "nats:4222");
        assert_eq!(host_port("smtp://user:pw@mail:1025/x", 25), "mail:1025");
    }

    struct Slow;
    impl Probe for Slow {
        fn name(&self) -> &str {
            "slow"
        }
        fn check(&self, _: &ProbeContext) -> BoxFuture<'static, Result<(), String>> {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            })
        }
    }

    #[test]
    fn public_details_keep_the_reason_and_drop_foreign_error_text() {
        let raw = "database: query failed: error returned from database: \
                   password authentication failed for user \"onetip_auth\"";
        assert_eq!(public_detail(raw), "database: unavailable");
        assert_eq!(
            public_detail("database: query failed: pool timed out while waiting"),
            "database: timed out"
        );
        assert_eq!(
            public_detail("connect: Connection refused (os error 111)"),
            "connect: connection refused"
        );
        assert_eq!(
            public_detail("no answer within 2000 ms"),
            "no answer within 2000 ms"
        );
        assert_eq!(
            public_detail("answered 503 Service Unavailable"),
            "answered 503"
        );
        assert_eq!(
            public_detail("Secret Host db.internal:5432 said no"),
            "unavailable"
        );
    }

    #[test]
    fn an_unreachable_database_is_told_from_a_bad_query() {
        use anyhow::Context;
        let refused: anyhow::Error = Err::<(), _>(sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )))
        .context("reading a session")
        .unwrap_err();
        assert!(is_database_unavailable(&refused));
        let timed_out = anyhow::Error::from(sqlx::Error::PoolTimedOut).context("x");
        assert!(is_database_unavailable(&timed_out));
        let wrong = anyhow::Error::from(sqlx::Error::RowNotFound);
        assert!(!is_database_unavailable(&wrong));
        assert!(!is_database_unavailable(&anyhow::anyhow!("a bug")));
    }

    #[tokio::test]
    async fn a_probe_that_hangs_is_down_after_the_timeout() {
        let check = run_probe(&Slow, &ProbeContext::default(), Duration::from_millis(50)).await;
        assert_eq!(check.status, Status::Down);
        assert!(check.detail.unwrap().contains("50 ms"));
    }

    #[tokio::test]
    async fn a_closed_port_makes_the_nats_probe_down() {
        let port = crate::testing::free_port();
        let probe = NatsProbe::new(format!("nats://127.0.0.1:{port}"));
        let check = run_probe(&probe, &ProbeContext::default(), PROBE_TIMEOUT).await;
        assert_eq!(check.status, Status::Down);
    }
}
