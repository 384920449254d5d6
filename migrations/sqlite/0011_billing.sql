-- Stripe billing (src/billing). Plans themselves change only through plans::store with
-- reason 'billing'; these tables hold what Stripe told us and when.

-- One Stripe customer per person, created once (with a Stripe idempotency key).
CREATE TABLE billing_customers (
    user_id     TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT billing_customers_customer_key UNIQUE (customer_id)
);

-- Each subscription's last applied state. state_at (Unix seconds) is the Stripe time of
-- that state: an event's created, or the time it was fetched from Stripe. An older state
-- never replaces a newer one, so a late 'updated' cannot undo a 'deleted'.
CREATE TABLE billing_subscriptions (
    subscription_id      TEXT NOT NULL PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id          TEXT NOT NULL,
    status               TEXT NOT NULL,
    price_id             TEXT,
    current_period_end   INTEGER,
    cancel_at_period_end INTEGER NOT NULL,
    state_at             INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX billing_subscriptions_user ON billing_subscriptions (user_id);

-- Every verified webhook event, stored before it is acted on, raw (the parsed form does not
-- round-trip): one that failed to parse can be replayed after an SDK upgrade.
-- status: pending | processed | failed | ignored.
CREATE TABLE billing_events (
    event_id       TEXT NOT NULL PRIMARY KEY,
    event_type     TEXT NOT NULL,
    created        INTEGER NOT NULL,
    payload        TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL,
    last_error     TEXT,
    processed_at   INTEGER
);
CREATE INDEX billing_events_status ON billing_events (status, received_at);

-- What reconciliation found different from Stripe and changed, and why.
CREATE TABLE billing_reconciliations (
    id              TEXT NOT NULL PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    before_state    TEXT NOT NULL,
    after_state     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    at              INTEGER NOT NULL
);
