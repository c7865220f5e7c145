-- Check results: the latest verdict of every check for every month it was run on, and
-- every failing ledger row behind it (spec/interfaces.md, v_check_results / v_check_failures).
CREATE TABLE IF NOT EXISTS check_results (
    check_id      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,  -- passed | failed | not_evaluated (before exceptions)
    evaluated_at  TIMESTAMP NOT NULL,
    note          VARCHAR,           -- why it was not evaluated (Chinese), else NULL
    PRIMARY KEY (check_id, period)
);

ALTER TABLE check_results ADD COLUMN IF NOT EXISTS note VARCHAR;

CREATE TABLE IF NOT EXISTS check_failures (
    check_id      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    entity_key    VARCHAR NOT NULL,
    id_number     VARCHAR,
    household_id  VARCHAR,
    town_code     VARCHAR,
    village_code  VARCHAR,
    ledger        VARCHAR,
    file_name     VARCHAR,
    row_number    BIGINT,
    detail        VARCHAR,
    person_name   VARCHAR   -- the person's name in `roster` that month (pages mask it)
);

ALTER TABLE check_failures ADD COLUMN IF NOT EXISTS person_name VARCHAR;

-- A failure a data officer accepted as correct (who, when, why): it stops failing.
CREATE TABLE IF NOT EXISTS check_exceptions (
    check_id     VARCHAR NOT NULL,
    period       VARCHAR,            -- NULL: every period
    entity_key   VARCHAR NOT NULL,
    accepted_by  VARCHAR NOT NULL,
    accepted_at  TIMESTAMP NOT NULL,
    reason       VARCHAR NOT NULL
);
