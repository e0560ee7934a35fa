-- The decision log, built for off-policy evaluation: every decision keeps
-- the policy that made it, the draw, and one row per candidate with its
-- probability and its features as they were at that moment (ids alone
-- cannot score a new policy once tasks change). Times are epoch ms.

-- 0001's table held one propensity per tip and never any candidates: it
-- was never written to, so it goes.
DROP TABLE IF EXISTS recommendations;

CREATE TABLE decisions (
    id                  TEXT PRIMARY KEY,         -- UUIDv7
    user_id             TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    policy              TEXT NOT NULL,
    policy_version      TEXT NOT NULL,
    experiment          TEXT,                     -- the experiment's name, when one assigned the policy
    bucket              TEXT,                     -- the arm the user's hash fell in
    eligibility_version TEXT NOT NULL,
    context             TEXT NOT NULL,            -- JSON object: the request's context and the shared features
    seed                TEXT NOT NULL,            -- the draw's seed (hex u64)
    draw                REAL NOT NULL,              -- the uniform number in [0, 1) the seed gave
    chosen_position     BIGINT NOT NULL,          -- 0-based, into decision_candidates
    chosen_id           TEXT NOT NULL,            -- todoist:<id> or advice:<slug>
    propensity          REAL NOT NULL,
    tip                 TEXT NOT NULL,            -- JSON: the Tip as shown
    degraded            BIGINT NOT NULL,          -- 0 or 1
    degraded_reason     TEXT,
    sources             TEXT NOT NULL,            -- JSON: how each source answered
    status              TEXT NOT NULL,            -- open | pending | done | skipped | undone | superseded | expired
    status_at           BIGINT NOT NULL,
    skip_reason         TEXT,
    undo_until          BIGINT,                   -- set by done
    completion          TEXT                      -- JSON: what integrations answered to the complete (previous due)
);
-- The open decision of a user, and their recent ones (eligibility, undo).
CREATE INDEX decisions_user_time ON decisions (user_id, created_at);
-- The export walks resolved decisions by time.
CREATE INDEX decisions_time ON decisions (created_at);

CREATE TABLE decision_candidates (
    decision_id  TEXT NOT NULL REFERENCES decisions (id),
    position     BIGINT NOT NULL,                 -- 0-based, the order the policy saw
    candidate_id TEXT NOT NULL,
    probability  REAL NOT NULL,
    score        REAL NOT NULL,
    features     TEXT NOT NULL,                   -- JSON: the features as they were then
    PRIMARY KEY (decision_id, position)
);

-- Feedback and provider events, stored once per event id.
CREATE TABLE events (
    id           TEXT PRIMARY KEY,                -- the event's UUIDv7
    user_id      TEXT NOT NULL,
    decision_id  TEXT,                            -- from the payload, when it names one
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    trace_id     TEXT,
    payload      TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);
CREATE INDEX events_decision ON events (decision_id);

-- One row per (decision, action, Idempotency-Key): a replay answers what
-- the first request answered; a row left pending by a crash is finished by
-- the retry (same key, so the same X-Request-Id reaches Todoist).
CREATE TABLE tip_actions (
    decision_id     TEXT NOT NULL,
    action          TEXT NOT NULL,                -- done | skip | undo
    idempotency_key TEXT NOT NULL,
    state           TEXT NOT NULL,                -- pending | finished
    answer          TEXT,                         -- JSON: the answer given
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (decision_id, action, idempotency_key)
);
