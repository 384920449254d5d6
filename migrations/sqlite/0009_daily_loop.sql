-- The daily loop and profiles. A person's own time zone (an IANA name, checked by the
-- server) decides their days: streaks and today's challenge follow it. A private profile
-- answers like an unknown handle.
ALTER TABLE user_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE user_settings ADD COLUMN profile_private INTEGER NOT NULL DEFAULT 0;

-- The momentum board sums everyone's last 30 days of hours (covering: no table reads).
CREATE INDEX analytics_user_hours_hour_idx ON analytics_user_hours (hour, user_id, segments, characters, passes_given);

-- A person's own drafts and segments, newest first (the coach reads their last week; plans
-- count their drafts).
CREATE INDEX drafts_owner_idx ON drafts (owner_id, created_at);
CREATE INDEX segments_author_idx ON segments (author_id, created_at);
