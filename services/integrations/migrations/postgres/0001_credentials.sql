-- A user's credential for one provider. Tokens are stored encrypted (AEAD,
-- the row's identity as associated data); key_id names the vault key that
-- sealed them, so keys can rotate.
CREATE TABLE credentials (
    user_id       TEXT NOT NULL,
    provider      TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    nonce         BYTEA NOT NULL,
    ciphertext    BYTEA NOT NULL,
    scope         TEXT,
    expires_at    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, provider)
);
