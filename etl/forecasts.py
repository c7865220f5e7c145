"""Year-end forecasts: where each indicator will stand on its due date, with an 80 % interval.

Rebuilt with the indicators (etl/indicators.py refresh_indicators), from `kpi_values`:
warehouse/marts/kpi_forecasts.sql holds the method, config/plan-<year>.toml [forecast] its
two numbers, `bench/forecast.py` backtests them. The meeting pack reads `v_kpi_forecast`.
"""

from __future__ import annotations

import duckdb

from etl.targets import plan
from etl.warehouse import sql_text


def refresh_forecasts(con: duckdb.DuckDBPyConnection, years: list[int]) -> None:
    con.execute("DELETE FROM forecast_method")
    for year in years:
        method = plan(year)["forecast"]
        con.execute(
            "INSERT INTO forecast_method VALUES (?, ?, ?)",
            [year, float(method["drift_damping"]), float(method["interval_z"])],
        )
    con.execute(sql_text("marts/kpi_forecasts.sql"))
