"""The truth of the places checks — X09, X10 (housing), X15 (projects), X16, X17 (drinking
water), X18 (housing reports) — from what loads, following docs/contract-readings.md
("Checks").

Like ``expected.py``, every function reads only the loaded facts (``world.facts``,
``world.seen``), the evaluated months and the county's year, periods and gazetteer, never
the simulated world, so a reader rebuilding the facts from the files gets the same truth.
Configured values are the contract's defaults, written here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from .expected import evaluated_months

if TYPE_CHECKING:
    from .truth import CountyYear

# The contract's defaults (expectations' configuration: checks.x10_*, x17_rounds; A7-SPEND).
X10_COMPLETED_FROM = "2024-10"  # 竣工 required from this month's report
X10_ACCEPTED_PAID_FROM = "2024-11"  # 验收 and 补助兑付 required from this one
X15_MILESTONES = (
    ("2024-04", Decimal("0.30")),
    ("2024-06", Decimal("0.50")),
    ("2024-09", Decimal("0.75")),
    ("2024-12", Decimal("1")),
)
X17_ROUNDS = ("2024-04", "2024-10")
CARE_TYPES = ("低保", "特困供养")
SEVERE_GRADES = ("C级", "D级")
ROUTINE, FULL32, FULL46 = "21项常规检测", "32项全分析", "46项全分析"


def _in_year(world: CountyYear, value: str) -> str:
    """A configured month of the 2024 plan, in the county-year's year."""
    return f"{world.county.year}{value[4:]}"


def x09(world: CountyYear) -> dict[str, list[str]]:
    """A renovation household (its 户主's 身份证号) not graded C级/D级 on the month's
    monitoring list (无房户 excepted), or in neither the roster nor 在保 in 低保/特困供养."""
    out = {}
    for month in evaluated_months(world):
        seen = {
            s: world.seen(s, month)
            for s in ("housing_renovation", "housing_monitor", "roster", "assistance")
        }
        if any(rows is None for rows in seen.values()):
            continue
        graded = {f.id for f in seen["housing_monitor"] if f.grade in SEVERE_GRADES}
        roster = {f.id for f in seen["roster"]}
        cared = {f.id for f in seen["assistance"] if f.status == "在保" and f.type in CARE_TYPES}
        failing = {
            f.id
            for f in seen["housing_renovation"]
            if f.id is not None
            and (
                (f.grade != "无房户" and f.id not in graded)
                or (f.id not in roster and f.id not in cared)
            )
        }
        out[month] = sorted(failing)
    return out


def x10(world: CountyYear) -> dict[str, list[str]]:
    """From 2024-10 a renovation row with no 竣工日期; from 2024-11 also one with no 验收日期
    or no 补助兑付日期. Earlier months are evaluated and pass."""
    out = {}
    for month in evaluated_months(world):
        rows = world.seen("housing_renovation", month)
        if rows is None:
            continue
        completed = month >= _in_year(world, X10_COMPLETED_FROM)
        accepted = month >= _in_year(world, X10_ACCEPTED_PAID_FROM)
        out[month] = sorted(
            {
                f.id
                for f in rows
                if f.id is not None
                and (
                    (completed and f.completed is None)
                    or (accepted and (f.accepted is None or f.paid is None))
                )
            }
        )
    return out


def x15(world: CountyYear) -> dict[str, list[str]]:
    """A project whose 累计支出 ÷ 衔接资金 is below the latest A7-SPEND milestone whose month
    has come (none before April: every project passes); no 衔接资金, not judged."""
    out = {}
    for month in evaluated_months(world):
        rows = world.seen("projects", month)
        if rows is None:
            continue
        reached = [s for m, s in X15_MILESTONES if _in_year(world, m) <= month]
        if not reached:
            out[month] = []
            continue
        share = reached[-1]
        out[month] = sorted(
            {
                f.project
                for f in rows
                if f.funds is not None and f.funds != 0 and f.spent < share * f.funds
            }
        )
    return out


def x16(world: CountyYear) -> dict[str, list[str]]:
    """Once the year's points load: an active point with no 21-item test in the month's
    file (every active point when the month has none); in December also an active point
    with fewer than two 32-item or two 46-item analyses in the year's loaded months."""
    out = {}
    months = evaluated_months(world)
    year_rows: list = []
    for month in world.county.periods:
        tests = world.facts("water_tests", month)
        if month in months:
            points = world.seen("water_points", month)
            if points is not None:
                active = {f.point for f in points if f.active}
                routine = {f.point for f in tests or () if f.test == ROUTINE}
                failing = active - routine
                if month[5:] == "12":
                    full = Counter((f.point, f.test) for f in [*year_rows, *(tests or ())])
                    failing |= {p for p in active if full[(p, FULL32)] < 2 or full[(p, FULL46)] < 2}
                out[month] = sorted(failing)
        year_rows += tests or []
    return out


def x17(world: CountyYear) -> dict[str, list[str]]:
    """From each round's month on, a village with no survey row of that 排查批次 in the
    files of the months up to this one. Months before the first round: not evaluated."""
    villages = [v.code for v in world.county.gazetteer.villages]
    rounds = [_in_year(world, r) for r in X17_ROUNDS]
    out = {}
    surveyed: dict[str, set[str]] = {r: set() for r in rounds}
    months = evaluated_months(world)
    for month in world.county.periods:
        for f in world.facts("water_survey", month) or ():
            if f.round in surveyed:
                surveyed[f.round].add(f.village)
        if month not in months or month < rounds[0]:
            continue
        out[month] = sorted(
            {v for r in rounds if r <= month for v in villages if v not in surveyed[r]}
        )
    return out


def x18(world: CountyYear) -> dict[str, list[str]]:
    """A township with no housing_monitor row (a household or its nil report) in the
    month's file; every township when the month has no file."""
    towns = [t.code for t in world.county.gazetteer.townships]
    out = {}
    for month in evaluated_months(world):
        rows = world.facts("housing_monitor", month)
        reported = {f.town for f in rows or ()}
        out[month] = sorted(t for t in towns if t not in reported)
    return out


CHECKS: dict[str, Callable[[CountyYear], dict[str, list[str]]]] = {
    "X09": x09,
    "X10": x10,
    "X15": x15,
    "X16": x16,
    "X17": x17,
    "X18": x18,
}
