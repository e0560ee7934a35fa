-- Every tip served, with the policy that chose it and the probability it
-- was chosen with (its propensity): what off-policy evaluation needs.
CREATE TABLE recommendations (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    policy          TEXT NOT NULL,
    policy_version  TEXT NOT NULL,
    tip_id          TEXT NOT NULL,
    tip_kind        TEXT NOT NULL,
    propensity      DOUBLE PRECISION NOT NULL,
    context         TEXT NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL
);
CREATE INDEX recommendations_user ON recommendations (user_id, created_at);
