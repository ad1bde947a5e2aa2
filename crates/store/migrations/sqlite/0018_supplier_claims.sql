-- Supplier claims: a cost the supplier bears is claimed back from them (open → claimed →
-- settled or rejected), with their claim number and what they paid; NULL for the costs of
-- the company and the customer. The partial index keeps the open claims' queue small.
ALTER TABLE case_cost ADD COLUMN claim_state TEXT;
ALTER TABLE case_cost ADD COLUMN claim_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE case_cost ADD COLUMN claim_settled_fen BIGINT;
ALTER TABLE case_cost ADD COLUMN claim_note TEXT NOT NULL DEFAULT '';
CREATE INDEX case_cost_claim_idx ON case_cost(claim_state, id) WHERE claim_state IN ('open', 'claimed');
