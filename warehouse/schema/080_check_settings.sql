-- The checks' configured values (config/plan-<year>.toml, [checks]), rewritten by every
-- validation: thresholds, lines, days and amounts, the policy subsidy per 资助类别, the
-- spending milestones (A7-SPEND's, which X15 applies), the water survey's rounds, and the
-- day the validation ran ("today", from etl.clock) for the checks with deadlines.
CREATE TABLE IF NOT EXISTS check_settings (
    plan_year  INTEGER NOT NULL,
    name       VARCHAR NOT NULL,   -- x11_self_pay_threshold, x10_completed_from, …
    number     DOUBLE,             -- a number setting
    text       VARCHAR,            -- a month (YYYY-MM) or other text setting
    PRIMARY KEY (plan_year, name)
);

CREATE TABLE IF NOT EXISTS check_policy_amounts (
    plan_year  INTEGER NOT NULL,
    category   VARCHAR NOT NULL,   -- 资助类别
    amount     DECIMAL(18, 2) NOT NULL,
    PRIMARY KEY (plan_year, category)
);

CREATE TABLE IF NOT EXISTS check_milestones (
    plan_year    INTEGER NOT NULL,
    from_period  VARCHAR NOT NULL,  -- the milestone holds from this month's report on
    share        DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS check_survey_rounds (
    plan_year  INTEGER NOT NULL,
    round      VARCHAR NOT NULL     -- 排查批次, YYYY-MM
);

CREATE TABLE IF NOT EXISTS check_clock (
    today  DATE NOT NULL            -- the day the checks were evaluated on (one row)
);
