-- Every rejected cell of a loaded file, with its reason (a row with two bad cells: two rows).
CREATE TABLE IF NOT EXISTS quarantine (
    load_id      BIGINT NOT NULL,
    row_number   BIGINT NOT NULL,   -- the row the clerk sees in Excel, or the CSV line
    column_name  VARCHAR NOT NULL,  -- the header as the file spells it
    field        VARCHAR,           -- the declared column it is (decides masking)
    raw_value    VARCHAR,
    reason_code  VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL   -- Chinese
);

ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS field VARCHAR;
-- The township of the cell's row, where its township or village code could be read (for
-- the dashboard's township scope); NULL otherwise.
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS town_code VARCHAR;
