-- Queues at a million cases: a non-null sort key and partial indexes over open cases only.
-- due_key is the next due time in Unix seconds (a case with no running clock sorts last), so
-- "ORDER BY due_key, id" walks an index; is_open keeps closed cases out of every queue index.
ALTER TABLE service_case ADD COLUMN is_open BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE service_case ADD COLUMN due_key BIGINT NOT NULL DEFAULT 9223372036854775807;
UPDATE service_case SET
    is_open = (state IN ('new', 'in_progress', 'waiting_customer')),
    due_key = COALESCE(floor(extract(epoch FROM next_due_at))::bigint, 9223372036854775807);

DROP INDEX service_case_queue_idx;
DROP INDEX service_case_assignee_idx;
DROP INDEX service_case_desk_idx;
DROP INDEX service_case_kind_idx;
-- The trailing columns make the capped queue counts index-only: the complaint visibility
-- rule (kind, assignee) and the due-soon test (breached) are read from the index.
CREATE INDEX service_case_due_idx ON service_case(due_key, id);
CREATE INDEX service_case_open_due_idx ON service_case(due_key, id, kind, assignee_id, breached) WHERE is_open = TRUE;
CREATE INDEX service_case_open_assignee_idx ON service_case(assignee_id, due_key, id, kind) WHERE is_open = TRUE;
CREATE INDEX service_case_open_desk_idx ON service_case(desk_id, due_key, id, kind, assignee_id) WHERE is_open = TRUE;
CREATE INDEX service_case_open_breached_idx ON service_case(due_key, id, kind, assignee_id) WHERE is_open = TRUE AND breached = TRUE;
CREATE INDEX service_case_open_escalated_idx ON service_case(due_key, id, kind, assignee_id) WHERE is_open = TRUE AND escalated = TRUE;
