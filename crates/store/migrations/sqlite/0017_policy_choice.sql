-- Several policies in force: how a unit was sold (which decides, with the product's category
-- and the customer's kind, the policy it runs under; NULL for units registered before the
-- channel was kept), and the policy a desk's cases without a unit run under (NULL: the
-- default policy).
ALTER TABLE unit ADD COLUMN channel TEXT;
ALTER TABLE desk ADD COLUMN policy_name TEXT;
