"""What a pack shows, collected once from the warehouse as of a month: plain data (JSON),
so that the PDF, the circulars and the archive all hold the same figures.

Every figure comes from the dashboard's own named queries (warehouse/queries/dashboard_*.sql)
through a reader with a `query(name, **params)` method: the dashboard's `Warehouse` (cached,
in the viewer's scope) or, on the command line, `WarehouseReader` below. Nothing here holds
SQL, and no query the pack runs shows a person: the pack is counts and indicators only.

"Since the last meeting": when the pack presented at the last dispatch meeting before the
month is in the archive (pack/archive.py), the changes and the ranking's movement compare
with the figures it showed; otherwise with the warehouse's figures for that month, and the
pack says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from dashboard import data
from pack import archive

# Called as work goes on: (what is being done, steps done, steps in all).
Report = Callable[[str, int, int], None]
COUNTY = data.Place()
# The pack's queries show no person; a reader outside the dashboard runs them so.
NO_PERSONAL_ROWS = data.Scope(see_rows=False, unmask=False, town=None)


class Reader(Protocol):
    def query(self, name: str, **params: Any) -> pl.DataFrame: ...


class WarehouseReader:
    """The published warehouse read as the dashboard reads it (its connection, its named
    queries), uncached and without a viewer: for the command line and the benchmark."""

    def __init__(self, path: Path):
        self.path = path
        self.con = data.connect(path)

    def query(self, name: str, **params: Any) -> pl.DataFrame:
        return data.run_query(self.con, name, params | data.scope_params(NO_PERSONAL_ROWS, name))

    def close(self) -> None:
        self.con.close()


def has_data(reader: Reader, month: str) -> bool:
    """Does the warehouse hold indicators for `month` (the pack needs them)?"""
    return reader.query("dashboard_indicators", month=month, **COUNTY.params()).height > 0


def _rows(frame: pl.DataFrame) -> list[dict]:
    """JSON-ready rows: dates as ISO text."""
    return [
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


def collect(
    reader: Reader,
    month: str,
    *,
    presented: dict | None = None,
    report: Report | None = None,
) -> dict:
    """Every figure of the pack and the circulars for `month` (YYYY-MM), as plain data.

    `presented`: the figures of the pack archived for the last meeting before `month`, if
    any (pack.archive.presented); the changes since that meeting compare with them.
    """
    report = report or (lambda *_: None)
    towns = reader.query("dashboard_towns")
    steps = 6 + towns.height
    report("读取各项指标", 0, steps)
    plan = reader.query("dashboard_actions", month=month)
    county = reader.query("dashboard_indicators", month=month, **COUNTY.params())
    tiles = reader.query("dashboard_action_tiles", month=month)
    headline = set(tiles["kpi_code"].drop_nulls())
    meeting = reader.query("dashboard_last_meeting", month=month)
    meeting_period = meeting["period"][0] if meeting.height else None

    report("年底预测与月度走势", 1, steps)
    indicators = []
    for row in _rows(county):
        code = row["kpi_code"]
        forecast = reader.query("dashboard_forecast", kpi=code, month=month, **COUNTY.params())
        row["forecast"] = _rows(forecast)[0] if forecast.height else None
        row["headline"] = code in headline
        if row["headline"]:
            row["trend"] = _rows(
                reader.query("dashboard_trend", kpi=code, month=month, **COUNTY.params())
            )
        indicators.append(row)
    _since_presented(indicators, meeting_period, presented, None)

    report("乡镇擂台赛", 2, steps)
    now = data.township_scores(reader.query("dashboard_township_scores", month=month))
    then = _presented_scores(presented, meeting_period)
    if then is None and meeting_period is not None:
        then = data.township_scores(reader.query("dashboard_township_scores", month=meeting_period))
    ranking = _rows(data.with_scores_before(now, then))

    report("需要决策的事项与核查", 3, steps)
    decisions = reader.query("dashboard_decisions", month=month)
    report("数据完整性", 4, steps)
    completeness = _rows(reader.query("dashboard_completeness", month=month))

    town_figures = {}
    for i, (code, name) in enumerate(towns.select("town_code", "town_name").iter_rows()):
        report(f"{name}的指标", 5 + i, steps)
        place = data.Place(town=code)
        rows = _rows(reader.query("dashboard_indicators", month=month, **place.params()))
        _since_presented(rows, meeting_period, presented, code)
        town_figures[code] = {"town_name": name, "indicators": rows}

    report("汇总", steps - 1, steps)
    return {
        "month": month,
        "plan": data.plan_title(month),
        "meeting": {
            "period": meeting_period,
            # where "since the meeting" comes from: the pack presented then, or the warehouse
            "presented_at": presented["made_at"] if presented else None,
        },
        "actions": [
            {
                "action": number,
                "title": title,
                "indicators": [k for k in indicators if k["action"] == number],
            }
            for number, title in plan.iter_rows()
        ],
        "ranking": ranking,
        "off_track": _rows(decisions.filter(pl.col("item") == "indicator")),
        "checks": _rows(decisions.filter(pl.col("item") == "check")),
        "checks_by_department": _by_department(
            reader.query("dashboard_department_checks", month=month)
        ),
        "completeness": completeness,
        "towns": town_figures,
    }


def _since_presented(
    rows: list[dict], meeting: str | None, presented: dict | None, town: str | None
) -> None:
    """Where the last meeting's pack is archived, the figures it showed are the values
    "since the meeting" compares with (else the warehouse's, already in the rows)."""
    if presented is None or meeting is None or presented["month"] != meeting:
        return
    shown = archive.shown_values(presented, town)
    for row in rows:
        row["meeting_value"] = shown.get(row["kpi_code"])


def _presented_scores(presented: dict | None, meeting: str | None) -> pl.DataFrame | None:
    if presented is None or meeting is None or presented["month"] != meeting:
        return None
    return archive.shown_scores(presented)


def _by_department(checks: pl.DataFrame) -> list[dict]:
    """The open error-level checks per department: how many, their open rows, which; the
    department with most rows first."""
    if checks.is_empty():
        return []
    grouped = (
        checks.group_by("department")
        .agg(
            pl.len().alias("checks"),
            pl.col("open_rows").sum(),
            pl.format("{} {}（{}行）", "check_id", "check_title", "open_rows")
            .sort()
            .alias("titles"),
        )
        .sort(["open_rows", "department"], descending=[True, False])
    )
    return _rows(grouped)


def status_counts(indicators: list[dict]) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for k in indicators:
        counts[k["status"]] = counts.get(k["status"], 0) + 1
    return counts


def as_frame(rows: list[dict], columns: dict[str, Any]) -> pl.DataFrame:
    """Archived rows back as a frame of `columns` (name → dtype)."""
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=columns)


def due_date(kpi: dict) -> dict:
    """An archived indicator as the labels module reads it (its due date a date again)."""
    due = kpi.get("due")
    return kpi | {"due": dt.date.fromisoformat(due) if isinstance(due, str) else due}
