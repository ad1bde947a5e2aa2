-- A case's cost ledger: freight, handling, repair, parts, in fen, with who bears each.
CREATE TABLE case_cost (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES service_case(id),
    kind TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    payer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES user_account(id),
    created_by_name TEXT NOT NULL
);
CREATE INDEX case_cost_case_idx ON case_cost(case_id, id);
