-- What the warehouse knows about its sources, checks and places. Rewritten from the
-- declarations (etl/sources.toml, expectations/checks.toml, the gazetteer) by every writer.
CREATE TABLE IF NOT EXISTS source_catalog (
    source      VARCHAR PRIMARY KEY,
    title       VARCHAR NOT NULL,  -- the department's Chinese title
    department  VARCHAR NOT NULL,
    frequency   VARCHAR NOT NULL,  -- monthly | quarterly | yearly
    kind        VARCHAR NOT NULL   -- snapshot | events
);

CREATE TABLE IF NOT EXISTS ref_villages (
    village_code           VARCHAR PRIMARY KEY,  -- 12 digits
    village_name           VARCHAR NOT NULL,     -- names repeat across townships
    village_kind           VARCHAR NOT NULL,     -- 村 | 社区
    town_code              VARCHAR NOT NULL,     -- 9 digits
    town_name              VARCHAR NOT NULL,
    registered_households  INTEGER
);

CREATE TABLE IF NOT EXISTS check_catalog (
    check_id    VARCHAR PRIMARY KEY,
    severity    VARCHAR NOT NULL,  -- error | warning
    title       VARCHAR NOT NULL,  -- short Chinese name
    rule        VARCHAR NOT NULL,  -- the rule in plain Chinese
    ledgers     VARCHAR NOT NULL,  -- the ledgers it reads, Chinese titles joined by 、
    department  VARCHAR NOT NULL,  -- who corrects what
    entity      VARCHAR NOT NULL   -- what an entity key is
);
