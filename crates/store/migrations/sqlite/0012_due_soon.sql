-- "Due soon" (即将超时) by each clock's own window (DESIGN "Deadline units"; the domain's
-- deadline::soon_at): a clock row keeps when it turns due soon and the unit it counts in, the
-- case keeps the earliest of its running clocks as soon_key (Unix seconds; none sorts last),
-- so the queue is a range over a partial index instead of a fixed four hours before due_key.
ALTER TABLE case_clock ADD COLUMN soon_at TEXT;
ALTER TABLE case_clock ADD COLUMN unit TEXT NOT NULL DEFAULT 'hours';
ALTER TABLE service_case ADD COLUMN soon_key BIGINT NOT NULL DEFAULT 9223372036854775807;
-- Rows written before: a clock with a last day counts in working days, others in hours, and a
-- case is due soon by the former rule (four hours before its next deadline) until its next
-- write recomputes the clocks from its policy.
UPDATE case_clock SET unit = 'working_days' WHERE due_date IS NOT NULL;
UPDATE service_case SET soon_key = due_key - 14400
    WHERE is_open = TRUE AND due_key <> 9223372036854775807;
-- The due-soon queue walks the cases whose window has begun and are not yet breached (a small
-- set), then sorts them by due time; the trailing columns keep its capped count index-only.
CREATE INDEX service_case_open_soon_idx ON service_case(soon_key, due_key, id, kind, assignee_id)
    WHERE is_open = TRUE AND breached = FALSE;
