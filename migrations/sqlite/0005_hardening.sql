-- Failed sign-ins are counted per (account, address): a stranger failing an account's
-- password locks that account only from the stranger's address, never for its owner.
DROP TABLE login_throttle;
CREATE TABLE login_failures (
    account_key  TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CONSTRAINT login_failures_pkey PRIMARY KEY (account_key, address)
);
CREATE INDEX login_failures_updated_idx ON login_failures (updated_at);

-- Where a collaborator's live replay starts: the draft's event number when they joined, so
-- nobody receives what happened on a draft before they were on it.
ALTER TABLE collaborators ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 0;

-- The hourly purge finds ended sessions by these.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX sessions_created_idx ON sessions (created_at);
