-- Live drafts: every change to a draft is also an event with a dense per-draft number, so a
-- page that reconnects asks for what it missed. drafts.event_seq is the latest number; bumping
-- it locks the draft row, so numbers follow commit order.
ALTER TABLE drafts ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE draft_events (
    draft_id TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    seq      BIGINT  NOT NULL,
    payload  TEXT    NOT NULL,
    at       BIGINT  NOT NULL,
    CONSTRAINT draft_events_pkey PRIMARY KEY (draft_id, seq)
);
CREATE INDEX draft_events_at_idx ON draft_events (at);
