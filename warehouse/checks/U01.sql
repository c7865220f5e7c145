-- U01 (error): a ledger's key is unique in the rows a month sees — one failing row per
-- repeated row. Keys come from etl/sources.toml through stg_ledger_keys; a month sees its
-- own file of a monthly ledger, the latest quarter of `income`, the year's `water_points`
-- (core_ledger_months). The months checked are those of `check_scope`.
WITH keys AS MATERIALIZED (
    SELECT
        lm.period,
        k.source,
        k.file_name,
        k.row_number,
        k.key_text,
        k.entity_key,
        k.id_number,
        k.household_id,
        k.town_code,
        k.village_code
    FROM stg_ledger_keys AS k
    INNER JOIN core_ledger_months AS lm
        ON k.source = lm.source AND k.period = lm.ledger_period
    WHERE lm.period IN (SELECT period FROM check_scope)
),

repeated AS (
    SELECT
        source,
        period,
        key_text,
        count(*) AS copies,
        string_agg(CAST(row_number AS VARCHAR), '、' ORDER BY row_number) AS rows_listed
    FROM keys
    GROUP BY source, period, key_text
    HAVING count(*) > 1
)

SELECT
    k.period,
    k.entity_key,
    k.id_number,
    k.household_id,
    k.town_code,
    k.village_code,
    k.source AS ledger,
    k.file_name,
    k.row_number,
    '同一期间重复 ' || r.copies || ' 次（第 ' || r.rows_listed || ' 行）' AS detail
FROM keys AS k
INNER JOIN repeated AS r
    ON k.source = r.source AND k.period = r.period AND k.key_text = r.key_text
