-- A4-PUBLIC-JOBS ($job_kind = ''): distinct persons of 人员类别 脱贫户 or 监测户 in post at
-- the month's end (上岗日期 by then, no 离岗日期 or one after it); its parts: the same per
-- 岗位类别 $job_kind. A person in the village of their earliest such row.
WITH posts AS (
    SELECT j.period, j.id_number, j.town_code, j.village_code
    FROM stg_public_jobs AS j
    INNER JOIN core_months AS m ON j.period = m.period
    WHERE j.person_category IN ('脱贫户', '监测户')
        AND j.start_date <= m.period_end
        AND (j.end_date IS NULL OR j.end_date > m.period_end)
        AND ($job_kind = '' OR j.job_kind = $job_kind)
    QUALIFY row_number() OVER (PARTITION BY j.period, j.id_number ORDER BY j.row_number) = 1
)

SELECT
    period,
    town_code,
    village_code,
    count(*) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM posts
GROUP BY period, town_code, village_code
