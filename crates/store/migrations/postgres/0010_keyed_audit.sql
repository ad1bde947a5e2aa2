-- Entries are hashed with the audit key (HMAC-SHA256, the key kept outside the database) from
-- now on; entries written before keep their plain SHA-256 and say so.
ALTER TABLE audit_entry ADD COLUMN keyed BOOLEAN NOT NULL DEFAULT FALSE;
