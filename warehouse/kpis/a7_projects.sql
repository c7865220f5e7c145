-- A7-SPEND ($measure = 'spend'): Σ 累计支出 ÷ Σ 衔接资金; A7-CLAIMED ('claimed'): Σ 报账金额
-- ÷ Σ 衔接资金; A7-START ('start'): projects 在建 or 已完工 ÷ projects; A7-DONE ('done'):
-- 已完工 ÷ projects. A 项目编号 once, earliest row. A 全县 project is the county's own part
-- (no township), a township's project without a 行政村 its township's own part.
WITH projects AS (
    SELECT period, project_id, town_code, village_code, status,
        CAST(funds AS DOUBLE) AS funds,
        CAST(spent AS DOUBLE) AS spent,
        CAST(coalesce(claimed, 0) AS DOUBLE) AS claimed
    FROM stg_projects
    QUALIFY row_number() OVER (PARTITION BY period, project_id ORDER BY row_number) = 1
)

SELECT
    period,
    CASE WHEN length(town_code) = 9 THEN town_code END AS town_code,
    CASE WHEN length(town_code) = 9 THEN village_code END AS village_code,
    sum(
        CASE $measure
            WHEN 'spend' THEN spent
            WHEN 'claimed' THEN claimed
            WHEN 'start' THEN CASE WHEN status IN ('在建', '已完工') THEN 1 ELSE 0 END
            ELSE CASE WHEN status = '已完工' THEN 1 ELSE 0 END
        END
    ) AS numerator,
    sum(CASE WHEN $measure IN ('spend', 'claimed') THEN funds ELSE 1 END) AS denominator
FROM projects
GROUP BY ALL
