-- Calendar, service hours and policies.

-- A statutory schedule imported by an administrator (a new year, or a corrected one); it
-- replaces the shipped schedule of that year.
CREATE TABLE calendar_year (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    days TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES user_account(id),
    version INTEGER NOT NULL DEFAULT 1
);

-- Company days: an extra day off (working = 0) or an extra working day (working = 1).
CREATE TABLE calendar_override (
    date TEXT PRIMARY KEY,
    working BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES user_account(id)
);

-- Service hours of a desk (JSON of the domain type).
CREATE TABLE service_hours (
    desk_id INTEGER PRIMARY KEY REFERENCES desk(id) ON DELETE CASCADE,
    hours TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Every saved version of every policy; the text is the TOML as written.
CREATE TABLE policy_version (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES user_account(id),
    UNIQUE (name, version)
);

-- Small settings: the active policy; the calendar's revision (bumped on every change, so
-- every node reloads its cached calendar).
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
