-- Satisfaction surveys: one invitation per closed case, answered once before it expires
-- (CSAT 1–5, NPS 0–10, a comment). The link carries a signature of the case and the
-- invitation's time; the row is what makes it single-use.
CREATE TABLE survey (
    case_id BIGINT PRIMARY KEY REFERENCES service_case(id),
    invited_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    answered_at TEXT,
    csat INTEGER,
    nps INTEGER,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX survey_answered_idx ON survey(answered_at) WHERE answered_at IS NOT NULL;
