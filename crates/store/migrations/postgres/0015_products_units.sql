-- The product catalogue and the units sold of it (DESIGN "Products, sales and devices").
CREATE TABLE product (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    manufacturer TEXT NOT NULL DEFAULT '',
    specification TEXT NOT NULL DEFAULT '',
    price_fen BIGINT,
    warranty_months INTEGER NOT NULL,
    tracking TEXT NOT NULL,
    installation_required BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES user_account(id),
    seal TEXT
);
CREATE INDEX product_unsealed_idx ON product(id) WHERE seal IS NULL;

-- One sold item by serial number, or one batch with its quantity. The policy in force at
-- the sale is kept by name and version (a version is never changed once saved), so later
-- edits leave the unit's terms alone. An exchange's new unit names the one it replaced.
CREATE TABLE unit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial TEXT NOT NULL UNIQUE,
    quantity INTEGER NOT NULL DEFAULT 1,
    product_id BIGINT NOT NULL REFERENCES product(id),
    customer_id BIGINT NOT NULL REFERENCES customer(id),
    sold_on DATE NOT NULL,
    delivered_on DATE,
    installed_on DATE,
    invoice_no TEXT NOT NULL DEFAULT '',
    policy_name TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    replaces_id BIGINT REFERENCES unit(id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by BIGINT REFERENCES user_account(id),
    seal TEXT
);
CREATE INDEX unit_invoice_idx ON unit(invoice_no) WHERE invoice_no <> '';
CREATE INDEX unit_customer_idx ON unit(customer_id, id);
CREATE INDEX unit_product_idx ON unit(product_id, id);
CREATE INDEX unit_unsealed_idx ON unit(id) WHERE seal IS NULL;

-- The unit a case is about (a return, a repair, a maintenance visit), and a unit's cases.
CREATE TABLE case_unit (
    case_id BIGINT PRIMARY KEY REFERENCES service_case(id),
    unit_id BIGINT NOT NULL REFERENCES unit(id)
);
CREATE INDEX case_unit_unit_idx ON case_unit(unit_id, case_id);
