-- A draft's public share card: present while its owner shares it. The slug is 128 random
-- bits; turning sharing off deletes the row (the old link is the same 404 as any unknown
-- one) and turning it on again makes a new slug.
CREATE TABLE share_links (
    draft_id    TEXT    NOT NULL PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
    slug        TEXT    NOT NULL,
    show_thread INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT share_links_slug_key UNIQUE (slug)
);
