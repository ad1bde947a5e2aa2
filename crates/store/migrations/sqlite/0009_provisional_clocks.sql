-- A clock whose deadline rests on a provisional calendar year (holidays from the law, the
-- State Council's notice not yet loaded) says so until the year is loaded.
ALTER TABLE case_clock ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT 0;

-- The calendar revision a case's clocks were last computed on: a write on a newer calendar
-- records every deadline that moved on the case's timeline, whoever wrote it.
ALTER TABLE service_case ADD COLUMN calendar_rev TEXT;
