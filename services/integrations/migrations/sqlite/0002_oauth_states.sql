-- One row per OAuth flow started by a signed-in user: the `state` sent to the
-- provider, whom and which provider it was started for (so a callback for
-- another user or another provider is refused), and the PKCE verifier.
-- A row is deleted on first use (single use) and refused after expires_at.
CREATE TABLE oauth_states (
    state         TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    provider      TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);

CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);

-- Rotation walks credentials by key id.
CREATE INDEX credentials_key_id ON credentials (key_id);
