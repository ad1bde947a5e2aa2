-- Case search: jieba words (space-separated, written by the app) as a tsvector ('simple':
-- no stemming, no stop words) with a GIN index. Backend-specific: SQLite uses FTS5.
CREATE TABLE case_search (
    case_id BIGINT PRIMARY KEY REFERENCES service_case(id),
    doc TSVECTOR NOT NULL
);
CREATE INDEX case_search_doc_idx ON case_search USING GIN (doc);
