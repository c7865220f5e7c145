-- Year-end forecasts (warehouse/marts/kpi_forecasts.sql, rebuilt with the indicators) and
-- the two numbers of their method, from config/plan-<year>.toml [forecast].
CREATE TABLE IF NOT EXISTS forecast_method (
    plan_year      INTEGER PRIMARY KEY,
    drift_damping  DOUBLE NOT NULL,   -- share of the recent monthly change carried forward
    interval_z     DOUBLE NOT NULL    -- half-width of the 80 % interval in step deviations
);

CREATE TABLE IF NOT EXISTS kpi_forecasts (
    kpi_code      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,   -- the month the forecast is made as of
    level         VARCHAR NOT NULL,
    town_code     VARCHAR,
    village_code  VARCHAR,
    due_period    VARCHAR NOT NULL,   -- YYYY-MM of the due date
    due           DATE NOT NULL,
    months_ahead  INTEGER NOT NULL,
    value         DOUBLE,             -- as of `period`
    forecast      DOUBLE,
    low           DOUBLE,             -- the 80 % interval (NULL: too few months to say)
    high          DOUBLE,
    target        DOUBLE,
    direction     VARCHAR,
    method        VARCHAR,            -- pace | milestones | trend
    outlook       VARCHAR             -- likely | uncertain | unlikely (NULL: no target here)
);
