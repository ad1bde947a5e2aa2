-- Tags on cases: the case row keeps them for showing (comma-joined, in the order given); the
-- case_tag rows serve the tag filter through their (tag, case_id) index.
ALTER TABLE service_case ADD COLUMN tags TEXT NOT NULL DEFAULT '';
CREATE TABLE case_tag (
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (case_id, tag)
);
CREATE INDEX case_tag_tag_idx ON case_tag(tag, case_id);

-- Files attached to cases. The bytes live in the data directory under their SHA-256 (one copy
-- however many cases share them); the row says which case, under what name, from whom.
CREATE TABLE case_attachment (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    has_thumbnail BOOLEAN NOT NULL,
    uploaded_by INTEGER REFERENCES user_account(id),
    uploaded_by_name TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX case_attachment_case_idx ON case_attachment(case_id, id);

-- A person's saved queue filters: a name and the queue page's query string.
CREATE TABLE saved_filter (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES user_account(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);
