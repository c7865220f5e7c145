-- Indicators: the year's targets (from config/plan-<year>.toml) and the computed values,
-- rebuilt by every writing command.
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

CREATE TABLE IF NOT EXISTS plan_milestones (
    plan_year  INTEGER NOT NULL,
    kpi_code   VARCHAR NOT NULL,
    from_period VARCHAR NOT NULL,   -- the milestone holds from this month's report on
    target     DOUBLE NOT NULL
);

-- Village-level parts of every computed indicator, before rolling up.
CREATE TABLE IF NOT EXISTS kpi_parts (
    kpi_code      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    village_code  VARCHAR,         -- NULL for a part counted at the county only
    numerator     DOUBLE NOT NULL,
    denominator   DOUBLE           -- NULL for counts and sums
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

-- How each indicator is computed (warehouse/kpis/indicators.toml).
CREATE TABLE IF NOT EXISTS kpi_definitions (
    kpi_code    VARCHAR PRIMARY KEY,
    ledger      VARCHAR NOT NULL,
    measure     VARCHAR NOT NULL,   -- count | sum | rate
    cumulative  BOOLEAN NOT NULL
);
