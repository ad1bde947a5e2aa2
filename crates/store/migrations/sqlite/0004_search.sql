-- Case search: jieba words (space-separated, written by the app) in an FTS5 index whose
-- rowid is the case id. Backend-specific: PostgreSQL keeps a tsvector with a GIN index.
CREATE VIRTUAL TABLE case_search USING fts5(doc, tokenize = 'unicode61');
