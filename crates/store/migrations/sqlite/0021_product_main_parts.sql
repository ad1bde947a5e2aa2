-- Main parts warranted longer than the whole unit (an air conditioner's compressor): what
-- they are and their months. NULL for none, and for products entered before (outside the
-- row's seal).
ALTER TABLE product ADD COLUMN main_parts TEXT;
ALTER TABLE product ADD COLUMN main_parts_months INTEGER;
