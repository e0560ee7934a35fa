-- The people who use Onetip, created on first sign-in and keyed by the
-- Google `sub`. Ids are UUID text and times are epoch milliseconds, so the
-- same portable SQL serves PostgreSQL and SQLite.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    google_sub  TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL,
    name        TEXT,
    picture     TEXT,
    time_zone   TEXT NOT NULL DEFAULT 'UTC',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
