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
