-- Indicators: the year's targets (from config/plan-<year>.toml) and the computed values,
-- rebuilt by every writing command (etl/indicators.py refresh_indicators; its working
-- tables kpi_definitions, kpi_requirements and kpi_parts are made by
-- warehouse/kpis/_work_tables.sql).
CREATE TABLE IF NOT EXISTS plan_kpi (
    plan_year      INTEGER NOT NULL,
    kpi_code       VARCHAR NOT NULL,
    action         INTEGER NOT NULL,
    name           VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,   -- ledger | reported | check
    direction      VARCHAR NOT NULL,   -- at_least | at_most | exactly | info
    target         DOUBLE,
    due            DATE,
    progress       VARCHAR,            -- level | cumulative | milestones
    unit           VARCHAR NOT NULL,
    is_demo_value  BOOLEAN NOT NULL,   -- a value the plan does not give
    plan_start     DATE NOT NULL,
    at_risk_share  DOUBLE NOT NULL,
    PRIMARY KEY (plan_year, kpi_code)
);

-- Columns added after the first release.
ALTER TABLE plan_kpi ADD COLUMN IF NOT EXISTS levels VARCHAR[];   -- of county, town, village
ALTER TABLE plan_kpi ADD COLUMN IF NOT EXISTS lead VARCHAR;       -- the lead department
ALTER TABLE plan_kpi ADD COLUMN IF NOT EXISTS headline BOOLEAN;   -- one or two per action

CREATE TABLE IF NOT EXISTS plan_milestones (
    plan_year  INTEGER NOT NULL,
    kpi_code   VARCHAR NOT NULL,
    from_period VARCHAR NOT NULL,   -- the milestone holds from this month's report on
    target     DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS kpi_values (
    kpi_code      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,  -- county | town | village
    town_code     VARCHAR,
    village_code  VARCHAR,
    value         DOUBLE,
    numerator     DOUBLE,
    denominator   DOUBLE,
    target        DOUBLE,
    expected      DOUBLE,
    unit          VARCHAR,
    status        VARCHAR            -- on_track | at_risk | off_track | info
);

-- Columns added after the first release (v_kpi shows them).
ALTER TABLE kpi_values ADD COLUMN IF NOT EXISTS name VARCHAR;
ALTER TABLE kpi_values ADD COLUMN IF NOT EXISTS action INTEGER;
ALTER TABLE kpi_values ADD COLUMN IF NOT EXISTS kind VARCHAR;
ALTER TABLE kpi_values ADD COLUMN IF NOT EXISTS lead VARCHAR;
ALTER TABLE kpi_values ADD COLUMN IF NOT EXISTS headline BOOLEAN;
