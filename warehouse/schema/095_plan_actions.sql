-- The plan's ten actions and its dispatch meetings (config/plan-<year>.toml [actions] and
-- plan.dispatch_meetings), written with the indicators (etl/indicators.py).
CREATE TABLE IF NOT EXISTS plan_actions (
    plan_year  INTEGER NOT NULL,
    action     INTEGER NOT NULL,
    title      VARCHAR NOT NULL,
    PRIMARY KEY (plan_year, action)
);

CREATE TABLE IF NOT EXISTS plan_meetings (
    plan_year  INTEGER NOT NULL,
    period     VARCHAR NOT NULL   -- YYYY-MM: the meeting is held at that month's end (季调度)
);

-- The township comparison (config [contest]): the counts scored besides every rate with a
-- target, and each township's share of their county targets.
CREATE TABLE IF NOT EXISTS contest_counts (
    plan_year  INTEGER NOT NULL,
    kpi_code   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS contest_shares (
    plan_year  INTEGER NOT NULL,
    town_code  VARCHAR NOT NULL,
    share      DOUBLE NOT NULL,
    is_demo    BOOLEAN NOT NULL
);
