-- Analytics. The source of truth is analytics_events: every event, appended once (its id is
-- unique; a repeat is ignored) and kept for good. The *_days and *_hours tables are rollups
-- derived from it in the same transaction as each event, so reads never scan the events;
-- `onering analytics rebuild` recomputes them from the events.
CREATE TABLE analytics_events (
    id             TEXT    NOT NULL PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    actor_id       TEXT,
    draft_id       TEXT,
    occurred_at    INTEGER NOT NULL,
    payload        TEXT    NOT NULL
);
CREATE INDEX analytics_events_draft_idx ON analytics_events (draft_id, occurred_at);
CREATE INDEX analytics_events_actor_idx ON analytics_events (actor_id, occurred_at);

-- Per draft, UTC day and person ('' for a visitor who is not signed in).
CREATE TABLE analytics_draft_days (
    draft_id    TEXT    NOT NULL,
    day         INTEGER NOT NULL,
    user_id     TEXT    NOT NULL,
    segments    INTEGER NOT NULL DEFAULT 0,
    characters  INTEGER NOT NULL DEFAULT 0,
    passes      INTEGER NOT NULL DEFAULT 0,
    views       INTEGER NOT NULL DEFAULT 0,
    card_views  INTEGER NOT NULL DEFAULT 0,
    card_copies INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT analytics_draft_days_pkey PRIMARY KEY (draft_id, day, user_id)
);
CREATE INDEX analytics_draft_days_day_idx ON analytics_draft_days (day, draft_id, user_id);

-- Per person and UTC day.
CREATE TABLE analytics_user_days (
    user_id         TEXT    NOT NULL,
    day             INTEGER NOT NULL,
    drafts_started  INTEGER NOT NULL DEFAULT 0,
    segments        INTEGER NOT NULL DEFAULT 0,
    characters      INTEGER NOT NULL DEFAULT 0,
    passes_given    INTEGER NOT NULL DEFAULT 0,
    passes_received INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT analytics_user_days_pkey PRIMARY KEY (user_id, day)
);
CREATE INDEX analytics_user_days_day_idx ON analytics_user_days (day, user_id, passes_given, segments);

-- Per person and UTC hour: what a day in the person's own time zone is made of.
CREATE TABLE analytics_user_hours (
    user_id      TEXT    NOT NULL,
    hour         INTEGER NOT NULL,
    segments     INTEGER NOT NULL DEFAULT 0,
    characters   INTEGER NOT NULL DEFAULT 0,
    passes_given INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT analytics_user_hours_pkey PRIMARY KEY (user_id, hour)
);

-- What each person chose about themselves.
CREATE TABLE user_settings (
    user_id              TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    show_on_leaderboards INTEGER NOT NULL DEFAULT 1,
    updated_at           INTEGER NOT NULL
);
