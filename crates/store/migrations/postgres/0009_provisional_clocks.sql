-- A clock whose deadline rests on a provisional calendar year (holidays from the law, the
-- State Council's notice not yet loaded) says so until the year is loaded.
ALTER TABLE case_clock ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
