//! A steady, bounded load of tip views for the fault tests: a few signed-in
//! clients, each at a fixed pace, alternating the page (`GET /`) and the
//! API (`POST /api/recommend`) through the gateway on 127.0.0.1, until told
//! to stop or until their request count or time runs out. Every answer is
//! kept, classified, with when it came and how long it took, so a test can
//! say what the user saw before, during and after a fault.

#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Session;

/// What one client asks, in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `GET /`, the tip page.
    Page,
    /// `POST /api/recommend`, what the page's API answers.
    Recommend,
}

/// One answer as the client saw it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub client: usize,
    pub view: View,
    /// When the request was sent, from the load's start.
    pub sent: Duration,
    pub took: Duration,
    /// `None`: no answer within the load's request bound (or no connection).
    pub status: Option<u16>,
    pub content_type: String,
    /// The page's `data-state`, the API's tip kind (`todo`, `advice`) or a
    /// JSON error's `error`; empty when the body says none of these.
    pub state: String,
    /// The recommendation's decision (API answers only).
    pub decision: Option<String>,
    /// The `X-Request-Id` it was sent with, to find it in the fleet's logs.
    pub request_id: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// A 503 whose body is a JSON error.
    pub fn json_503(&self) -> bool {
        self.status == Some(503)
            && self.content_type.starts_with("application/json")
            && !self.state.is_empty()
    }

    /// A tip the user can act on: the page's `tip` state, the API's task.
    pub fn shows_a_task(&self) -> bool {
        self.status == Some(200) && matches!(self.state.as_str(), "tip" | "todo")
    }
}

/// How the load runs; every loop is bounded by both counts.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Between two requests of one client.
    pub every: Duration,
    /// Requests per client at most.
    pub max_requests: usize,
    /// The load stops by itself after this.
    pub max_time: Duration,
    /// A request unanswered after this counts as a hang.
    pub request_bound: Duration,
}

/// A running load.
pub struct Load {
    started: Instant,
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<Answer>>>,
    clients: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    /// Starts one client per session.
    pub fn start(sessions: &[Arc<Session>], pace: Pace) -> Self {
        let started = Instant::now();
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let clients = sessions
            .iter()
            .enumerate()
            .map(|(client, session)| {
                let (session, stop, answers) = (session.clone(), stop.clone(), answers.clone());
                tokio::spawn(run_client(client, session, pace, started, stop, answers))
            })
            .collect();
        Self {
            started,
            stop,
            answers,
            clients,
        }
    }

    /// How long the load has run.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The answers so far, in the order they were sent.
    pub fn answers(&self) -> Vec<Answer> {
        let mut answers = self.answers.lock().unwrap().clone();
        answers.sort_by_key(|a| a.sent);
        answers
    }

    /// Stops every client after its request in flight; all their answers,
    /// in the order they were sent.
    pub async fn stop(mut self) -> Vec<Answer> {
        self.stop.store(true, Ordering::SeqCst);
        for client in self.clients.drain(..) {
            client.await.expect("a load client panicked");
        }
        self.answers()
    }
}

async fn run_client(
    client: usize,
    session: Arc<Session>,
    pace: Pace,
    started: Instant,
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<Answer>>>,
) {
    let mut ticks = tokio::time::interval(pace.every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for n in 0..pace.max_requests {
        ticks.tick().await;
        if stop.load(Ordering::SeqCst) || started.elapsed() > pace.max_time {
            break;
        }
        let view = if n % 2 == 0 {
            View::Page
        } else {
            View::Recommend
        };
        let answer = ask(client, &session, view, pace.request_bound, started).await;
        answers.lock().unwrap().push(answer);
    }
}

async fn ask(
    client: usize,
    session: &Session,
    view: View,
    bound: Duration,
    started: Instant,
) -> Answer {
    let request_id = uuid::Uuid::new_v4().to_string();
    let request = match view {
        View::Page => session.get("/"),
        View::Recommend => session
            .post("/api/recommend")
            .json(&serde_json::json!({ "user_id": session.id })),
    }
    .header("x-request-id", &request_id);
    let sent = started.elapsed();
    let at = Instant::now();
    let mut answer = Answer {
        client,
        view,
        sent,
        took: Duration::ZERO,
        status: None,
        content_type: String::new(),
        state: String::new(),
        decision: None,
        request_id,
    };
    let outcome = tokio::time::timeout(bound, async {
        let response = request.timeout(bound).send().await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.text().await?;
        Ok::<_, reqwest::Error>((status, content_type, body))
    })
    .await;
    answer.took = at.elapsed();
    if let Ok(Ok((status, content_type, body))) = outcome {
        answer.status = Some(status);
        if content_type.starts_with("application/json") {
            let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            answer.state = json["error"]
                .as_str()
                .or(json["tip"]["kind"].as_str())
                .unwrap_or_default()
                .to_owned();
            answer.decision = json["decision_id"].as_str().map(str::to_owned);
        } else if content_type.starts_with("text/html") {
            answer.state = page_state(&body).unwrap_or_default().to_owned();
        }
        answer.content_type = content_type;
    }
    answer
}

/// The tip page's `data-state` (`tip`, `degraded`, `unavailable`…): its
/// stage's, not the account corner's.
pub fn page_state(html: &str) -> Option<&str> {
    let (_, stage) = html.split_once("id=\"stage\"")?;
    let (_, rest) = stage.split_once("data-state=\"")?;
    rest.split('"').next()
}

/// The answers sent within `from..to` of the load's start.
pub fn between(answers: &[Answer], from: Duration, to: Duration) -> Vec<&Answer> {
    answers
        .iter()
        .filter(|a| a.sent >= from && a.sent < to)
        .collect()
}

/// A line of counts for the test's output: answers, by status and state.
pub fn summary(answers: &[&Answer]) -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for a in answers {
        let status = a.status.map_or("none".to_owned(), |s| s.to_string());
        *counts.entry(format!("{status} {}", a.state)).or_default() += 1;
    }
    let max = answers.iter().map(|a| a.took).max().unwrap_or_default();
    format!("{} answers, slowest {max:?}: {counts:?}", answers.len())
}
