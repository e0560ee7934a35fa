-- The transactional outbox (platform::events::outbox): task.completed and
-- task.reopened are written here before the answer, and a relay sends them
-- in `seq` order over EVENT_BUS, marking each sent. A crash or a bus outage
-- loses nothing: waiting rows are sent after it. One row per event id.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL UNIQUE,
    event      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT,
    attempts   BIGINT NOT NULL DEFAULT 0
);

-- The relay reads the waiting rows oldest first.
CREATE INDEX outbox_waiting ON outbox (seq) WHERE sent_at IS NULL;
