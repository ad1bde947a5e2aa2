-- Periodic maintenance plans: one per unit, every N months. The next visit goes on the
-- desk's queue from opens_on (its due day less the lead); booked_case_id is the case that
-- visit became, cleared when its report sets the next one. lease_until keeps two processes
-- from booking the same visit.
CREATE TABLE maintenance_plan (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL UNIQUE REFERENCES unit(id),
    every_months INTEGER NOT NULL,
    lead_days INTEGER NOT NULL,
    next_due_on DATE NOT NULL,
    opens_on DATE NOT NULL,
    booked_case_id BIGINT REFERENCES service_case(id),
    lease_until TEXT,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by BIGINT REFERENCES user_account(id)
);
CREATE INDEX maintenance_plan_due_idx ON maintenance_plan(opens_on) WHERE booked_case_id IS NULL;
CREATE INDEX maintenance_plan_case_idx ON maintenance_plan(booked_case_id) WHERE booked_case_id IS NOT NULL;
