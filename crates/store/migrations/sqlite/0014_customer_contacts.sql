-- One customer per company: an organisation has several contacts (people, each with their own
-- phone), and its 统一社会信用代码 names it once. A phone belongs to one contact of one customer;
-- `customer.phone` stays as the customer's main phone (its first contact's).
CREATE TABLE customer_contact (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customer(id),
    name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    seal TEXT
);
CREATE INDEX customer_contact_customer_idx ON customer_contact(customer_id, id);
CREATE INDEX customer_contact_unsealed_idx ON customer_contact(id) WHERE seal IS NULL;

-- A customer merged into another: links to the one merged away lead to the one kept.
-- `merged_by` is empty for the merges this migration made.
CREATE TABLE customer_merge (
    from_id INTEGER PRIMARY KEY,
    into_id INTEGER NOT NULL REFERENCES customer(id),
    merged_at TEXT NOT NULL,
    merged_by INTEGER REFERENCES user_account(id)
);
CREATE INDEX customer_merge_into_idx ON customer_merge(into_id);

-- Every customer's phone becomes their first contact (an individual is their own contact).
INSERT INTO customer_contact (customer_id, name, role, phone, created_at)
    SELECT id, CASE WHEN kind = 'individual' THEN name ELSE '' END, '', phone, created_at
    FROM customer ORDER BY id;

-- Customers entered once per caller's phone with the same credit code become the oldest of
-- them: its cases and contacts move there. The rows moved are sealed again when the server
-- starts, with an audit entry that counts them.
INSERT INTO customer_merge (from_id, into_id, merged_at, merged_by)
    SELECT c.id, k.keep, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), NULL
    FROM customer c
    JOIN (SELECT credit_code, MIN(id) AS keep FROM customer
          WHERE credit_code IS NOT NULL GROUP BY credit_code HAVING COUNT(*) > 1) k
      ON k.credit_code = c.credit_code
    WHERE c.id <> k.keep;
UPDATE service_case SET seal = NULL,
    customer_id = (SELECT into_id FROM customer_merge m WHERE m.from_id = service_case.customer_id)
    WHERE customer_id IN (SELECT from_id FROM customer_merge);
UPDATE customer_contact SET seal = NULL,
    customer_id = (SELECT into_id FROM customer_merge m WHERE m.from_id = customer_contact.customer_id)
    WHERE customer_id IN (SELECT from_id FROM customer_merge);
DELETE FROM customer WHERE id IN (SELECT from_id FROM customer_merge);

CREATE UNIQUE INDEX customer_credit_code_idx ON customer(credit_code) WHERE credit_code IS NOT NULL;
