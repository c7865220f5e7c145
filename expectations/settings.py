"""The checks' configured values, written into the warehouse for the checks' SQL to join.

Every value a check compares with — a threshold, a line, a number of days, a policy amount,
a milestone, a survey round, today's date — comes from the plan year's configuration
(`config/plan-<year>.toml`, `[checks]`; X15's milestones are A7-SPEND's) or the clock, never
from the SQL text: next year's plan changes the file, not the checks.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from etl.clock import today
from etl.settings import CONFIG_DIR
from etl.targets import plan

MILESTONE_KPI = "A7-SPEND"  # X15 applies its milestones


def plan_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The plan years the warehouse has months of and a configuration for."""
    years = {int(p[:4]) for (p,) in con.execute("SELECT period FROM core_months").fetchall()}
    return sorted(y for y in years if (CONFIG_DIR / f"plan-{y}.toml").exists())


def write_check_settings(con: duckdb.DuckDBPyConnection, on: dt.date | None = None) -> None:
    """Rewrite the settings tables from the configuration of every plan year loaded."""
    for table in (
        "check_settings",
        "check_policy_amounts",
        "check_milestones",
        "check_survey_rounds",
        "check_clock",
    ):
        con.execute(f"DELETE FROM {table}")  # names from this list only
    for year in plan_years(con):
        config = plan(year)
        settings, amounts, rounds = [], [], []
        for name, value in config.get("checks", {}).items():
            if name == "x02_policy_amounts":
                amounts += [[year, category, amount] for category, amount in value.items()]
            elif name == "x17_rounds":
                rounds += [[year, r] for r in value]
            elif isinstance(value, int | float):
                settings.append([year, name, float(value), None])
            else:
                settings.append([year, name, None, str(value)])
        milestones = [
            [year, period, share]
            for k in config["kpi"]
            if k["code"] == MILESTONE_KPI
            for period, share in k.get("milestones", [])
        ]
        for table, rows in (
            ("check_settings", settings),
            ("check_policy_amounts", amounts),
            ("check_milestones", milestones),
            ("check_survey_rounds", rounds),
        ):
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    con.execute("INSERT INTO check_clock VALUES (?)", [on or today()])
