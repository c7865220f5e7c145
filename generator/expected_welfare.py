"""The truth of the welfare checks — X01, X02, X03, X11, X12, X20, X22 — from what loads.

Each function follows its reading in ``docs/contract-readings.md`` ("Checks") and reads
only the loaded rows: ``world.seen(source, month)`` (the facts a month sees),
``world.facts``, ``expected.evaluated_months`` and the county's year and periods — never
the simulated population, so a test can recompute them from facts rebuilt from the files.
Each gives ``{month: [身份证号, …]}`` for the months it is evaluated in.

Configured values are the contract's defaults, written here independently of the
project's configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from .expected import evaluated_months
from .facts import money
from .sources import NAME_COLUMNS

if TYPE_CHECKING:
    from .truth import CountyYear

# [checks.x02_policy_amounts]: 脱贫人口 and 无 are not configured, so not checked.
X02_POLICY = {
    "特困人员": Decimal(380),
    "孤儿": Decimal(380),
    "事实无人抚养儿童": Decimal(380),
    "低保对象": Decimal(215),
    "监测对象": Decimal(215),
}
# X03's tiers by policy amount: 380 > 215 > 脱贫人口 > 无.
X03_TIERS = {
    "特困人员": 3,
    "孤儿": 3,
    "事实无人抚养儿童": 3,
    "低保对象": 2,
    "监测对象": 2,
    "脱贫人口": 1,
    "无": 0,
}
X01_COVERED = ("已参保", "异地参保", "参军", "服刑", "死亡")
X11_SELF_PAY_THRESHOLD = Decimal(8500)
X12_DIBAO_LINE = Decimal(5760)
# The person ledgers X22 compares (the reading's list).
X22_LEDGERS = (
    "roster",
    "income",
    "employment",
    "public_jobs",
    "training",
    "insurance",
    "medical_claims",
    "assistance",
    "housing_monitor",
    "housing_renovation",
    "loans",
)
assert set(X22_LEDGERS) == set(NAME_COLUMNS), "X22 reads every person ledger"


def _months_with(world: CountyYear, *needed: str):
    """(month, {source: rows}) for the evaluated months where every ``needed`` ledger has
    data."""
    for month in evaluated_months(world):
        seen = {s: world.seen(s, month) for s in needed}
        if all(rows is not None for rows in seen.values()):
            yield month, seen


def _in_care(rows, kinds: tuple[str, ...]) -> set[str]:
    return {f.id for f in rows if f.type in kinds and f.status == "在保"}


def x01(world: CountyYear) -> dict[str, list[str]]:
    """A person with a roster row and no insurance row of the month's year with a covered
    status (absent, or only 未参保)."""
    out = {}
    for month, seen in _months_with(world, "roster", "insurance"):
        year = int(month[:4])
        covered = {f.id for f in seen["insurance"] if f.year == year and f.status in X01_COVERED}
        out[month] = sorted({f.id for f in seen["roster"]} - covered)
    return out


def x02(world: CountyYear) -> dict[str, list[str]]:
    """An insurance row whose 资助金额 differs from the policy amount of its 资助类别."""
    out = {}
    for month, seen in _months_with(world, "insurance"):
        out[month] = sorted(
            {
                f.id
                for f in seen["insurance"]
                if f.category in X02_POLICY and f.amount != X02_POLICY[f.category]
            }
        )
    return out


def x03(world: CountyYear) -> dict[str, list[str]]:
    """A 资助类别 the other ledgers do not support (特困人员 without 在保 特困供养, 低保对象
    without 在保 低保, 监测对象 without a roster row of a 监测户), or a person entitled to a
    higher tier than the row's (在保 特困供养 → 380; 在保 低保 or a 监测户 member → 215)."""
    out = {}
    for month, seen in _months_with(world, "insurance", "assistance", "roster"):
        tekun = _in_care(seen["assistance"], ("特困供养",))
        dibao = _in_care(seen["assistance"], ("低保",))
        monitored = {f.id for f in seen["roster"] if f.kind == "监测户"}
        failing = set()
        for f in seen["insurance"]:
            category = f.category
            unsupported = (
                (category == "特困人员" and f.id not in tekun)
                or (category == "低保对象" and f.id not in dibao)
                or (category == "监测对象" and f.id not in monitored)
            )
            entitled = 3 if f.id in tekun else 2 if f.id in dibao or f.id in monitored else 0
            if unsupported or entitled > X03_TIERS[category]:
                failing.add(f.id)
        out[month] = sorted(failing)
    return out


def x11(world: CountyYear) -> dict[str, list[str]]:
    """A person whose 个人自付 summed over the year's loaded settlements up to this month
    reaches the threshold and who has no roster row of a 监测户 this month."""
    out = {}
    periods = world.county.periods
    for month, seen in _months_with(world, "medical_claims", "roster"):
        paid: dict[str, Decimal] = {}
        for period in periods:
            if period > month or period[:4] != month[:4]:
                continue
            for f in world.seen("medical_claims", period) or ():
                paid[f.id] = paid.get(f.id, Decimal(0)) + money(f.self_pay)
        monitored = {f.id for f in seen["roster"] if f.kind == "监测户"}
        out[month] = sorted(
            i for i, total in paid.items() if total >= X11_SELF_PAY_THRESHOLD and i not in monitored
        )
    return out


def x12(world: CountyYear) -> dict[str, list[str]]:
    """A roster person of a 监测户 whose household has no member 有劳动能力, whose household's
    annualised per-capita net income in the quarter the month sees is below the 低保 line,
    and who is not 在保 in 低保 or 特困供养. A household with no income row is not judged."""
    out = {}
    for month, seen in _months_with(world, "roster", "income", "assistance"):
        labour: dict[str, bool] = {}
        for f in seen["roster"]:
            labour[f.household] = labour.get(f.household, False) or f.ability == "有劳动能力"
        first: dict[str, tuple] = {}
        for f in sorted(seen["income"], key=lambda f: f.row):
            first.setdefault(f.household, f)
        poor = set()
        for household, f in first.items():
            net = (
                money(f.wage)
                + money(f.business)
                + money(f.property)
                + money(f.transfer)
                - money(f.cost)
            )
            # net × 4 ÷ size < line, without dividing
            if f.size and net * 4 < X12_DIBAO_LINE * f.size:
                poor.add(household)
        cared = _in_care(seen["assistance"], ("低保", "特困供养"))
        out[month] = sorted(
            {
                f.id
                for f in seen["roster"]
                if f.kind == "监测户"
                and not labour[f.household]
                and f.household in poor
                and f.id not in cared
            }
        )
    return out


def _month_end(month: str) -> dt.date:
    year, m = int(month[:4]), int(month[5:])
    return dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def x20(world: CountyYear) -> dict[str, list[str]]:
    """A person recorded 死亡 by the insurance bureau with an 在保 assistance row or a
    public-jobs row in post that month (all three ledgers loaded)."""
    out = {}
    for month, seen in _months_with(world, "insurance", "assistance", "public_jobs"):
        end = _month_end(month)
        dead = {f.id for f in seen["insurance"] if f.status == "死亡"}
        cared = {f.id for f in seen["assistance"] if f.status == "在保"}
        in_post = {
            f.id
            for f in seen["public_jobs"]
            if f.start is not None and f.start <= end and (f.end is None or f.end > end)
        }
        out[month] = sorted(dead & (cared | in_post))
    return out


def x22(world: CountyYear) -> dict[str, list[str]]:
    """A 身份证号 carried under two different names by two different person ledgers the
    month sees. Evaluated when roster and at least one other person ledger have data."""
    out = {}
    for month in evaluated_months(world):
        seen = {s: world.seen(s, month) for s in X22_LEDGERS}
        if seen["roster"] is None or all(seen[s] is None for s in X22_LEDGERS[1:]):
            continue
        names: dict[str, dict[str, set[str]]] = {}
        for source, rows in seen.items():
            for f in rows or ():
                if f.id is not None and f.name is not None:
                    names.setdefault(f.id, {}).setdefault(f.name, set()).add(source)
        # Two names and two ledgers: some pair of rows then differs in both (a name seen
        # only in one ledger, the other name elsewhere or in that ledger besides).
        failing = {
            i
            for i, by_name in names.items()
            if len(by_name) > 1 and len(set().union(*by_name.values())) > 1
        }
        out[month] = sorted(failing)
    return out


CHECKS: dict[str, Callable[[CountyYear], dict[str, list[str]]]] = {
    "X01": x01,
    "X02": x02,
    "X03": x03,
    "X11": x11,
    "X12": x12,
    "X20": x20,
    "X22": x22,
}
