-- Masking personal data for people who do not need it (spec/interfaces.md): a 身份证号 shows
-- its first 6 and last 4 characters, a name its surname. Readers use these in every query
-- that shows a person; nothing unmasked leaves the warehouse for a page or a download.
CREATE OR REPLACE MACRO mask_id(id) AS
    CASE WHEN id IS NULL THEN NULL
         WHEN length(id) <= 10 THEN repeat('*', length(id))
         ELSE left(id, 6) || repeat('*', length(id) - 10) || right(id, 4) END;

CREATE OR REPLACE MACRO mask_name(full_name) AS
    CASE WHEN full_name IS NULL THEN NULL
         WHEN length(full_name) <= 1 THEN full_name
         ELSE left(full_name, 1) || repeat('*', length(full_name) - 1) END;

-- Any cell shown to people: an ID or a name by its column, and an ID-shaped run of digits
-- wherever it was typed.
CREATE OR REPLACE MACRO mask_cell(field, value) AS
    CASE WHEN field = 'id_number' THEN mask_id(value)
         WHEN field = 'name' THEN mask_name(value)
         ELSE regexp_replace(value, '(\d{6})\d{8}(\d{3}[0-9Xx])', '\1********\2', 'g') END;
