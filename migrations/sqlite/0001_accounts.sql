-- Accounts and sessions. Times are Unix milliseconds; ids are text.
CREATE TABLE users (
    id               TEXT    NOT NULL PRIMARY KEY,
    handle           TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    email_normalized TEXT    NOT NULL,
    password_hash    TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    CONSTRAINT users_handle_key UNIQUE (handle),
    CONSTRAINT users_email_key UNIQUE (email_normalized)
);

-- Only a SHA-256 of the session token is stored; the token itself lives in the cookie.
CREATE TABLE sessions (
    id           TEXT    NOT NULL PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Failed sign-in attempts per account key (the normalised handle or email typed, known or not).
CREATE TABLE login_throttle (
    account_key  TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
