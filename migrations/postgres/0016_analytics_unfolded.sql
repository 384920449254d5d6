-- Events waiting to be folded into the rollups. On PostgreSQL an event's rollups are added
-- just after its own transaction commits, in a short transaction of their own: a person's
-- rollup rows are shared by all their drafts, and held to the event's commit their lock made
-- that person's concurrent writes wait, one disk flush each. The event and its row here
-- commit together; the fold deletes the row as it adds the rollups, so an event is folded
-- exactly once, and one left here by a crash is folded by the server's sweep. SQLite folds
-- in the event's own transaction (its group commit already shares one flush), so there this
-- table stays empty.
CREATE TABLE analytics_unfolded (
    event_id    TEXT    NOT NULL PRIMARY KEY,
    recorded_at BIGINT  NOT NULL
);
