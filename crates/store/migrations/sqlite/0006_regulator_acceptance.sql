-- A regulator transfer (12315) carries the date the regulator accepted the complaint.
ALTER TABLE service_case ADD COLUMN regulator_accepted_on DATE;
