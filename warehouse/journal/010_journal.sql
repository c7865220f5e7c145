-- The journal: what must outlive any republished warehouse — the exceptions data officers
-- accept, the history of every validation, the uploads. A small DuckDB file beside the
-- warehouse (<warehouse>.journal.duckdb), published like it, under the same writer lock.

-- A failing row a data officer accepted as explained (异地参保 with proof …): it stops
-- failing for its check and entity in every month up to `up_to_period`, until withdrawn.
CREATE TABLE IF NOT EXISTS exceptions (
    exception_id      BIGINT PRIMARY KEY,
    check_id          VARCHAR NOT NULL,
    entity_key        VARCHAR NOT NULL,
    up_to_period      VARCHAR NOT NULL,   -- YYYY-MM, inclusive
    reason            VARCHAR NOT NULL,   -- why it is explained (Chinese)
    accepted_by       VARCHAR NOT NULL,   -- a typed name until logins exist
    accepted_at       TIMESTAMP NOT NULL, -- Beijing time
    withdrawn_by      VARCHAR,
    withdrawn_at      TIMESTAMP,
    withdrawn_reason  VARCHAR
);

-- Every validation: when, which command, which months it judged.
CREATE TABLE IF NOT EXISTS validation_runs (
    run_id       BIGINT PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP NOT NULL,
    command      VARCHAR NOT NULL,      -- validate | run | upload
    months       VARCHAR[] NOT NULL,    -- the months validated
    evaluated    INTEGER NOT NULL,      -- (check, month) pairs evaluated in this run
    kept         INTEGER NOT NULL       -- pairs whose inputs had not changed: kept as stored
);

-- Per run, every (check, month) result as it stood after the run.
CREATE TABLE IF NOT EXISTS validation_results (
    run_id        BIGINT NOT NULL,
    check_id      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,     -- passed | failed | not_evaluated
    failing_rows  BIGINT,               -- distinct entities (before exceptions)
    evaluated     BOOLEAN NOT NULL,     -- evaluated in this run (else kept)
    PRIMARY KEY (run_id, check_id, period)
);
