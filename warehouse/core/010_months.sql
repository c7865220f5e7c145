-- The months checks and indicators are evaluated for: every month for which at least one
-- monthly source has a loaded file (spec/checks.md). Quarterly and yearly extracts serve
-- months but create none.
CREATE OR REPLACE VIEW core_months AS
SELECT DISTINCT
    c.period,
    CAST(c.period || '-01' AS DATE) AS period_start,
    CAST(c.period || '-01' AS DATE) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS period_end
FROM current_load AS c
INNER JOIN source_catalog AS s ON c.source = s.source
WHERE s.frequency = 'monthly';
