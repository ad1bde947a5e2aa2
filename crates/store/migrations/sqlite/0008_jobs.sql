-- Durable background work (clock recomputation after a calendar change; later notifications,
-- imports, exports, scheduled reports). A job is claimed with a lease; a process that dies
-- leaves its lease to run out and another process takes the job over. A failure is retried
-- with backoff; after max_attempts the job is dead and shown to administrators.
CREATE TABLE job (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- queued, running, done, dead
    state TEXT NOT NULL,
    -- Queued jobs with the same kind and key are one job (a second calendar change while a
    -- recomputation waits adds nothing).
    dedupe_key TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_after TEXT NOT NULL,
    lease_until TEXT,
    locked_by TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX job_ready_idx ON job(run_after, id) WHERE state = 'queued';
CREATE INDEX job_lease_idx ON job(lease_until, id) WHERE state = 'running';
CREATE INDEX job_state_idx ON job(state, id);
CREATE UNIQUE INDEX job_dedupe_idx ON job(kind, dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL;
