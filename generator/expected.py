"""The check and indicator truth: what a correct pipeline reports for the generated inbox.

Computed from what *loads* — each loaded file's facts (``facts.py``), no rows for a month
whose file was rejected — following ``docs/contract-readings.md`` ("Checks",
"Indicators"), never from the simulated world directly: a person whose employment row is
quarantined is not in employment, a month without an employment file has no X04.

``CHECKS`` maps a check id to a function of the ``CountyYear`` giving ``{month: [entity
key, …]}`` for every month the check is evaluated (a month absent: not evaluated; ``[]``:
passed). ``KPIS`` lists the indicator functions. Configured values are the contract's
defaults (``CONFIG``), written here independently of the project's configuration.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from .facts import money
from .sources import SOURCES

if TYPE_CHECKING:
    from .truth import CountyYear

PERSON_KINDS = ("脱贫户", "监测户")
RATE_PLACES = Decimal("1e-12")
MONTHLY = tuple(k for k, s in SOURCES.items() if s.frequency == "monthly")

# U01's key per source (spec/checks.md) as fact attributes, and its entity key.
U01_KEYS: dict[str, tuple[str, ...]] = {
    "roster": ("id",),
    "income": ("household",),
    "employment": ("id",),
    "public_jobs": ("id", "post", "start"),
    "training": ("id", "programme", "start"),
    "insurance": ("id", "year"),
    "medical_claims": ("claim",),
    "assistance": ("id", "type"),
    "housing_monitor": ("id",),
    "housing_renovation": ("id",),
    "water_points": ("point",),
    "water_survey": ("village", "round"),
    "loans": ("contract",),
    "projects": ("project",),
    "indicators": ("code", "town"),
}


def u01_entity(source: str, f) -> str:
    """The entity key of a row as U01 defines it (spec/interfaces.md)."""
    key = U01_KEYS[source]
    if "id" in key:
        return f.id
    if source == "water_survey":
        return f.village
    if source == "indicators":
        return f"{f.code}|{f.town}"
    return str(getattr(f, key[0]))


# --------------------------------------------------------------------------- months


def evaluated_months(world: CountyYear) -> list[str]:
    """Months with a loaded file of at least one monthly source."""
    return [p for p in world.county.periods if any(world.facts(s, p) is not None for s in MONTHLY)]


def _months_with(world: CountyYear, *needed: str):
    """(month, {source: facts}) for the evaluated months where every ``needed`` ledger has
    data."""
    for month in evaluated_months(world):
        seen = {s: world.seen(s, month) for s in needed}
        if all(rows is not None for rows in seen.values()):
            yield month, seen


# --------------------------------------------------------------------------- checks


def u01(world: CountyYear) -> dict[str, list[str]]:
    """A source's key repeated within the rows a month sees; a row with an empty key part
    (a nil report) is nobody's duplicate."""
    out = {}
    for month in evaluated_months(world):
        seen = {s: world.seen(s, month) for s in U01_KEYS}
        if all(rows is None for rows in seen.values()):
            continue
        failing: set[str] = set()
        for source, rows in seen.items():
            if rows is None:
                continue
            key = U01_KEYS[source]
            keyed = [f for f in rows if all(getattr(f, a) is not None for a in key)]
            counts = Counter(tuple(getattr(f, a) for a in key) for f in keyed)
            failing |= {
                u01_entity(source, f)
                for f in keyed
                if counts[tuple(getattr(f, a) for a in key)] > 1
            }
        out[month] = sorted(failing)
    return out


def x04(world: CountyYear) -> dict[str, list[str]]:
    """In employment with no roster row saying 务工, or a roster row saying 务工 and not in
    employment."""
    out = {}
    for month, seen in _months_with(world, "roster", "employment"):
        working = {f.id for f in seen["roster"] if f.work == "务工"}
        employed = {f.id for f in seen["employment"]}
        out[month] = sorted(working ^ employed)
    return out


def x05(world: CountyYear) -> dict[str, list[str]]:
    """Villages whose two 务工 counts differ: distinct persons in employment by the
    employment row's village, distinct persons with a roster row saying 务工 by that row's."""
    return x05_failing(world.county.gazetteer, x05_counts(world))


def x05_counts(world: CountyYear) -> dict[str, tuple[Counter, Counter]]:
    """Month -> (the 人社 ledger's count, the system's count) by village: what X05 compares,
    and what shards add up (``shards.py``)."""
    out = {}
    for month, seen in _months_with(world, "roster", "employment"):
        hr = Counter(v for v, _ in {(f.village, f.id) for f in seen["employment"]})
        system = Counter(
            v for v, _ in {(f.village, f.id) for f in seen["roster"] if f.work == "务工"}
        )
        out[month] = (hr, system)
    return out


def x05_failing(gazetteer, counts: dict[str, tuple[Counter, Counter]]) -> dict[str, list[str]]:
    return {
        month: sorted(v.code for v in gazetteer.villages if hr[v.code] != system[v.code])
        for month, (hr, system) in counts.items()
    }


X06_LEDGERS = {
    "employment": "kind",
    "public_jobs": "category",
    "training": "kind",
    "loans": "kind",
}


def x06(world: CountyYear) -> dict[str, list[str]]:
    """Rows of employment, public_jobs, training and loans of a 脱贫户/监测户 whose person has
    no roster row that month, or none in the same township and village."""
    out = {}
    for month in evaluated_months(world):
        roster = world.seen("roster", month)
        others = {s: world.seen(s, month) for s in X06_LEDGERS}
        if roster is None or all(rows is None for rows in others.values()):
            continue
        places: dict[str, set[tuple[str, str]]] = {}
        for f in roster:
            places.setdefault(f.id, set()).add((f.town, f.village))
        failing = {
            f.id
            for source, rows in others.items()
            if rows is not None
            for f in rows
            if getattr(f, X06_LEDGERS[source]) in PERSON_KINDS
            and (f.town, f.village) not in places.get(f.id, ())
        }
        out[month] = sorted(failing)
    return out


def _rowwise(world: CountyYear, rules: dict) -> dict[str, list[str]]:
    """A within-ledger check made of row rules: ``rules[source] = (fails(fact), entity(fact))``,
    evaluated when at least one of its ledgers has data."""
    out = {}
    for month in evaluated_months(world):
        seen = {s: world.seen(s, month) for s in rules}
        if all(rows is None for rows in seen.values()):
            continue
        out[month] = sorted(
            {
                rules[s][1](f)
                for s, rows in seen.items()
                if rows is not None
                for f in rows
                if rules[s][0](f)
            }
        )
    return out


def _in_order(*dates, strict: bool = False) -> bool:
    """The filled dates, in the order given, never go back (strictly forward if ``strict``)."""
    filled = [d for d in dates if d is not None]
    return all(a < b if strict else a <= b for a, b in zip(filled, filled[1:], strict=False))


def u02(world: CountyYear) -> dict[str, list[str]]:
    """Date order (docs/contract-readings.md U02)."""
    return _rowwise(
        world,
        {
            "roster": (lambda f: not _in_order(f.found, f.identified, f.entered), _id),
            "training": (lambda f: not _in_order(f.start, f.end), _id),
            "housing_renovation": (
                lambda f: not _in_order(f.started, f.completed, f.accepted, f.paid),
                _id,
            ),
            "loans": (lambda f: not _in_order(f.issued, f.due, strict=True), lambda f: f.contract),
            "projects": (lambda f: not _in_order(f.started, f.finished), lambda f: f.project),
        },
    )


def _id(f) -> str:
    return f.id


def u03(world: CountyYear) -> dict[str, list[str]]:
    """Amounts (U03): loans, projects, medical claims, the drinking-water survey."""
    return _rowwise(
        world,
        {
            "loans": (
                lambda f: not (f.overdue <= f.balance <= f.amount),
                lambda f: f.contract,
            ),
            "projects": (
                lambda f: not ((f.claimed is None or f.claimed <= f.spent) and f.spent <= f.funds),
                lambda f: f.project,
            ),
            "medical_claims": (
                lambda f: f.total != f.basic + f.serious + f.aid + money(f.other) + f.self_pay,
                lambda f: f.claim,
            ),
            "water_survey": (
                lambda f: f.done > f.due or f.fixed > f.found,
                lambda f: f.village,
            ),
        },
    )


def u04(world: CountyYear) -> dict[str, list[str]]:
    """Conditional fields (U04): a 监测户's category and dates, a cleared risk's date, a
    failed test's items, a project's dates by its status."""
    return _rowwise(
        world,
        {
            "roster": (
                lambda f: (
                    (f.kind == "监测户" and None in (f.category, f.found, f.identified, f.entered))
                    or (f.risk_status == "已消除" and f.cleared is None)
                ),
                _id,
            ),
            "water_tests": (
                lambda f: f.result == "不合格" and f.failed_items is None,
                lambda f: f.point,
            ),
            "projects": (
                lambda f: (
                    (f.status == "已完工" and f.finished is None)
                    or (f.status == "在建" and f.started is None)
                ),
                lambda f: f.project,
            ),
        },
    )


def u05(world: CountyYear) -> dict[str, list[str]]:
    """One household, one place, one 户主 (U05). Entity: the 户编号."""
    out = {}
    for month, seen in _months_with(world, "roster"):
        places: dict[str, set] = {}
        heads: Counter = Counter()
        for f in seen["roster"]:
            places.setdefault(f.household, set()).add((f.town, f.village))
            heads[f.household] += f.relation == "户主"
        out[month] = sorted(h for h, p in places.items() if len(p) > 1 or heads[h] != 1)
    return out


def u06(world: CountyYear) -> dict[str, list[str]]:
    """A test naming no point of the year's list (U06): needs both ledgers."""
    out = {}
    for month, seen in _months_with(world, "water_tests", "water_points"):
        points = {f.point for f in seen["water_points"]}
        out[month] = sorted({f.point for f in seen["water_tests"] if f.point not in points})
    return out


def in_post(f, month: str) -> bool:
    """A public_jobs row in post at the end of ``month`` (上岗 by then, not yet 离岗)."""
    end = _month_end(month)
    return f.start is not None and f.start <= end and (f.end is None or f.end > end)


def _month_end(month: str) -> dt.date:
    year, m = int(month[:4]), int(month[5:])
    return dt.date(year, m, calendar.monthrange(year, m)[1])


def _month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def x07(world: CountyYear) -> dict[str, list[str]]:
    """A post holder in neither the roster nor in care, or in two posts at once (X07)."""
    out = {}
    for month, seen in _months_with(world, "public_jobs", "roster", "assistance"):
        listed = {f.id for f in seen["roster"]}
        cared = {f.id for f in seen["assistance"] if f.status == "在保"}
        posts: dict[str, set] = {}
        for f in seen["public_jobs"]:
            if in_post(f, month):
                posts.setdefault(f.id, set()).add((f.post, f.start))
        out[month] = sorted(
            i for i, held in posts.items() if len(held) > 1 or (i not in listed and i not in cared)
        )
    return out


def x08(world: CountyYear) -> dict[str, list[str]]:
    """A relocated household with labour and nobody at work or in post (X08)."""
    out = {}
    for month, seen in _months_with(world, "roster", "employment", "public_jobs"):
        working = {f.id for f in seen["employment"]}
        working |= {f.id for f in seen["public_jobs"] if in_post(f, month)}
        members: dict[str, list] = {}
        for f in seen["roster"]:
            members.setdefault(f.household, []).append(f)
        out[month] = sorted(
            h
            for h, rows in members.items()
            if any(f.relocated for f in rows)
            and any(f.ability == "有劳动能力" for f in rows)
            and not any(f.id in working for f in rows)
        )
    return out


X13_IDENTIFY_DAYS, X13_ENTRY_DAYS = 15, 10


def x13(world: CountyYear) -> dict[str, list[str]]:
    """The month's new 监测户 entries identified or entered late (X13)."""
    out = {}
    for month, seen in _months_with(world, "roster"):
        start, end = _month_start(month), _month_end(month)
        out[month] = sorted(
            {
                f.id
                for f in seen["roster"]
                if f.kind == "监测户"
                and f.entered is not None
                and start <= f.entered <= end
                and (
                    (
                        f.identified is not None
                        and f.found is not None
                        and (f.identified - f.found).days > X13_IDENTIFY_DAYS
                    )
                    or (
                        f.identified is not None
                        and (f.entered - f.identified).days > X13_ENTRY_DAYS
                    )
                )
            }
        )
    return out


X14_OVERDUE_DAYS = 180


def x14(world: CountyYear) -> dict[str, list[str]]:
    """A loan overdue more than 180 days not under 风险补偿 (X14)."""
    return _rowwise(
        world,
        {
            "loans": (
                lambda f: f.overdue_days > X14_OVERDUE_DAYS and not f.compensated,
                lambda f: f.contract,
            )
        },
    )


X19_SUBSIDY = Decimal(500)


def x19(world: CountyYear) -> dict[str, list[str]]:
    """The transport subsidy: another amount, paid to someone not 省外务工, or paid again in
    a later month of the year (X19)."""
    out = {}
    paid_before: set[str] = set()
    for month, seen in _months_with(world, "employment"):
        failing = set()
        paid_now = set()
        for f in seen["employment"]:
            if not f.subsidy:  # empty or zero: not paid
                continue
            paid_now.add(f.id)
            if f.form != "省外务工" or f.subsidy != X19_SUBSIDY:
                failing.add(f.id)
        failing |= paid_now & paid_before
        paid_before |= paid_now
        out[month] = sorted(failing)
    return out


def x21(world: CountyYear) -> dict[str, list[str]]:
    """One 身份证号 in two households or two townships of the same roster (X21)."""
    out = {}
    for month, seen in _months_with(world, "roster"):
        households: dict[str, set] = {}
        towns: dict[str, set] = {}
        for f in seen["roster"]:
            households.setdefault(f.id, set()).add(f.household)
            towns.setdefault(f.id, set()).add(f.town)
        out[month] = sorted(i for i in households if len(households[i]) > 1 or len(towns[i]) > 1)
    return out


CHECKS: dict[str, Callable[[CountyYear], dict[str, list[str]]]] = {
    "U01": u01,
    "U02": u02,
    "U03": u03,
    "U04": u04,
    "U05": u05,
    "U06": u06,
    "X04": x04,
    "X05": x05,
    "X06": x06,
    "X07": x07,
    "X08": x08,
    "X13": x13,
    "X14": x14,
    "X19": x19,
    "X21": x21,
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
            rows.append(_row(code, period, "village", town.code, v.code, value, ("count", value)))
        total += town_total
        rows.append(_row(code, period, "town", town.code, None, town_total, ("count", town_total)))
    rows.append(_row(code, period, "county", None, None, total, ("count", total)))
    return rows


def _row(code, period, level, town, village, value, parts: tuple | None = None) -> dict:
    """An indicator's row of the truth. ``parts`` — (measure, numerator[, denominator]),
    measure count | sum | rate — say how shards' rows add up (``shards.py``); a row without
    them is a place's own figure (a reported one), or follows from a merged check."""
    row = {
        "kpi_code": code,
        "period": period,
        "level": level,
        "town_code": town,
        "village_code": village,
        "value": value,
    }
    if parts is not None:
        row[PARTS] = parts
    return row


# The key of an indicator row's parts: never written to truth.json (``truth.py`` drops it).
PARTS = "parts"


def a4_migrant(world: CountyYear) -> list[dict]:
    """Distinct 身份证号 in the month's employment, each in the village of its first row."""
    rows = []
    for period in world.county.periods:
        employment = world.facts("employment", period)
        if employment is None:
            continue
        first: dict[str, str] = {}
        for f in sorted(employment, key=lambda f: f.row):
            first.setdefault(f.id, f.village)
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
                    first.setdefault(f.id, f.village)
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
        first: dict[str, tuple] = {}
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
                rows.append(
                    _row(
                        code,
                        period,
                        "village",
                        town.code,
                        v.code,
                        _rate(num, den),
                        ("rate", num, den),
                    )
                )
            county[0] += town_sum[0]
            county[1] += town_sum[1]
            rows.append(
                _row(code, period, "town", town.code, None, _rate(*town_sum), ("rate", *town_sum))
            )
        rows.append(_row(code, period, "county", None, None, _rate(*county), ("rate", *county)))
    return rows


def _rate(num: Decimal, den: Decimal) -> float | None:
    if den == 0:
        return None
    return float((num / den).quantize(RATE_PLACES))


KPIS: list[Callable[[CountyYear], list[dict]]] = [a4_migrant, a4_trained, a3_loan_overdue]
