"""Refreshing the indicators: the plan's targets in, every indicator's values out.

Run by every writing command before it publishes. The SQL lives in warehouse/kpis/ (one
file per indicator, its parts by village and month) and warehouse/marts/kpi_values.sql
(levels, targets, expected values, status); which indicator is computed how is declared
in warehouse/kpis/indicators.toml, its targets in config/plan-<year>.toml.
"""

from __future__ import annotations

import tomllib
from functools import cache

import duckdb

from etl.settings import CONFIG_DIR
from etl.targets import plan
from etl.warehouse import sql_path, sql_text


@cache
def definitions() -> dict[str, dict]:
    return tomllib.loads(sql_path("kpis/indicators.toml").read_text(encoding="utf-8"))


def _plan_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    years = {int(p[:4]) for (p,) in con.execute("SELECT period FROM core_months").fetchall()}
    return sorted(y for y in years if (CONFIG_DIR / f"plan-{y}.toml").exists())


def write_plan(con: duckdb.DuckDBPyConnection) -> None:
    """The targets of every plan year the warehouse has months of."""
    con.execute("DELETE FROM plan_kpi")
    con.execute("DELETE FROM plan_milestones")
    for year in _plan_years(con):
        config = plan(year)
        share = config["status"]["at_risk_share"]
        start = config["plan"]["start"]
        con.executemany(
            "INSERT INTO plan_kpi VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


def refresh_indicators(con: duckdb.DuckDBPyConnection) -> None:
    write_plan(con)
    con.execute("DELETE FROM kpi_definitions")
    con.executemany(
        "INSERT INTO kpi_definitions VALUES (?, ?, ?, ?)",
        [[code, d["ledger"], d["measure"], d["cumulative"]] for code, d in definitions().items()],
    )
    con.execute("DELETE FROM kpi_parts")
    for code, d in definitions().items():
        con.execute(
            "INSERT INTO kpi_parts SELECT ? AS kpi_code, parts.* FROM ("
            + sql_text(d["sql"])
            + ") AS parts",
            [code],
        )
    con.execute(sql_text("marts/kpi_values.sql"))
