-- A case's appointment (a repair's dispatch, a maintenance booking): the day, the window, the
-- technician, and when the technician was reminded of it. A dispatch made again replaces it
-- and is reminded again.
CREATE TABLE appointment (
    case_id BIGINT PRIMARY KEY REFERENCES service_case(id),
    on_date DATE NOT NULL,
    slot TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    technician_id BIGINT NOT NULL REFERENCES user_account(id),
    reminded_at TIMESTAMPTZ
);
CREATE INDEX appointment_due_idx ON appointment(on_date) WHERE reminded_at IS NULL;
