-- Drafts, their ordered segments, collaborators, the ring's history, and idempotency keys.
CREATE TABLE drafts (
    id             TEXT    NOT NULL PRIMARY KEY,
    owner_id       TEXT    NOT NULL REFERENCES users (id),
    title          TEXT    NOT NULL,
    subtitle       TEXT,
    platform       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    ring_holder_id TEXT    NOT NULL REFERENCES users (id),
    segment_count  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT drafts_platform_check CHECK (platform IN ('x', 'bluesky', 'threads', 'mastodon', 'linkedin')),
    CONSTRAINT drafts_status_check CHECK (status IN ('draft', 'published', 'archived'))
);

CREATE TABLE collaborators (
    draft_id TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    user_id  TEXT    NOT NULL REFERENCES users (id),
    role     TEXT    NOT NULL,
    added_at INTEGER NOT NULL,
    CONSTRAINT collaborators_pkey PRIMARY KEY (draft_id, user_id),
    CONSTRAINT collaborators_role_check CHECK (role IN ('owner', 'editor', 'viewer'))
);
CREATE INDEX collaborators_user_id_idx ON collaborators (user_id);

-- Positions are dense (1..n) per draft.
CREATE TABLE segments (
    id         TEXT    NOT NULL PRIMARY KEY,
    draft_id   TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    content    TEXT    NOT NULL,
    author_id  TEXT    NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    edited_at  INTEGER,
    CONSTRAINT segments_draft_position_key UNIQUE (draft_id, position)
);

CREATE TABLE ring_passes (
    id           TEXT    NOT NULL PRIMARY KEY,
    draft_id     TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    from_user_id TEXT    NOT NULL REFERENCES users (id),
    to_user_id   TEXT    NOT NULL REFERENCES users (id),
    kind         TEXT    NOT NULL,
    -- How many segments the draft had when the ring moved: appends by the previous holder
    -- all sit at or before this position.
    after_position INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    CONSTRAINT ring_passes_kind_check CHECK (kind IN ('pass', 'reclaim', 'return'))
);
CREATE INDEX ring_passes_draft_idx ON ring_passes (draft_id, at);

-- One row per (user, operation, key): the request's fingerprint and the response it got.
CREATE TABLE idempotency_keys (
    user_id     TEXT    NOT NULL,
    operation   TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    response    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, operation, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
