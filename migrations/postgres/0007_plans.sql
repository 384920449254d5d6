-- Plans and entitlements, defined here and nowhere else (the server checks them at start:
-- exactly one default plan, every plan with every entitlement). An entitlement's value is a
-- limit, NULL meaning unlimited, or for a feature 1 (included) or 0 (not included).
CREATE TABLE plans (
    id                  TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    price_label         TEXT    NOT NULL,
    position            BIGINT  NOT NULL,
    is_default          BIGINT  NOT NULL,
    enforcement_enabled BIGINT  NOT NULL,
    grace_count         BIGINT  NOT NULL
);

CREATE TABLE plan_entitlements (
    plan_id     TEXT    NOT NULL REFERENCES plans (id),
    entitlement TEXT    NOT NULL,
    value       BIGINT,
    CONSTRAINT plan_entitlements_pkey PRIMARY KEY (plan_id, entitlement)
);

INSERT INTO plans (id, name, price_label, position, is_default, enforcement_enabled, grace_count) VALUES
    ('free',    'Free',    '$0',           1, 1, 1, 0),
    ('creator', 'Creator', '$9 a month',   2, 0, 1, 2),
    ('team',    'Team',    '$29 a month',  3, 0, 1, 2);

INSERT INTO plan_entitlements (plan_id, entitlement, value) VALUES
    ('free',    'drafts.max',         3),
    ('free',    'collaborators.max',  2),
    ('free',    'invites.max_uses',   5),
    ('free',    'analytics.enabled',  0),
    ('free',    'sharecards.images',  1),
    ('creator', 'drafts.max',         50),
    ('creator', 'collaborators.max',  10),
    ('creator', 'invites.max_uses',   25),
    ('creator', 'analytics.enabled',  1),
    ('creator', 'sharecards.images',  1),
    ('team',    'drafts.max',         NULL),
    ('team',    'collaborators.max',  NULL),
    ('team',    'invites.max_uses',   50),
    ('team',    'analytics.enabled',  1),
    ('team',    'sharecards.images',  1);

-- Everyone has exactly one plan: the one here, or the default plan when there is no row
-- (everyone starts on it at sign-up; a row is written when the plan first changes).
CREATE TABLE user_plans (
    user_id TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    plan_id TEXT    NOT NULL REFERENCES plans (id),
    since   BIGINT  NOT NULL
);

-- Every change of plan: from, to, why (billing, admin) and when; starting on the default
-- plan at sign-up is the account's own creation time.
CREATE TABLE plan_changes (
    id        TEXT    NOT NULL PRIMARY KEY,
    user_id   TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_plan TEXT,
    to_plan   TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    note      TEXT,
    at        BIGINT  NOT NULL,
    CONSTRAINT plan_changes_reason_check CHECK (reason IN ('signup', 'billing', 'admin'))
);
CREATE INDEX plan_changes_user_idx ON plan_changes (user_id, at);

-- A person's own value for one entitlement, winning over their plan's until it expires.
CREATE TABLE entitlement_overrides (
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entitlement TEXT    NOT NULL,
    value       BIGINT,
    expires_at  BIGINT,
    reason      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    CONSTRAINT entitlement_overrides_pkey PRIMARY KEY (user_id, entitlement)
);

-- Grace used per person and entitlement since their last change of plan.
CREATE TABLE entitlement_grace (
    user_id     TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entitlement TEXT    NOT NULL,
    used        BIGINT  NOT NULL,
    CONSTRAINT entitlement_grace_pkey PRIMARY KEY (user_id, entitlement)
);
