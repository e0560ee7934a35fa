-- One row per write sent to a provider (a close, a reopen), keyed by the
-- X-Request-Id derived for it from (user, item, action, idempotency key).
-- Written before the call, with what an undo will need (`previous_due`: the
-- item's due object before a close, as JSON), and given its `answer` (JSON)
-- once the provider took the write. So a retry after a crash or a restart
-- answers what the first try would have, instead of reading an item that
-- has already moved, and an undo finds the due date to put back.
CREATE TABLE write_receipts (
    request_id   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    provider     TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    action       TEXT NOT NULL,
    previous_due TEXT,
    answer       TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- An undo without `previous_due` looks up the item's last close.
CREATE INDEX write_receipts_item ON write_receipts (user_id, provider, item_id, created_at);
-- Old receipts are purged by age.
CREATE INDEX write_receipts_created_at ON write_receipts (created_at);
