-- X06 (error): a person recorded as 脱贫户/监测户 in employment, public_jobs, training or
-- loans who is not in `roster` that month, or whose 镇/村 differs from every roster row
-- of theirs (人户不一致). Each ledger is compared in the months it and `roster` have data.
WITH recorded AS (
    SELECT 'employment' AS ledger, period, file_name, row_number, id_number, town_code, village_code
    FROM stg_employment
    WHERE household_type IN ('脱贫户', '监测户')
    UNION ALL
    SELECT 'public_jobs', period, file_name, row_number, id_number, town_code, village_code
    FROM stg_public_jobs
    WHERE person_category IN ('脱贫户', '监测户')
    UNION ALL
    SELECT 'training', period, file_name, row_number, id_number, town_code, village_code
    FROM stg_training
    WHERE household_type IN ('脱贫户', '监测户')
    UNION ALL
    SELECT 'loans', period, file_name, row_number, id_number, town_code, village_code
    FROM stg_loans
    WHERE household_type IN ('脱贫户', '监测户')
),

compared AS (
    SELECT rec.*
    FROM recorded AS rec
    INNER JOIN core_ledger_months AS own ON rec.ledger = own.source AND rec.period = own.period
    INNER JOIN core_ledger_months AS sys ON sys.source = 'roster' AND rec.period = sys.period
    WHERE rec.period IN (SELECT period FROM check_scope)
),

roster_rows AS MATERIALIZED (
    SELECT period, id_number, town_code, village_code, row_number
    FROM stg_roster
    WHERE period IN (SELECT period FROM check_scope)
),

roster_place AS (  -- where the roster has each person: their earliest row
    SELECT period, id_number, min_by(village_code, row_number) AS village_code
    FROM roster_rows
    GROUP BY period, id_number
),

placed AS (
    SELECT
        c.*,
        rp.id_number IS NOT NULL AS in_roster,
        same.id_number IS NOT NULL AS same_place
    FROM compared AS c
    LEFT JOIN roster_place AS rp ON c.period = rp.period AND c.id_number = rp.id_number
    LEFT JOIN (SELECT DISTINCT period, id_number, town_code, village_code FROM roster_rows) AS same
        ON c.period = same.period
        AND c.id_number = same.id_number
        AND c.town_code = same.town_code
        AND c.village_code = same.village_code
)

SELECT
    p.period,
    p.id_number AS entity_key,
    p.id_number,
    NULL AS household_id,
    p.town_code,
    p.village_code,
    p.ledger,
    p.file_name,
    p.row_number,
    CASE WHEN NOT p.in_roster
        THEN s.title || '登记为脱贫户/监测户，防返贫监测系统花名册中没有此人'
        ELSE s.title || '：' || here.town_name || here.village_name
            || '；系统花名册：' || there.town_name || there.village_name
    END AS detail
FROM placed AS p
INNER JOIN source_catalog AS s ON p.ledger = s.source
LEFT JOIN ref_villages AS here ON p.village_code = here.village_code
LEFT JOIN roster_place AS rp ON p.period = rp.period AND p.id_number = rp.id_number
LEFT JOIN ref_villages AS there ON rp.village_code = there.village_code
WHERE NOT p.same_place
