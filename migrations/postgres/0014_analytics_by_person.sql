-- A person's own draft-days (my insights, the drafts I worked on, the people I wrote with,
-- my archetype) without reading every draft's rows: by person, then day.
CREATE INDEX analytics_draft_days_user_idx ON analytics_draft_days (user_id, day, draft_id);
