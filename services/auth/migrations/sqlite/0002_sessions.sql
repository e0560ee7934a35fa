-- Sessions and their refresh-token families. A session row outlives its
-- sign-out (revoked_at) so the gateway can learn which `sid`s to refuse;
-- its refresh tokens are deleted then. Only a hash of each refresh token is
-- stored; `successor` is the next token sealed with a key derived from this
-- one, so concurrent refreshes within the grace get the same successor
-- without the database ever holding a usable token.
-- Times are epoch milliseconds; the same SQL serves SQLite.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT,
    successor   TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
