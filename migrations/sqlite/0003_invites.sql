-- One-time invite links. The code itself is never stored: only its SHA-256 (code_hash).
CREATE TABLE invites (
    id         TEXT    NOT NULL PRIMARY KEY,
    draft_id   TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    created_by TEXT    NOT NULL REFERENCES users (id),
    code_hash  TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    -- Who it is for, in the owner's words (a handle or an email); only the owner sees it.
    note       TEXT,
    max_uses   INTEGER  NOT NULL,
    uses       INTEGER  NOT NULL,
    expires_at INTEGER  NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER  NOT NULL,
    CONSTRAINT invites_code_hash_key UNIQUE (code_hash),
    CONSTRAINT invites_role_check CHECK (role IN ('editor', 'viewer')),
    CONSTRAINT invites_uses_check CHECK (uses >= 0 AND uses <= max_uses)
);
CREATE INDEX invites_draft_idx ON invites (draft_id, created_at);
CREATE INDEX invites_created_by_idx ON invites (created_by, created_at);

-- Who joined through which invite (the owner's list says who accepted).
CREATE TABLE invite_acceptances (
    invite_id   TEXT    NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL REFERENCES users (id),
    accepted_at INTEGER  NOT NULL,
    CONSTRAINT invite_acceptances_pkey PRIMARY KEY (invite_id, user_id)
);

-- The one-time "You joined <title>" banner: a row until its reader dismisses it.
CREATE TABLE join_notices (
    draft_id   TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL REFERENCES users (id),
    created_at INTEGER  NOT NULL,
    CONSTRAINT join_notices_pkey PRIMARY KEY (draft_id, user_id)
);
