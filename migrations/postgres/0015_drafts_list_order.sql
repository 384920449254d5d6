-- The drafts list reads a person's drafts, most recently active first, straight from one
-- index however many drafts they have: each membership carries its draft's updated_at,
-- kept equal by triggers in the same transaction as the change (draft writes lock the draft
-- row first, so the membership rows are always updated after it, in one order).
ALTER TABLE collaborators ADD COLUMN draft_updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE collaborators c SET draft_updated_at = d.updated_at FROM drafts d WHERE d.id = c.draft_id;
DROP INDEX collaborators_user_id_idx;
CREATE INDEX collaborators_user_activity_idx
    ON collaborators (user_id, draft_updated_at DESC, draft_id);

CREATE FUNCTION collaborators_follow_draft_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE collaborators SET draft_updated_at = NEW.updated_at WHERE draft_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER collaborators_follow_draft_activity AFTER UPDATE OF updated_at ON drafts
    FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at)
    EXECUTE FUNCTION collaborators_follow_draft_activity();

CREATE FUNCTION collaborators_start_with_draft_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.updated_at INTO NEW.draft_updated_at FROM drafts d WHERE d.id = NEW.draft_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER collaborators_start_with_draft_activity BEFORE INSERT ON collaborators
    FOR EACH ROW EXECUTE FUNCTION collaborators_start_with_draft_activity();
