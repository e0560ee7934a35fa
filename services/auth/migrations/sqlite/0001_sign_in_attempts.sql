-- One row per sign-in started: what the callback must find again to finish
-- it. Single use (deleted on first use) and short-lived (expires_at).
-- Times are epoch milliseconds; the same SQL serves SQLite.
CREATE TABLE sign_in_attempts (
    state          TEXT PRIMARY KEY,
    provider       TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL DEFAULT '/',
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts (expires_at);
