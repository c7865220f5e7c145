"""What the generated inbox holds and what a correct loader makes of it.

``CountyYear`` is the generator's own record of the county-year: the simulated county, every
file written (its layout, where each ledger row landed, which rows carry bad cells) and the
files that must be rejected whole. From it come ``truth.json`` and — for whoever adds the
check and indicator truth — each month's *loaded* ledger: ``ledger(source, period)`` gives
the rows that load (quarantined rows removed) with their file and row number, or ``None``
when the month has no ledger because its file(s) were rejected.

The truth of the checks and indicators (``expected.py``) is registered in ``CHECKS`` and
``KPIS``: a function receives the ``CountyYear`` and returns ``{period: [entity_key, …]}``
(a check) or a list of ``{"kpi_code", "period", "level", "town_code", "village_code",
"value"}`` rows (an indicator). They compute from ``facts(source, period)`` — the loaded
rows of ``ledger(...)`` reduced to what they need, collected when each file is written —
never from the population directly, so that quarantined rows and missing months have the
consequences the loader will see.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from . import expected, expected_kpis, expected_places, expected_welfare, ledgers
from .expected import PARTS
from .layouts import Layout
from .population import County
from .records import Record
from .schedule import file_periods
from .sources import SOURCES


@dataclass
class FileOutcome:
    layout: Layout
    row_numbers: array  # ledger row i -> sheet row number
    bad: dict[int, list[tuple[str, str]]]  # ledger row i -> [(column as written, reason)]
    rows_read: int
    rows_skipped: int
    forced_done: list[tuple] = field(default_factory=list)
    facts: list[tuple] | None = None  # the loaded rows as facts (None: the file is rejected)
    body: tuple[int, int] = (0, 0)  # the data rows' [start, end) of the sheet (0-based)

    @property
    def file_name(self) -> str:
        return self.layout.file_name


@dataclass(frozen=True)
class LoadedRow:
    record: Record
    file_name: str
    row_number: int


@dataclass
class CountyYear:
    county: County
    seed: int
    files: list[FileOutcome]
    other_rejected: list[dict]  # files rejected for reasons of their own (folder, extension)
    _truth: dict | None = field(default=None, repr=False)

    def outcome(self, source: str, period: str) -> FileOutcome | None:
        """The file that loads for (source, period), if any."""
        found = [
            f
            for f in self.files
            if f.layout.source == source and f.layout.period == period and f.layout.loaded
        ]
        return found[0] if found else None

    def ledger(self, source: str, period: str) -> list[LoadedRow] | None:
        """The rows the loader keeps for (source, period); None when the month has no ledger."""
        out = self.outcome(source, period)
        if out is None:
            return None
        records = ledgers.records(self.county, source, out.layout.index)
        return [
            LoadedRow(r, out.file_name, out.row_numbers[i])
            for i, r in enumerate(records)
            if i not in out.bad
        ]

    def facts(self, source: str, period: str) -> list[tuple] | None:
        """``ledger(source, period)`` as facts (``facts.py``), without rebuilding it."""
        out = self.outcome(source, period)
        return None if out is None else out.facts

    def seen(self, source: str, month: str) -> list[tuple] | None:
        """The rows of ``source`` that month ``month`` (YYYY-MM) sees: a monthly source's
        file of that month, the latest quarter loaded whose last month is not after it,
        the year's list (docs/contract-readings.md, "Which rows a month sees")."""
        frequency = SOURCES[source].frequency
        if frequency == "monthly":
            return self.facts(source, month)
        if frequency == "yearly":
            return self.facts(source, f"{month[:4]}-01")
        for quarter in range(int(month[5:]) // 3, 0, -1):
            rows = self.facts(source, f"{month[:4]}-Q{quarter}")
            if rows is not None:
                return rows
        return None

    def missing_ledgers(self) -> list[tuple[str, str]]:
        """(source, period) pairs with no loaded file: every file for them was rejected."""
        year = self.county.year
        return [
            (s, fp.period)
            for s in SOURCES
            for fp in file_periods(s, year)
            if self.outcome(s, fp.period) is None
        ]

    def quarantine(self) -> list[dict]:
        rows = []
        for f in self.files:
            if not f.layout.loaded:
                continue
            for i, cells in f.bad.items():
                for column, reason in cells:
                    rows.append(
                        {
                            "source": f.layout.source,
                            "period": f.layout.period,
                            "file_name": f.file_name,
                            "row_number": f.row_numbers[i],
                            "column_name": column,
                            "reason_code": reason,
                        }
                    )
        return sorted(
            rows,
            key=lambda q: (
                q["source"],
                q["period"],
                q["file_name"],
                q["row_number"],
                q["column_name"],
                q["reason_code"],
            ),
        )

    def rejected_files(self) -> list[dict]:
        rows = [
            {"source": f.layout.source, "file_name": f.file_name, "reason_code": f.layout.rejection}
            for f in self.files
            if not f.layout.loaded
        ] + self.other_rejected
        return sorted(rows, key=lambda r: (r["source"], r["file_name"]))

    def truth(self) -> dict:
        if self._truth is None:
            self._truth = self._compute_truth()
        return self._truth

    def _compute_truth(self) -> dict:
        return {
            "seed": self.seed,
            "year": self.county.year,
            "scale": self.county.scale,
            "checks": {c: expected_kpis.checked(self, fn) for c, fn in sorted(CHECKS.items())},
            "quarantine": self.quarantine(),
            "rejected_files": self.rejected_files(),
            "kpis": sorted(
                ({k: v for k, v in row.items() if k != PARTS} for fn in KPIS for row in fn(self)),
                key=kpi_order,
            ),
        }

    def shard_truth(self) -> dict:
        """What this shard adds to a sharded county-year's truth (``shards.py``): the checks'
        truth, the indicators' rows with their parts, X05's counts, the quarantine (rows
        numbered as in this shard's part of each file). The checks and indicators of the
        sources only the first shard writes (``shard.ONCE_SOURCES``) are the first shard's."""
        first = self.county.shard.writes_once_sources
        return {
            "checks": {
                c: expected_kpis.checked(self, fn)
                for c, fn in sorted(CHECKS.items())
                if first or c not in ONCE_CHECKS
            },
            "x05": expected.x05_counts(self),
            "kpis": [row for fn in KPIS if first or fn not in ONCE_KPIS for row in fn(self)],
            "quarantine": self.quarantine(),
            "rejected_files": self.rejected_files(),
        }


# Check id -> function(CountyYear) -> {period: [entity_key, ...]}.
CHECKS: dict[str, Callable[[CountyYear], dict[str, list[str]]]] = {
    **expected.CHECKS,
    **expected_welfare.CHECKS,
    **expected_places.CHECKS,
}
# Functions(CountyYear) -> [kpi rows].
KPIS: list[Callable[[CountyYear], list[dict]]] = [*expected.KPIS, *expected_kpis.KPIS]
# The checks and indicators that read only the sources of places (``shard.ONCE_SOURCES``):
# in a sharded county-year, the first shard's truth is theirs.
ONCE_CHECKS = frozenset({"U06", "X16", "X17"})
ONCE_KPIS = frozenset(
    {
        expected_kpis.a2_water_survey_apr,
        expected_kpis.a2_water_survey_oct,
        expected_kpis.a2_water_monthly,
        expected_kpis.a2_water_full32,
        expected_kpis.a2_water_full46,
        expected_kpis.a2_water_self,
        expected_kpis.reported,
    }
)


def kpi_order(k: dict) -> tuple:
    return (k["kpi_code"], k["period"], k["level"], k["town_code"] or "", k["village_code"] or "")


def truth_json(truth: dict) -> str:
    return json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
