-- Every case, customer and timeline entry carries a seal: a MAC of its fields made with the
-- audit key (kept outside the database), rewritten by every change Sanbao makes, so an edit
-- made in the database directly is named by `audit verify`. Rows written before this
-- migration are sealed once when the server next starts (with an audit entry saying so).
ALTER TABLE service_case ADD COLUMN seal TEXT;
ALTER TABLE customer ADD COLUMN seal TEXT;
ALTER TABLE case_event ADD COLUMN seal TEXT;
-- Finding the rows still to seal stays cheap at a million rows.
CREATE INDEX service_case_unsealed_idx ON service_case(id) WHERE seal IS NULL;
CREATE INDEX customer_unsealed_idx ON customer(id) WHERE seal IS NULL;
CREATE INDEX case_event_unsealed_idx ON case_event(id) WHERE seal IS NULL;
