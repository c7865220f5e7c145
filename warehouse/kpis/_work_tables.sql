-- The indicator refresh's working tables, replaced whole by every refresh
-- (etl/indicators.py refresh_indicators).
-- Parts of every computed indicator, before rolling up: a village's part (village_code
-- set), a township's own part (village_code NULL), or the county's own (both NULL).
-- numerator NULL: nothing reported (a reported indicator's county value is then NULL).
CREATE OR REPLACE TABLE kpi_parts (
    kpi_code      VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    town_code     VARCHAR,
    village_code  VARCHAR,
    numerator     DOUBLE,
    denominator   DOUBLE           -- NULL for counts and sums
);

-- How each indicator is computed (warehouse/kpis/indicators.toml).
CREATE OR REPLACE TABLE kpi_definitions (
    kpi_code         VARCHAR PRIMARY KEY,
    measure          VARCHAR NOT NULL,   -- count | sum | rate
    from_month       INTEGER,            -- exists from this month of the year on (else NULL)
    null_when_empty  BOOLEAN NOT NULL    -- county value NULL when no part has a numerator
);

-- What an indicator needs to exist in a month: a ledger serving the month (`ledger`), a
-- ledger served in the year at or before the month (`since`: cumulative events), a check
-- evaluated for the month (`check`).
CREATE OR REPLACE TABLE kpi_requirements (
    kpi_code  VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,   -- ledger | since | check
    name      VARCHAR NOT NULL
);
