-- Every indicator for every month loaded (spec/interfaces.md). Rates are fractions. After
-- the interface's columns, the plan's: name (Chinese), action (1–10), kind (ledger |
-- reported | check), lead (the lead department) and headline (shown first in its action).
CREATE OR REPLACE VIEW v_kpi AS
SELECT
    kpi_code,
    period,
    level,
    town_code,
    village_code,
    value,
    target,
    expected,
    unit,
    status,
    name,
    action,
    kind,
    lead,
    headline
FROM kpi_values;
