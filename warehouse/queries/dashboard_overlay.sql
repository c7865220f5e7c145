-- The journal overlay: not a query, but the views every dashboard connection makes once in
-- its own in-memory catalog (dashboard/data.py), over the published warehouse attached as
-- `warehouse` and the published journal attached as `journal` (an empty one when there is
-- none yet). The warehouse's views exclude the exceptions copied in at its last publish;
-- these exclude the journal's active ones as they stand now, so an exception recorded (or
-- withdrawn) on a page shows at once. Queries name them unqualified: a dashboard cursor's
-- search path is warehouse.main, then memory.main.

-- Who is looking (dashboard/data.py, Scope): a query showing personal rows keeps those in
-- the viewer's township ($scope_town NULL: every township) and shows IDs, names and cells
-- unmasked only when the role may see them so.
CREATE OR REPLACE MACRO memory.main.in_scope(scope_town, town, other_town) AS
    scope_town IS NULL OR town = scope_town OR other_town = scope_town;
CREATE OR REPLACE MACRO memory.main.shown_id(id, unmask) AS
    CASE WHEN unmask THEN id ELSE mask_id(id) END;
CREATE OR REPLACE MACRO memory.main.shown_name(full_name, unmask) AS
    CASE WHEN unmask THEN full_name ELSE mask_name(full_name) END;
CREATE OR REPLACE MACRO memory.main.shown_cell(field, value, unmask) AS
    CASE WHEN unmask THEN value ELSE mask_cell(field, value) END;

-- The failing rows still open: every failing row less those an active exception explains
-- (an exception holds for its check and entity in every month up to `up_to_period`).
CREATE OR REPLACE VIEW memory.main.open_failures AS
SELECT f.*
FROM warehouse.main.check_failures AS f
WHERE NOT EXISTS (
    SELECT 1
    FROM journal.main.exceptions AS x
    WHERE x.withdrawn_at IS NULL
        AND x.check_id = f.check_id
        AND x.entity_key = f.entity_key
        AND f.period <= x.up_to_period
);

-- The failing rows an active exception explains.
CREATE OR REPLACE VIEW memory.main.accepted_failures AS
SELECT f.*
FROM warehouse.main.check_failures AS f
WHERE EXISTS (
    SELECT 1
    FROM journal.main.exceptions AS x
    WHERE x.withdrawn_at IS NULL
        AND x.check_id = f.check_id
        AND x.entity_key = f.entity_key
        AND f.period <= x.up_to_period
);

-- Every check's latest result per month, as v_check_results computes it but on the open
-- failures: a pair whose every failing entity is accepted has passed. `accepted_rows`
-- counts the entities accepted as exceptions.
CREATE OR REPLACE VIEW memory.main.open_results AS
WITH failing AS (
    SELECT check_id, period, count(DISTINCT entity_key) AS entities
    FROM memory.main.open_failures
    GROUP BY check_id, period
),

accepted AS (
    SELECT check_id, period, count(DISTINCT entity_key) AS entities
    FROM memory.main.accepted_failures
    GROUP BY check_id, period
)

SELECT
    r.check_id,
    r.period,
    c.severity,
    CASE
        WHEN r.status = 'not_evaluated' THEN 'not_evaluated'
        WHEN coalesce(f.entities, 0) > 0 THEN 'failed'
        ELSE 'passed'
    END AS status,
    CASE WHEN r.status = 'not_evaluated' THEN NULL ELSE coalesce(f.entities, 0) END AS failing_rows,
    coalesce(a.entities, 0) AS accepted_rows,
    r.evaluated_at,
    r.note
FROM warehouse.main.check_results AS r
INNER JOIN warehouse.main.check_catalog AS c ON r.check_id = c.check_id
LEFT JOIN failing AS f ON r.check_id = f.check_id AND r.period = f.period
LEFT JOIN accepted AS a ON r.check_id = a.check_id AND r.period = a.period;

-- A failing row's ledger (`roster`; `employment,roster` for a check on a village): the
-- Chinese titles of its ledgers, and each department that corrects one of them — the
-- department of the ledger (source_catalog.department) corrects the row.
CREATE OR REPLACE VIEW memory.main.ledger_parts AS
SELECT DISTINCT
    ledger,
    unnest(string_split(ledger, ',')) AS source
FROM warehouse.main.check_failures
WHERE ledger IS NOT NULL;

CREATE OR REPLACE VIEW memory.main.ledger_titles AS
SELECT
    p.ledger,
    string_agg(coalesce(s.title, p.source), '、' ORDER BY p.source) AS ledger_title
FROM memory.main.ledger_parts AS p
LEFT JOIN warehouse.main.source_catalog AS s ON p.source = s.source
GROUP BY p.ledger;

CREATE OR REPLACE VIEW memory.main.ledger_departments AS
SELECT DISTINCT
    p.ledger,
    coalesce(s.department, '未登记的台账（' || p.source || '）') AS department
FROM memory.main.ledger_parts AS p
LEFT JOIN warehouse.main.source_catalog AS s ON p.source = s.source;
