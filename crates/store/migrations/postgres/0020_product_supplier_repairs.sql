-- Whether the supplier's quality agreement covers a product's repairs (seed 二.3: 供货方的维修
-- 条款): only then may a case's cost be charged to, and claimed back from, the supplier. NULL
-- for products entered before the terms were kept (read as not covered, and outside the
-- row's seal).
ALTER TABLE product ADD COLUMN supplier_repairs BOOLEAN;
