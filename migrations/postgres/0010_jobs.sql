-- Background work shared by every server on one database (src/jobs): retries, timed
-- changes and periodic tasks. A job is claimed with a lease; a server that dies mid-job
-- lets the lease run out and another server takes it over. (kind, dedupe_key) is unique, so
-- enqueueing the same work twice (the same event, the same hourly slot) makes one job.
CREATE TABLE jobs (
    id           TEXT NOT NULL PRIMARY KEY,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    -- queued | running | done | failed (failed: out of attempts, left for an admin)
    status       TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    lease_until  BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CONSTRAINT jobs_kind_dedupe_key UNIQUE (kind, dedupe_key)
);
CREATE INDEX jobs_due ON jobs (status, run_at);
