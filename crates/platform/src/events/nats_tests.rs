//! Against the shared NATS on 127.0.0.1:4222, each test on a stream of its
//! own.

use std::collections::HashMap;
use std::sync::Mutex;

use super::*;
use crate::events::testing::{SHARED_NATS, delete_streams, unique_settings};

fn event(kind: &str) -> NormalizedEvent {
    NormalizedEvent {
        id: uuid::Uuid::now_v7(),
        user_id: uuid::Uuid::new_v4(),
        source: "todoist".into(),
        kind: kind.into(),
        subject_id: "todoist:1".into(),
        occurred_at: "2026-12-01T10:00:00Z".into(),
        trace_id: Some("req-nats".into()),
        payload: serde_json::json!({}),
    }
}

/// Counts deliveries per event id; fails every time for the ids in `fail`.
#[derive(Default)]
struct Recorder {
    seen: Mutex<HashMap<uuid::Uuid, u32>>,
    fail: Mutex<Vec<uuid::Uuid>>,
}

impl Recorder {
    fn count(&self, id: uuid::Uuid) -> u32 {
        self.seen.lock().unwrap().get(&id).copied().unwrap_or(0)
    }
}

#[async_trait::async_trait]
impl EventHandler for Recorder {
    async fn handle(&self, event: NormalizedEvent) -> Result<(), HandleError> {
        *self.seen.lock().unwrap().entry(event.id).or_default() += 1;
        if self.fail.lock().unwrap().contains(&event.id) {
            return Err(HandleError::Retry("fails every time".into()));
        }
        Ok(())
    }
}

async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Every message of the dead-letter stream, as (payload, reason).
async fn dead_letters(bus: &NatsBus) -> Vec<(Vec<u8>, String)> {
    let js = bus.context().await.unwrap();
    let mut stream = js.get_stream(bus.settings().dead_stream()).await.unwrap();
    let last = stream.info().await.unwrap().state.last_sequence;
    let mut out = Vec::new();
    for seq in 1..=last {
        if let Ok(m) = stream.get_raw_message(seq).await {
            let reason = m
                .headers
                .get("Onetip-Dead-Reason")
                .map(|v| v.to_string())
                .unwrap_or_default();
            out.push((m.payload.to_vec(), reason));
        }
    }
    out
}

#[test]
fn subjects_are_prefix_source_kind() {
    let s = NatsSettings::new(SHARED_NATS);
    assert_eq!(
        s.subject(&event("task.completed")),
        "onetip.events.todoist.task.completed"
    );
    assert_eq!(s.subject(&event("a b>*")), "onetip.events.todoist.a_b__");
}

#[test]
fn settings_refuse_a_dead_letter_subject_inside_the_prefix() {
    let common = crate::CommonSettings::from_env(&Env::from_pairs([("DATA_DIR", "/tmp")])).unwrap();
    let env = Env::from_pairs([("NATS_DEAD_LETTER_SUBJECT", "onetip.events.dead")]);
    let err = NatsSettings::from_env(&env, &common).unwrap_err();
    assert_eq!(err.name, "NATS_DEAD_LETTER_SUBJECT");
    let s = NatsSettings::from_env(&Env::from_pairs([("NATS_MAX_DELIVER", "7")]), &common).unwrap();
    assert_eq!(s.max_deliver, 7);
    assert_eq!(s.duplicate_window, Duration::from_secs(120));
}

#[tokio::test]
async fn the_stream_is_created_with_the_configured_retention_and_duplicate_window() {
    let mut s = unique_settings(SHARED_NATS);
    s.max_age = Duration::from_secs(3600);
    s.duplicate_window = Duration::from_secs(30);
    let bus = NatsBus::new(s.clone());
    let js = bus.context().await.unwrap();
    let info = js
        .get_stream(&s.stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .config
        .clone();
    assert_eq!(info.max_age, Duration::from_secs(3600));
    assert_eq!(info.duplicate_window, Duration::from_secs(30));
    assert_eq!(info.subjects, [format!("{}.>", s.subject_prefix)]);
    // A second start with other limits updates the stream in place.
    s.max_age = Duration::from_secs(7200);
    let again = NatsBus::new(s.clone());
    let js = again.context().await.unwrap();
    let info = js
        .get_stream(&s.stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .config
        .clone();
    assert_eq!(info.max_age, Duration::from_secs(7200));
    delete_streams(&s).await;
}

#[tokio::test]
async fn a_repeated_publish_within_the_window_is_kept_once() {
    let s = unique_settings(SHARED_NATS);
    let bus = NatsBus::new(s.clone());
    let e = event("task.completed");
    assert!(!bus.publish(&e).await.unwrap());
    assert!(bus.publish(&e).await.unwrap(), "the second is a duplicate");
    NatsSink::new(bus.clone()).emit(e.clone()).await.unwrap();
    let js = bus.context().await.unwrap();
    let mut stream = js.get_stream(&s.stream).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 1);
    let m = stream.get_raw_message(1).await.unwrap();
    assert_eq!(
        m.subject.as_str(),
        format!("{}.todoist.task.completed", s.subject_prefix)
    );
    assert_eq!(
        serde_json::from_slice::<NormalizedEvent>(&m.payload).unwrap(),
        e
    );
    delete_streams(&s).await;
}

#[tokio::test]
async fn a_message_failing_every_time_is_dead_lettered_after_its_deliveries_and_the_rest_flow() {
    let s = unique_settings(SHARED_NATS);
    let bus = NatsBus::new(s.clone());
    let poison = event("task.completed");
    let good = event("task.reopened");
    let recorder = Arc::new(Recorder::default());
    recorder.fail.lock().unwrap().push(poison.id);
    bus.publish(&poison).await.unwrap();
    bus.publish(&good).await.unwrap();
    // Not an event at all: dead-lettered at its first delivery.
    let js = bus.context().await.unwrap();
    js.publish(format!("{}.x.y", s.subject_prefix), "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let consumer = tokio::spawn(consume(bus.clone(), recorder.clone()));
    until("the good event", || recorder.count(good.id) == 1).await;
    for _ in 0..100 {
        if dead_letters(&bus).await.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dead = dead_letters(&bus).await;
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert!(
        dead.iter()
            .any(|(p, r)| p == b"not json" && r.starts_with("poison: not an event"))
    );
    let (_, reason) = dead
        .iter()
        .find(|(p, _)| {
            serde_json::from_slice::<NormalizedEvent>(p).is_ok_and(|e| e.id == poison.id)
        })
        .expect("the failing event is dead-lettered");
    assert!(reason.contains("fails every time"), "{reason}");
    assert_eq!(recorder.count(poison.id), 3, "tried NATS_MAX_DELIVER times");
    // And the stream still flows after it.
    let later = event("task.completed");
    bus.publish(&later).await.unwrap();
    until("an event after the poison", || {
        recorder.count(later.id) == 1
    })
    .await;
    consumer.abort();
    delete_streams(&s).await;
}
