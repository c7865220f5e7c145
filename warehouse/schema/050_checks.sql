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
-- What the result depended on (expectations/fingerprints.py): `run` re-evaluates a pair
-- only when this changes.
ALTER TABLE check_results ADD COLUMN IF NOT EXISTS fingerprint VARCHAR;

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
-- The failing ledger row's own township (town_code is the roster's where the person is
-- in `roster`): a 乡镇专员 sees a failing row in either township (dashboard scope).
ALTER TABLE check_failures ADD COLUMN IF NOT EXISTS ledger_town_code VARCHAR;

-- The exceptions data officers accepted (their record is the journal, etl/journal.py):
-- copied in by every writer, so the views below exclude them as of each publish. An
-- exception holds for its check and entity in every month up to `up_to_period`.
CREATE TABLE IF NOT EXISTS check_exceptions (
    exception_id  BIGINT,
    check_id      VARCHAR NOT NULL,
    entity_key    VARCHAR NOT NULL,
    up_to_period  VARCHAR,
    accepted_by   VARCHAR NOT NULL,
    accepted_at   TIMESTAMP NOT NULL,
    reason        VARCHAR NOT NULL
);

ALTER TABLE check_exceptions ADD COLUMN IF NOT EXISTS exception_id BIGINT;
ALTER TABLE check_exceptions ADD COLUMN IF NOT EXISTS up_to_period VARCHAR;
