-- A regulator transfer (12315) carries the date the regulator accepted the complaint.
ALTER TABLE service_case ADD COLUMN regulator_accepted_on DATE;

-- The customer list finds customers by the start of their name (byte order, as on SQLite).
CREATE INDEX customer_name_idx ON customer((name COLLATE "C"), id);
