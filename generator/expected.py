"""The check and indicator truth: what a correct pipeline reports for the generated inbox.

Computed from what *loads* — each loaded file's rows minus its quarantined ones, no rows
for a month whose file was rejected — following ``docs/contract-readings.md`` ("Checks",
"Indicators"), never from the simulated world directly: a person whose employment row is
quarantined is not in employment, a month without an employment file has no X04.

Each loaded row is reduced to a ``Fact`` (by the worker that writes its file, so the
ledgers are not rebuilt here). ``CHECKS`` and ``KPIS`` are registered in ``truth.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from .ledgers import LEDGERS, Record

if TYPE_CHECKING:
    from .truth import CountyYear

PERSON_KINDS = ("脱贫户", "监测户")
RATE_PLACES = Decimal("1e-12")


class Fact(NamedTuple):
    """What the checks and indicators need of one loaded row."""

    row: int  # the sheet's row number
    id_number: str
    town: str  # township code
    village: str  # village code
    kind: str | None = None  # 户类型
    status: str | None = None  # roster: 务工状态
    key: object = None  # U01's key for the source
    completed: bool | None = None  # training: 是否结业
    contract: str | None = None  # loans: 贷款合同号
    overdue: Decimal | None = None  # loans: 逾期金额, 元
    balance: Decimal | None = None  # loans: 贷款余额, 元


def fact(source: str, record: Record, row: int) -> Fact:
    v = record.values
    base = (row, v["身份证号"], v["镇（街道）"].code, v["行政村"].code, v.get("户类型"))
    if source == "roster":
        return Fact(*base, status=v["务工状态"], key=v["身份证号"])
    if source == "employment":
        return Fact(*base, key=v["身份证号"])
    if source == "training":
        return Fact(
            *base,
            key=(v["身份证号"], v["培训项目"], v["开班日期"]),
            completed=v["是否结业"],
        )
    return Fact(
        *base,
        key=v["贷款合同号"],
        contract=v["贷款合同号"],
        overdue=v["逾期金额"],
        balance=v["贷款余额"],
    )


# --------------------------------------------------------------------------- months


def evaluated_months(world: CountyYear) -> list[str]:
    """Months with a loaded file of at least one monthly source."""
    return [p for p in world.county.periods if any(world.facts(s, p) is not None for s in LEDGERS)]


# --------------------------------------------------------------------------- checks


def u01(world: CountyYear) -> dict[str, list[str]]:
    """A source's key repeated within one month's loaded rows. Entity: the 身份证号 where
    the key holds one, else the key (贷款合同号)."""
    out = {}
    for period in evaluated_months(world):
        loaded = [world.facts(s, period) for s in LEDGERS]
        if all(rows is None for rows in loaded):
            continue
        failing: set[str] = set()
        for source, rows in zip(LEDGERS, loaded, strict=True):
            if rows is None:
                continue
            seen = Counter(f.key for f in rows)
            for f in rows:
                if seen[f.key] > 1:
                    failing.add(f.contract if source == "loans" else f.id_number)
        out[period] = sorted(failing)
    return out


def _x04_months(world: CountyYear) -> list[tuple[str, list[Fact], list[Fact]]]:
    months = []
    for period in evaluated_months(world):
        roster, employment = world.facts("roster", period), world.facts("employment", period)
        if roster is not None and employment is not None:
            months.append((period, roster, employment))
    return months


def x04(world: CountyYear) -> dict[str, list[str]]:
    """In employment with no roster row saying 务工, or a roster row saying 务工 and not in
    employment."""
    out = {}
    for period, roster, employment in _x04_months(world):
        working = {f.id_number for f in roster if f.status == "务工"}
        employed = {f.id_number for f in employment}
        out[period] = sorted(working ^ employed)
    return out


def x05(world: CountyYear) -> dict[str, list[str]]:
    """Villages whose two 务工 counts differ: distinct persons in employment by the
    employment row's village, distinct persons with a roster row saying 务工 by that row's."""
    villages = [v.code for v in world.county.gazetteer.villages]
    out = {}
    for period, roster, employment in _x04_months(world):
        hr = {(f.village, f.id_number) for f in employment}
        system = {(f.village, f.id_number) for f in roster if f.status == "务工"}
        hr_count = Counter(v for v, _ in hr)
        system_count = Counter(v for v, _ in system)
        out[period] = sorted(v for v in villages if hr_count[v] != system_count[v])
    return out


def x06(world: CountyYear) -> dict[str, list[str]]:
    """Rows of employment, training and loans of a 脱贫户/监测户 whose person has no roster
    row that month, or none in the same township and village."""
    out = {}
    for period in evaluated_months(world):
        roster = world.facts("roster", period)
        others = [world.facts(s, period) for s in ("employment", "training", "loans")]
        if roster is None or all(rows is None for rows in others):
            continue
        places: dict[str, set[tuple[str, str]]] = {}
        for f in roster:
            places.setdefault(f.id_number, set()).add((f.town, f.village))
        failing = {
            f.id_number
            for rows in others
            if rows is not None
            for f in rows
            if f.kind in PERSON_KINDS and (f.town, f.village) not in places.get(f.id_number, ())
        }
        out[period] = sorted(failing)
    return out


CHECKS: dict[str, Callable[[CountyYear], dict[str, list[str]]]] = {
    "U01": u01,
    "X04": x04,
    "X05": x05,
    "X06": x06,
}


# --------------------------------------------------------------------------- indicators


def _levels(world: CountyYear, code: str, period: str, by_village: dict[str, object]):
    """County, township and village rows of a count (``by_village``: village -> int)."""
    gaz = world.county.gazetteer
    rows = []
    total = 0
    for town in gaz.townships:
        town_total = 0
        for v in town.villages:
            value = by_village.get(v.code, 0)
            town_total += value
            rows.append(_row(code, period, "village", town.code, v.code, value))
        total += town_total
        rows.append(_row(code, period, "town", town.code, None, town_total))
    rows.append(_row(code, period, "county", None, None, total))
    return rows


def _row(code, period, level, town, village, value) -> dict:
    return {
        "kpi_code": code,
        "period": period,
        "level": level,
        "town_code": town,
        "village_code": village,
        "value": value,
    }


def a4_migrant(world: CountyYear) -> list[dict]:
    """Distinct 身份证号 in the month's employment, each in the village of its first row."""
    rows = []
    for period in world.county.periods:
        employment = world.facts("employment", period)
        if employment is None:
            continue
        first: dict[str, str] = {}
        for f in sorted(employment, key=lambda f: f.row):
            first.setdefault(f.id_number, f.village)
        rows += _levels(world, "A4-MIGRANT", period, Counter(first.values()))
    return rows


def a4_trained(world: CountyYear) -> list[dict]:
    """Distinct 身份证号 with 是否结业 = 是 in the training of the year's months up to this
    one, each in the village of its earliest such row (earliest month, then row)."""
    rows = []
    first: dict[str, str] = {}
    started = False
    for period in evaluated_months(world):
        training = world.facts("training", period)
        if training is not None:
            started = True
            for f in sorted(training, key=lambda f: f.row):
                if f.completed:
                    first.setdefault(f.id_number, f.village)
        if started:
            rows += _levels(world, "A4-TRAINED", period, Counter(first.values()))
    return rows


def a3_loan_overdue(world: CountyYear) -> list[dict]:
    """Σ 逾期金额 ÷ Σ 贷款余额 of the month's loans, a contract once with its first row's
    amounts and village; township and county from the villages' sums."""
    gaz = world.county.gazetteer
    code = "A3-LOAN-OVERDUE"
    rows = []
    for period in world.county.periods:
        loans = world.facts("loans", period)
        if loans is None:
            continue
        first: dict[str, Fact] = {}
        for f in sorted(loans, key=lambda f: f.row):
            first.setdefault(f.contract, f)
        sums: dict[str, list[Decimal]] = {}
        for f in first.values():
            s = sums.setdefault(f.village, [Decimal(0), Decimal(0)])
            s[0] += f.overdue
            s[1] += f.balance
        county = [Decimal(0), Decimal(0)]
        for town in gaz.townships:
            town_sum = [Decimal(0), Decimal(0)]
            for v in town.villages:
                num, den = sums.get(v.code, (Decimal(0), Decimal(0)))
                town_sum[0] += num
                town_sum[1] += den
                rows.append(_row(code, period, "village", town.code, v.code, _rate(num, den)))
            county[0] += town_sum[0]
            county[1] += town_sum[1]
            rows.append(_row(code, period, "town", town.code, None, _rate(*town_sum)))
        rows.append(_row(code, period, "county", None, None, _rate(*county)))
    return rows


def _rate(num: Decimal, den: Decimal) -> float | None:
    if den == 0:
        return None
    return float((num / den).quantize(RATE_PLACES))


KPIS: list[Callable[[CountyYear], list[dict]]] = [a4_migrant, a4_trained, a3_loan_overdue]
