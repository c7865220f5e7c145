"""Year-end forecasts: where each indicator will stand on its due date, with an 80 % interval;
and the plan's actions and dispatch meetings the leaders' page reads beside them.

Rebuilt with the indicators (etl/indicators.py refresh_indicators), from `kpi_values`:
warehouse/marts/kpi_forecasts.sql holds the method, config/plan-<year>.toml [forecast] its
two numbers, `bench/forecast.py` backtests them. The meeting pack reads `v_kpi_forecast`.
"""

from __future__ import annotations

import duckdb

from etl.targets import plan
from etl.warehouse import sql_text


def write_actions(con: duckdb.DuckDBPyConnection, years: list[int]) -> None:
    """The plan's ten actions, its dispatch meetings and its township comparison, per year."""
    con.execute("DELETE FROM plan_actions")
    con.execute("DELETE FROM plan_meetings")
    con.execute("DELETE FROM contest_counts")
    con.execute("DELETE FROM contest_shares")
    for year in years:
        config = plan(year)
        actions = [[year, int(n), title] for n, title in config["actions"].items()]
        con.executemany("INSERT INTO plan_actions VALUES (?, ?, ?)", actions)
        meetings = [[year, p] for p in config["plan"]["dispatch_meetings"]]
        con.executemany("INSERT INTO plan_meetings VALUES (?, ?)", meetings)
        contest = config["contest"]
        if abs(sum(contest["shares"].values()) - 1) > 1e-6:
            raise ValueError(f"plan-{year}.toml [contest.shares] 之和应为 1")
        con.executemany(
            "INSERT INTO contest_counts VALUES (?, ?)", [[year, c] for c in contest["counts"]]
        )
        con.executemany(
            "INSERT INTO contest_shares VALUES (?, ?, ?, ?)",
            [[year, t, share, contest["demo"]] for t, share in contest["shares"].items()],
        )


def refresh_forecasts(con: duckdb.DuckDBPyConnection, years: list[int]) -> None:
    con.execute("DELETE FROM forecast_method")
    for year in years:
        method = plan(year)["forecast"]
        con.execute(
            "INSERT INTO forecast_method VALUES (?, ?, ?)",
            [year, float(method["drift_damping"]), float(method["interval_z"])],
        )
    con.execute(sql_text("marts/kpi_forecasts.sql"))
