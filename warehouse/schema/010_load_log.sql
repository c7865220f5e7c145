-- Every file ever offered to the loader, one row per offer (loaded, unchanged or rejected).
CREATE TABLE IF NOT EXISTS load_log (
    load_id          BIGINT PRIMARY KEY,
    source           VARCHAR NOT NULL,   -- the inbox folder's name (a declared source or not)
    period           VARCHAR,            -- YYYY-MM or YYYY-Qn; NULL when none could be read
    file_name        VARCHAR NOT NULL,   -- path below inbox/
    sha256           VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,   -- loaded | unchanged | rejected
    reason_code      VARCHAR,            -- rejected only
    rows_read        BIGINT,
    rows_loaded      BIGINT,
    rows_quarantined BIGINT,
    rows_skipped     BIGINT,
    message          VARCHAR,            -- Chinese, for the clerk
    loaded_at        TIMESTAMP NOT NULL  -- Beijing time
);
