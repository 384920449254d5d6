-- In-app admin (src/admin): accounts with the admin role, and the audit trail.

-- Who may open the admin pages with an ordinary sign-in. Granted and revoked only from the
-- server's command line (`onering admin grant|revoke <handle>`), each change audited.
CREATE TABLE admin_accounts (
    user_id    TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_at INTEGER NOT NULL
);

-- One row per admin action, written in the same transaction as the change. Append-only:
-- the triggers below refuse every UPDATE and DELETE, whoever asks.
CREATE TABLE admin_audit (
    id             TEXT    NOT NULL PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor_type     TEXT    NOT NULL,
    actor_id       TEXT    NOT NULL,
    actor_email    TEXT,
    mechanism      TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    target         TEXT    NOT NULL,
    target_label   TEXT    NOT NULL,
    before_state   TEXT    NOT NULL,
    after_state    TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    request_id     TEXT,
    client_address TEXT,
    CONSTRAINT admin_audit_actor_type_check CHECK (actor_type IN ('jwt', 'account', 'legacy_key', 'cli'))
);
CREATE INDEX admin_audit_at_idx ON admin_audit (at);
CREATE INDEX admin_audit_actor_idx ON admin_audit (actor_id, at);
CREATE INDEX admin_audit_target_idx ON admin_audit (target, at);

CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit
BEGIN
    SELECT RAISE(ABORT, 'admin_audit is append-only: UPDATE refused');
END;
CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit
BEGIN
    SELECT RAISE(ABORT, 'admin_audit is append-only: DELETE refused');
END;
