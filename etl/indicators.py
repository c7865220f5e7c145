"""Refreshing the indicators: the plan's targets in, every indicator's values out.

Run by every writing command before it publishes (`load`, `validate`, `run`, the
dashboard's upload), after the checks: the check-derived indicators read the stored
results less the accepted exceptions (`check_failures_open`), so a `validate` recomputes
them, and an exception accepted or withdrawn in the journal reaches them at the next
publish (the build mirrors the journal's exceptions before this runs).

The SQL lives in warehouse/kpis/ (an indicator's parts by month and place) and
warehouse/marts/kpi_values.sql (levels, targets, expected values, status); which indicator
is computed how is declared in warehouse/kpis/indicators.toml, its targets, levels, lead
department and headline flag in config/plan-<year>.toml.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache

import duckdb

from etl.forecasts import refresh_forecasts, write_actions
from etl.settings import CONFIG_DIR
from etl.targets import plan
from etl.warehouse import sql_path, sql_text

LEVELS = ("county", "town", "village")
REPORTED_SQL = "kpis/reported.sql"


@cache
def declared() -> dict[str, dict]:
    """warehouse/kpis/indicators.toml as written."""
    return tomllib.loads(sql_path("kpis/indicators.toml").read_text(encoding="utf-8"))


def definitions(years: list[int] | None = None) -> dict[str, dict]:
    """How every indicator of the plan year(s) is computed: the declared ones, and each
    reported indicator without an entry read by kpis/reported.sql."""
    out = {code: dict(d) for code, d in declared().items()}
    configs = [plan(y) for y in years] if years else [plan()]
    for config in configs:
        for k in config["kpi"]:
            if k["kind"] == "reported" and k["code"] not in out:
                mode = "level" if k.get("progress") == "level" else "cumulative"
                out[k["code"]] = {
                    "sql": REPORTED_SQL,
                    "measure": "count",
                    "ledgers": ["indicators"],
                    "null_when_empty": True,
                    "params": {"mode": mode, "share": ""},
                }
    return out


def _plan_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    years = {int(p[:4]) for (p,) in con.execute("SELECT period FROM core_months").fetchall()}
    return sorted(y for y in years if (CONFIG_DIR / f"plan-{y}.toml").exists())


def _levels(k: dict) -> list[str]:
    levels = k.get("levels", list(LEVELS))
    unknown = set(levels) - set(LEVELS)
    if unknown or not levels:
        raise ValueError(f"指标 {k['code']} 的 levels 配置有误：{levels}")
    return [lv for lv in LEVELS if lv in levels]


def write_plan(con: duckdb.DuckDBPyConnection, years: list[int] | None = None) -> None:
    """The targets of every plan year the warehouse has months of."""
    con.execute("DELETE FROM plan_kpi")
    con.execute("DELETE FROM plan_milestones")
    for year in _plan_years(con) if years is None else years:
        config = plan(year)
        share = config["status"]["at_risk_share"]
        start = config["plan"]["start"]
        con.executemany(
            "INSERT INTO plan_kpi (plan_year, kpi_code, action, name, kind, direction, target, "
            "due, progress, unit, is_demo_value, plan_start, at_risk_share, levels, lead, "
            "headline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    year,
                    k["code"],
                    k["action"],
                    k["name"],
                    k["kind"],
                    k["direction"],
                    k.get("target"),
                    k.get("due"),
                    k.get("progress"),
                    k["unit"],
                    bool(k.get("demo", False)),
                    start,
                    share,
                    _levels(k),
                    k.get("lead", ""),
                    bool(k.get("headline", False)),
                ]
                for k in config["kpi"]
            ],
        )
        milestones = [
            [year, k["code"], period, value]
            for k in config["kpi"]
            for period, value in k.get("milestones", [])
        ]
        if milestones:
            con.executemany("INSERT INTO plan_milestones VALUES (?, ?, ?, ?)", milestones)


def _configured(value, config: dict):
    """A declared parameter, or the configured value it names (`plan:checks.x13_entry_days`)."""
    if isinstance(value, str) and value.startswith("plan:"):
        for key in value.removeprefix("plan:").split("."):
            config = config[key]
        return config
    return value


def _bound(sql: str, code: str, params: dict, config: dict) -> dict:
    """The parameters the SQL names ($name), from the declaration and the code."""
    values = {"kpi_code": code, **{k: _configured(v, config) for k, v in params.items()}}
    names = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    missing = names - set(values)
    if missing:
        raise KeyError(f"{code}: no value for {sorted(missing)}")
    return {n: values[n] for n in names}


def refresh_indicators(con: duckdb.DuckDBPyConnection) -> None:
    years = _plan_years(con)
    write_plan(con, years)
    defs = definitions(years)
    config = plan(years[-1]) if years else plan()
    con.execute(sql_text("kpis/_work_tables.sql"))
    con.executemany(
        "INSERT INTO kpi_definitions VALUES (?, ?, ?, ?)",
        [
            [code, d["measure"], d.get("from_month"), bool(d.get("null_when_empty", False))]
            for code, d in defs.items()
        ],
    )
    requirements = [
        [code, kind, name]
        for code, d in defs.items()
        for kind, key in (("ledger", "ledgers"), ("since", "since"), ("check", "checks"))
        for name in d.get(key, [])
    ]
    if requirements:
        con.executemany("INSERT INTO kpi_requirements VALUES (?, ?, ?)", requirements)
    for code, d in defs.items():
        sql = sql_text(d["sql"])
        con.execute(
            "INSERT INTO kpi_parts SELECT $kpi_code AS kpi_code, parts.* FROM ("
            + sql
            + ") AS parts",
            _bound(sql + " $kpi_code", code, d.get("params", {}), config),
        )
    con.execute(sql_text("marts/kpi_values.sql"))
    write_actions(con, years)
    refresh_forecasts(con, years)
