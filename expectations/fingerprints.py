"""What a (check, month) result depends on, as one digest: `run` re-evaluates a pair only
when its digest changed, and keeps the stored result of the rest.

A pair's inputs (docs/contract-readings.md, "Incremental validation"):

- the check itself — its SQL text and its declaration;
- the year's configured values (`check_settings` and friends: thresholds, amounts,
  milestones, survey rounds) and the gazetteer;
- the files it reads: for each ledger it names, and for `roster` (every failing row takes
  its place and name from it), the file standing (sha256) for each ledger period the month
  reads — its own month; the year's months up to it (`lookback = "year_to_date"`); those
  in the year's last month only (`year_end`); the quarter of `income` and the year of
  `water_points` the month sees;
- the clock, where it decides: whether the month has ended (completeness checks) and
  whether each deadline month has ended (`deadlines`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json

import duckdb

from expectations.catalog import Check


class Inputs:
    """Everything fingerprints read, fetched once per validation."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.loads = {
            (source, period): sha
            for source, period, sha in con.execute(
                "SELECT source, period, sha256 FROM current_load"
            ).fetchall()
        }
        self.frequency = dict(
            con.execute("SELECT source, frequency FROM source_catalog").fetchall()
        )
        self.served = {
            (source, period): ledger_period
            for source, period, ledger_period in con.execute(
                "SELECT source, period, ledger_period FROM core_ledger_months"
            ).fetchall()
        }
        self.today = con.execute("SELECT today FROM check_clock").fetchone()[0]
        settings: dict[str, list] = {}
        for table in (
            "check_settings",
            "check_policy_amounts",
            "check_milestones",
            "check_survey_rounds",
        ):
            for row in con.execute(
                f"SELECT * FROM {table} ORDER BY ALL"
            ).fetchall():  # table: from this list
                settings.setdefault(str(row[0]), []).append([table, *map(str, row[1:])])
        self.settings = settings
        self.gazetteer = hashlib.sha256(
            json.dumps(
                con.execute("SELECT * FROM ref_villages ORDER BY village_code").fetchall(),
                default=str,
            ).encode()
        ).hexdigest()
        self.deadline_months = {
            name: text
            for _year, name, text in con.execute(
                "SELECT plan_year, name, text FROM check_settings WHERE text IS NOT NULL"
            ).fetchall()
        }

    def ended(self, month: str) -> bool:
        """Whether the month's last day is before today (the clock of this validation)."""
        year, m = int(month[:4]), int(month[5:7])
        return dt.date(year, m, calendar.monthrange(year, m)[1]) < self.today

    def periods(self, check: Check, source: str, month: str) -> list[str]:
        """The periods of `source` the pair (check, month) reads."""
        if self.frequency.get(source) != "monthly":
            served = self.served.get((source, month))
            return [served] if served else []
        year_to_date = check.lookback == "year_to_date" or (
            check.lookback == "year_end" and month.endswith("-12")
        )
        if not year_to_date:
            return [month]
        return sorted(p for s, p in self.loads if s == source and p[:4] == month[:4] and p <= month)


def fingerprint(check: Check, month: str, inputs: Inputs) -> str:
    files = [
        [source, period, inputs.loads.get((source, period), "-")]
        for source in dict.fromkeys((*check.ledgers, "roster"))
        for period in inputs.periods(check, source, month) or ["-"]
    ]
    clock = []
    if check.completeness:
        clock.append(["ended", inputs.ended(month)])
    for name in check.deadlines:
        deadline = inputs.deadline_months.get(name)
        clock.append([name, deadline is not None and inputs.ended(deadline)])
    declared = [
        check.id,
        check.sql_source(),
        check.requires,
        check.requires_any,
        check.completeness,
        check.from_setting,
        check.lookback,
        check.deadlines,
    ]
    payload = [declared, inputs.settings.get(month[:4], []), inputs.gazetteer, files, clock]
    return hashlib.sha256(json.dumps(payload, default=str, ensure_ascii=False).encode()).hexdigest()
