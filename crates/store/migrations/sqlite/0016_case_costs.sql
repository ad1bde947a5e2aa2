-- A case's cost ledger: freight, handling, repair, parts, in fen, with who bears each.
CREATE TABLE case_cost (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES service_case(id),
    kind TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    payer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES user_account(id),
    created_by_name TEXT NOT NULL
);
CREATE INDEX case_cost_case_idx ON case_cost(case_id, id);
