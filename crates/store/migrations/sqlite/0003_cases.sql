-- Customers and service cases. The case's event list is the truth; the clock rows and the
-- case's next_due_at/breached columns are projections kept for indexed queues.

CREATE TABLE customer (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL DEFAULT '',
    credit_code TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Case numbers: the last sequence used per kind and year (never reused).
CREATE TABLE case_counter (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE service_case (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customer(id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    priority TEXT NOT NULL,
    desk_id INTEGER REFERENCES desk(id),
    assignee_id INTEGER REFERENCES user_account(id),
    state TEXT NOT NULL,
    policy_name TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    regulator_ref TEXT,
    resolved_at TEXT,
    next_due_at TEXT,
    -- The earliest deadline of a running clock: when the sweeper must look again.
    next_check_at TEXT,
    breached BOOLEAN NOT NULL DEFAULT 0,
    escalated BOOLEAN NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES user_account(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX service_case_queue_idx ON service_case(state, next_due_at, id);
CREATE INDEX service_case_assignee_idx ON service_case(assignee_id, state, next_due_at, id);
CREATE INDEX service_case_desk_idx ON service_case(desk_id, state, next_due_at, id);
CREATE INDEX service_case_customer_idx ON service_case(customer_id, id);
CREATE INDEX service_case_kind_idx ON service_case(kind, state, next_due_at, id);

CREATE TABLE case_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX case_event_case_idx ON case_event(case_id, id);

CREATE TABLE case_clock (
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    clock TEXT NOT NULL,
    state TEXT NOT NULL,
    due_at TEXT,
    due_date TEXT,
    rule TEXT NOT NULL,
    PRIMARY KEY (case_id, clock)
);

-- A create request's Idempotency-Key: a retry answers the case the first request made.
CREATE TABLE idempotency_key (
    user_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Cases the sweeper must look at again (a running clock's deadline passed).
CREATE INDEX service_case_check_idx ON service_case(next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX case_clock_breached_idx ON case_clock(case_id) WHERE state = 'breached';

-- One row per escalated breach: the primary key makes "exactly once" hold across processes.
CREATE TABLE case_escalation (
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    clock TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (case_id, clock)
);

-- In-app notifications (escalations to supervisors).
CREATE TABLE notification (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES user_account(id),
    case_id INTEGER REFERENCES service_case(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notification_user_idx ON notification(user_id, id);
