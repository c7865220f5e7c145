-- Which ledger has data for which evaluated month. A monthly ledger serves its own month;
-- a quarterly one its quarter's last month and the months after it (the latest quarter
-- loaded); the yearly water_points every month of its year.
CREATE OR REPLACE VIEW core_ledger_months AS
WITH served AS (
    SELECT
        c.source,
        m.period,
        c.period AS ledger_period,
        row_number() OVER (PARTITION BY c.source, m.period ORDER BY c.period DESC) AS recency
    FROM current_load AS c
    INNER JOIN source_catalog AS s ON c.source = s.source
    INNER JOIN core_months AS m
        ON (s.frequency = 'monthly' AND m.period = c.period)
        OR (
            s.frequency = 'quarterly'
            AND left(m.period, 4) = left(c.period, 4)
            AND CAST(right(m.period, 2) AS INTEGER) >= 3 * CAST(right(c.period, 1) AS INTEGER)
        )
        OR (s.frequency = 'yearly' AND left(m.period, 4) = left(c.period, 4))
)
SELECT source, period, ledger_period
FROM served
WHERE recency = 1;
