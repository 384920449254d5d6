-- Publishing (src/publishing): connected network accounts, threads being posted, post by post.

-- A person's account on a network. `secret` is sealed (XChaCha20-Poly1305 under
-- PUBLISHING_KEY, bound to the row's id) and never leaves the server.
CREATE TABLE network_connections (
    id         TEXT   NOT NULL PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network    TEXT   NOT NULL,
    account    TEXT   NOT NULL,
    account_id TEXT   NOT NULL,
    server     TEXT   NOT NULL,
    secret     TEXT   NOT NULL,
    status     TEXT   NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT network_connections_account_key UNIQUE (user_id, network, account_id),
    CONSTRAINT network_connections_network_check CHECK (network IN ('bluesky', 'mastodon', 'x'))
);

-- A thread posted (or to be posted) to one network: its posts are a snapshot taken when it
-- was asked for. status: scheduled | publishing | published | failed | cancelled. A run holds
-- it until run_lease_until, so two runs never post it side by side.
CREATE TABLE publications (
    id              TEXT   NOT NULL PRIMARY KEY,
    draft_id        TEXT   NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    user_id         TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    connection_id   TEXT   REFERENCES network_connections (id) ON DELETE SET NULL,
    network         TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    run_at          INTEGER NOT NULL,
    run_lease_until INTEGER,
    thread_url      TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX publications_user_idx ON publications (user_id, status, run_at);
CREATE INDEX publications_draft_idx ON publications (draft_id, created_at);

-- Each post: pending -> posting (committed before it is sent) -> posted (its address) |
-- failed (why). A post left `posting` has an unknown outcome and is settled on the network
-- before it is sent again.
CREATE TABLE publication_posts (
    publication_id TEXT   NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    content        TEXT   NOT NULL,
    status         TEXT   NOT NULL,
    remote_id      TEXT,
    remote_cid     TEXT,
    remote_url     TEXT,
    attempts       INTEGER NOT NULL,
    last_error     TEXT,
    posted_at      INTEGER,
    CONSTRAINT publication_posts_pkey PRIMARY KEY (publication_id, position)
);

-- OAuth authorizations in flight (ten minutes at most): the PKCE verifier, sealed.
CREATE TABLE oauth_pending (
    state      TEXT   NOT NULL PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network    TEXT   NOT NULL,
    server     TEXT   NOT NULL,
    verifier      TEXT   NOT NULL,
    authorize_url TEXT   NOT NULL,
    created_at    INTEGER NOT NULL
);

-- OneRing's app on each Mastodon instance (registered once; the secret sealed).
CREATE TABLE mastodon_apps (
    instance      TEXT   NOT NULL PRIMARY KEY,
    client_id     TEXT   NOT NULL,
    client_secret TEXT   NOT NULL,
    created_at    INTEGER NOT NULL
);
