-- The drafts list reads a person's drafts, most recently active first, straight from one
-- index however many drafts they have: each membership carries its draft's updated_at,
-- kept equal by triggers in the same transaction as the change (draft writes lock the draft
-- row first, so the membership rows are always updated after it, in one order).
ALTER TABLE collaborators ADD COLUMN draft_updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE collaborators SET draft_updated_at =
    (SELECT d.updated_at FROM drafts d WHERE d.id = collaborators.draft_id);
DROP INDEX collaborators_user_id_idx;
CREATE INDEX collaborators_user_activity_idx
    ON collaborators (user_id, draft_updated_at DESC, draft_id);

CREATE TRIGGER collaborators_follow_draft_activity AFTER UPDATE OF updated_at ON drafts
WHEN NEW.updated_at <> OLD.updated_at
BEGIN
    UPDATE collaborators SET draft_updated_at = NEW.updated_at WHERE draft_id = NEW.id;
END;
CREATE TRIGGER collaborators_start_with_draft_activity AFTER INSERT ON collaborators
BEGIN
    UPDATE collaborators SET draft_updated_at =
        (SELECT d.updated_at FROM drafts d WHERE d.id = NEW.draft_id)
    WHERE draft_id = NEW.draft_id AND user_id = NEW.user_id;
END;
