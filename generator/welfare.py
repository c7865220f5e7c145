"""The welfare domain: social assistance (县民政局), medical insurance and its settlements
(县医保局), and the roster households' quarterly income (县乡村振兴局).

Simulated once, as one world with the roster's population (``simulate``):

* **the low-income population outside the roster** (``Welfare.others``): 低保 households
  and 特困 persons (single elderly people without labour or family) in the county's
  villages, never 脱贫户 or 监测户 — ≈ 900 households, 1,800 persons at scale 1;
* **assistance** (``Benefit``): 低保 for every member of ≈ 10 % of the roster's households
  (much more often 监测户 and households without labour) and of the others' 低保
  households; 特困供养 for single elderly people without labour; 临时救助, one-off, a few a
  month; the two disability allowances for ≈ 2 % of persons (more in 因残 households). A
  few households start or stop 低保 during the year; a person who dies is 停保 from the
  first month-end after their death (the month they die). The safety net works: a 监测户
  without labour whose quarterly income falls below the 低保 line is in 低保 (X12);
* **medical insurance**: everyone the bureau tracks for the plan — the roster's persons,
  everyone 在保 in 低保 or 特困供养 (once tracked, for the rest of the year), the dead
  with 参保状态 死亡 from the month they die — with the 资助类别 their entitlement gives that
  month (特困人员 > 孤儿 / 事实无人抚养儿童 > 低保对象 > 监测对象 > 脱贫人口 > 无) and its
  policy amount;
* **medical settlements** (``claims.py``) and **quarterly income** (``income.py``).

The planted disagreements (U01, U03, X01–X03, X11, X12, X20, X22, and households missing
from a quarter's income file) are in ``welfare_cases.py``.

``others`` and ``in_care`` are what other domains read.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from . import claims, income
from .claims import Claim
from .idcard import birth_of
from .names import person_name
from .population import (
    RELATION_ORDER,
    County,
    Household,
    Person,
    _ability,
    _birth,
    _IdIssuer,
    month_end,
    month_start,
)
from .records import Record, person_place, protect, repeat
from .schedule import FIRST_MONTH, N_PERIODS
from .sources import ASSISTANCE_TYPES

NAME = "welfare"
CARE = ("低保", "特困供养")
# The plan's insurance subsidies (资助金额) by 资助类别; 脱贫人口 100 is our choice (the
# plan sets none, and X02 does not check it).
POLICY = {
    "特困人员": Decimal("380.00"),
    "孤儿": Decimal("380.00"),
    "事实无人抚养儿童": Decimal("380.00"),
    "低保对象": Decimal("215.00"),
    "监测对象": Decimal("215.00"),
    "脱贫人口": Decimal("100.00"),
    "无": Decimal("0.00"),
}
TYPE_ORDER = {t: k for k, t in enumerate(ASSISTANCE_TYPES)}
COVERED = ("已参保", "异地参保", "参军", "服刑", "死亡")


@dataclass(eq=False)
class Benefit:
    """One person's 救助 of one 救助类型: one row a month in the assistance ledger."""

    person: Person
    kind: str  # 救助类型
    amount: Decimal  # 月救助金额 (临时救助: the one-off amount)
    start: dt.date  # 起始月份 (first of the month)
    first: int  # the first month index it is listed in
    stop: int = N_PERIODS  # the first month index it shows 停保 (listed so to December)
    mode: str | None = None  # 供养方式 (特困供养 only)
    once: bool = False  # 临时救助: listed in its month only
    pause: tuple[int, int] | None = None  # 停保 in [a, b), then 在保 again from b (X12)
    restart: dt.date | None = None  # 起始月份 after the pause

    def listed(self, index: int) -> bool:
        return index == self.first if self.once else index >= self.first

    def active(self, index: int) -> bool:
        if not self.listed(index) or index >= self.stop:
            return False
        return self.pause is None or not self.pause[0] <= index < self.pause[1]

    def start_at(self, index: int) -> dt.date:
        if self.pause is not None and index >= self.pause[1]:
            return self.restart
        return self.start


@dataclass(eq=False)
class Welfare:
    """The domain's world, ``county.world["welfare"]``."""

    others: list[Household]  # low-income households outside the roster
    households: list[Household]  # the roster's and the others, by 户编号
    kind_of_other: dict[Household, str] = field(default_factory=dict)  # 低保 | 特困
    benefits: dict[Person, list[Benefit]] = field(default_factory=dict)
    status: dict[Person, str] = field(default_factory=dict)  # 参保状态 other than 已参保
    orphans: dict[Person, str] = field(default_factory=dict)  # 孤儿 | 事实无人抚养儿童
    season_day: dict[Person, dt.date] = field(default_factory=dict)  # 参保日期 (2023 season)
    day_of_month: dict[Person, int] = field(default_factory=dict)  # 参保日期 when tracked later
    tracked_from: dict[Person, int] = field(default_factory=dict)
    tracked_count: list[int] = field(default_factory=list)
    chronic: set[Person] = field(default_factory=set)
    claims: list[Claim] = field(default_factory=list)
    claims_by_month: list[list[Claim]] = field(default_factory=list)
    income_params: dict[Household, income.IncomeParams] = field(default_factory=dict)
    income: dict[tuple[Household, int], dict[str, object]] = field(default_factory=dict)
    # Planted
    ins_override: dict[tuple[Person, int], dict[str, object]] = field(default_factory=dict)
    ins_missing: set[tuple[Person, int]] = field(default_factory=set)
    names: dict[tuple[str, Person, int], str] = field(default_factory=dict)
    typos: dict[Claim, Decimal] = field(default_factory=dict)
    income_missing: set[tuple[Household, int]] = field(default_factory=set)
    seriously_ill: list[tuple[Person, int]] = field(default_factory=list)  # (person, month)
    unprotected: list[Household] = field(default_factory=list)  # X12 households
    late_stops: list[tuple[Person, int]] = field(default_factory=list)  # X20

    def in_care(self, person: Person, index: int, kinds: tuple[str, ...] = CARE) -> bool:
        """Whether the person is 在保 in one of ``kinds`` at the end of month ``index``."""
        benefits = self.benefits.get(person)
        return bool(benefits) and any(b.kind in kinds and b.active(index) for b in benefits)

    def cared_at(self, index: int) -> tuple[set[Person], set[Person]]:
        """(在保 in 特困供养, 在保 in 低保) at the end of month ``index``."""
        tekun, dibao = set(), set()
        for p, benefits in self.benefits.items():
            for b in benefits:
                if b.kind in CARE and b.active(index):
                    (tekun if b.kind == "特困供养" else dibao).add(p)
        return tekun, dibao

    def tracked(self, person: Person, index: int) -> bool:
        """Whether the insurance bureau lists the person at the end of month ``index``."""
        first = self.tracked_from.get(person)
        return first is not None and first <= index

    def add(self, b: Benefit) -> Benefit | None:
        """Grant a benefit; a person who dies is 停保 from the month they die."""
        died = b.person.died_index
        if died is not None:
            if b.first >= died:
                return None
            b.stop = min(b.stop, died)
        self.benefits.setdefault(b.person, []).append(b)
        return b


def _ordered(hh: Household) -> list[Person]:
    return sorted(hh.members, key=lambda p: (RELATION_ORDER[p.relation], p.birth))


def _past_start(rng: random.Random, year: int) -> dt.date:
    """起始月份 of a benefit granted before the plan year (2014-01 … 2024-02)."""
    months = year * 12 + FIRST_MONTH - 1 - rng.randint(1, 122)
    return dt.date(months // 12, months % 12 + 1, 1)


# --------------------------------------------------------------------------- the others


def _low_income_household(rng: random.Random, ids: _IdIssuer, hh: Household, kind: str) -> None:
    """The members of an others' household: a 低保 family, often old, sick or disabled, or
    a 特困 person living alone."""
    if kind == "特困":
        age = int(rng.triangular(60, 93, 74))
        male = rng.random() < 0.7
        birth = _birth(rng, age)
        ability = "无劳动能力" if rng.random() < 0.85 else "弱劳动能力"
        plan = [("户主", age, male, ability)]
    else:
        size = rng.choices((1, 2, 3, 4, 5), (22, 30, 22, 16, 10))[0]
        head_age = int(rng.triangular(30, 90, 62))
        head_male = rng.random() < 0.7
        plan = [("户主", head_age, head_male, None)]
        if size >= 2 and head_age < 85 and rng.random() < 0.7:
            plan.append(("配偶", max(22, head_age + rng.randint(-6, 4)), not head_male, None))
        while len(plan) < size:
            if head_age > 55 and rng.random() < 0.45 and any(r == "子女" for r, *_ in plan):
                plan.append(("孙子女", max(0, head_age - rng.randint(44, 58)), None, None))
            elif head_age < 50 and rng.random() < 0.2 and sum(r == "父母" for r, *_ in plan) < 2:
                plan.append(("父母", min(95, head_age + rng.randint(22, 32)), None, None))
            else:
                plan.append(("子女", max(0, head_age - rng.randint(20, 34)), None, None))
    surname = None
    for relation, age, male, ability in plan:
        if male is None:
            male = rng.random() < 0.52
        birth = _birth(rng, age)
        name = person_name(rng, male, birth.year)
        if relation in ("户主", "配偶") and male:
            surname = name[0]
        elif relation in ("子女", "孙子女") and surname and rng.random() < 0.9:
            name = surname + name[1:]
        if ability is None:
            ability = _ability(rng, age)
            if ability == "有劳动能力" and rng.random() < 0.35:  # illness, disability
                ability = "弱劳动能力"
        number = ids.issue(birth, male)
        birth = birth_of(number)
        hh.members.append(
            Person(
                id_number=number,
                name=name,
                male=male,
                birth=birth,
                relation=relation,
                ability=ability,
                household=hh,
            )
        )


def _build_others(rng: random.Random, ids: _IdIssuer, county: County) -> list[tuple]:
    gaz = county.gazetteer
    villages = gaz.villages
    weights = [v.registered_households * (0.5 if v.kind == "社区" else 1.0) for v in villages]
    n_dibao = max(3, round(650 * county.scale))
    n_tekun = max(2, round(250 * county.scale))
    serial: dict[str, int] = {}
    out = []
    for k in range(n_dibao + n_tekun):
        kind = "低保" if k < n_dibao else "特困"
        village = rng.choices(villages, weights)[0]
        serial[village.code] = serial.get(village.code, 0) + 1
        hh = Household(
            hh_id=f"{village.code}{county.shard.tag}8{serial[village.code]:03d}",  # roster: 4 digits
            village=village,
            town=gaz.town_of(village),
            first_period=N_PERIODS,  # never in the roster
            relocated=False,
            income_prev=Decimal(str(round(rng.uniform(3500, 6500)))).quantize(Decimal("0.01")),
        )
        _low_income_household(rng, ids, hh, kind)
        out.append((hh, kind))
    return out


def _others_die(rng: random.Random, county: County, others: list[Household]) -> None:
    """The others' elderly die at the roster's rural rates (heads of families aside)."""
    year = county.year
    for hh in others:
        for p in hh.members:
            if p.age < 60 or (p.relation == "户主" and len(hh.members) > 1):
                continue
            monthly = 0.0008 + 0.0002 * (min(p.age, 90) - 60)
            for index in range(1, N_PERIODS):
                if rng.random() < monthly:
                    start, end = month_start(year, index), month_end(year, index)
                    p.died = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
                    p.died_index = index
                    break


# --------------------------------------------------------------------------- assistance


def _dibao_amount(rng: random.Random) -> Decimal:
    """A person's monthly 低保 by the household's class (一类 / 二类 / 三类)."""
    tier = rng.choices((0, 1, 2), (25, 40, 35))[0]
    low = (52, 43, 34)[tier]
    return Decimal(rng.randint(low, low + 4) * 10).quantize(Decimal("0.01"))


def _grant_dibao(rng: random.Random, w: Welfare, county: County, hh: Household, first: int):
    amount = _dibao_amount(rng)
    first = max(first, hh.first_period if hh.first_period < N_PERIODS else 0)
    start = _past_start(rng, county.year) if first == 0 else month_start(county.year, first)
    for p in hh.members:
        if not w.in_care(p, first, ("特困供养",)):
            w.add(Benefit(p, "低保", amount, start, first))


def _grant_tekun(rng: random.Random, w: Welfare, county: County, p: Person, first: int):
    concentrated = rng.random() < 0.25  # in the county's 中心敬老院
    amount = rng.randint(100, 110) * 10 if concentrated else rng.randint(90, 100) * 10
    start = _past_start(rng, county.year) if first == 0 else month_start(county.year, first)
    w.add(
        Benefit(
            p,
            "特困供养",
            Decimal(amount).quantize(Decimal("0.01")),
            start,
            first,
            mode="集中供养" if concentrated else "分散供养",
        )
    )


def _ever_in_care(w: Welfare, p: Person) -> bool:
    return p in w.benefits and any(w.in_care(p, i) for i in range(N_PERIODS))


def _no_labour(hh: Household, index: int) -> bool:
    return not any(p.ability == "有劳动能力" and p.alive_at(index) for p in hh.members)


def judged_months(hh: Household) -> list[int]:
    """The months X12 judges the household in: a 监测户 in the roster, no member with
    labour, an income row in the quarter the month sees."""
    return [
        m
        for m in range(N_PERIODS)
        if hh.present_at(m)
        and hh.kind_at(m) == "监测户"
        and _no_labour(hh, m)
        and hh.present_at(income.quarter_seen(m))
    ]


def _failing_months(w: Welfare, hh: Household) -> list[int]:
    """The months X12 would fail the household in, as the world stands."""
    months = judged_months(hh)
    if not months:
        return []
    parts = income.figures(w, hh)
    return [
        m
        for m in months
        if income.below_line(parts[income.quarter_seen(m)])
        and any(p.alive_at(m) and not w.in_care(p, m) for p in hh.members)
    ]


def _weighted_sample(rng: random.Random, items: list, weights: list[float], n: int) -> list:
    """``n`` items without replacement, each with probability growing with its weight."""
    keyed = sorted(
        ((rng.random() ** (1 / wt), k) for k, wt in enumerate(weights)), key=lambda t: -t[0]
    )
    return [items[k] for _, k in keyed[:n]]


def _assistance(rng: random.Random, w: Welfare, county: County, others: list[tuple]) -> None:
    year = county.year
    for hh, kind in others:
        if kind == "特困":
            _grant_tekun(rng, w, county, hh.members[0], 0)
        else:  # a few were granted 低保 during the year
            _grant_dibao(rng, w, county, hh, rng.randint(1, 9) if rng.random() < 0.04 else 0)

    # Single elderly people without labour in the roster: 特困供养 for many.
    for hh in county.households:
        p = hh.members[0]
        if len(hh.members) == 1 and p.age >= 60 and p.ability == "无劳动能力":
            if rng.random() < 0.4:
                _grant_tekun(rng, w, county, p, hh.first_period)

    # 低保 for ≈ 10.5 % of the roster's households: 监测户 and households without labour
    # far more often.
    candidates = [hh for hh in county.households if not _ever_in_care(w, hh.members[0])]
    weights = [
        1.0
        + 7.0 * (hh.monitoring is not None)
        + 5.0 * _no_labour(hh, 0)
        + 2.0 * all(p.age >= 60 for p in hh.members)
        for hh in candidates
    ]
    n = round(0.105 * len(county.households)) - (len(county.households) - len(candidates))
    for hh in _weighted_sample(rng, candidates, weights, max(0, n)):
        _grant_dibao(rng, w, county, hh, 0)

    # The disability allowances: ≈ 2 % of persons, most in 因残 households.
    persons = [p for hh in w.households for p in hh.members]
    weights = []
    for p in persons:
        m = p.household.monitoring
        if m is not None and m.risk == "因残" and p.ability != "有劳动能力" and p.age >= 16:
            weights.append(60.0)
        elif p.ability == "无劳动能力" and 16 <= p.age < 60:
            weights.append(8.0)
        elif p.ability == "弱劳动能力":
            weights.append(1.5)
        else:
            weights.append(0.25)
    for p in _weighted_sample(rng, persons, weights, round(0.02 * len(persons))):
        hh = p.household
        first = hh.first_period if hh.first_period < N_PERIODS else 0
        low_income = w.in_care(p, first) or hh.monitoring is not None
        severe = rng.random() < 0.35
        start = _past_start(rng, year) if first == 0 else month_start(year, first)
        if low_income or not severe:
            amount = Decimal(rng.choice((90, 100, 110, 120))).quantize(Decimal("0.01"))
            w.add(Benefit(p, "困难残疾人生活补贴", amount, start, first))
        if severe:
            amount = Decimal(rng.choice((90, 120))).quantize(Decimal("0.01"))
            w.add(Benefit(p, "重度残疾人护理补贴", amount, start, first))


def _safety_net(rng: random.Random, w: Welfare, county: County) -> None:
    """A 监测户 without labour whose income falls below the 低保 line gets 低保."""
    for hh in county.households:
        if _failing_months(w, hh):
            _grant_dibao(rng, w, county, hh, 0)
            assert not _failing_months(w, hh), hh.hh_id


def _changes(rng: random.Random, w: Welfare, county: County) -> None:
    """A few households start or stop 低保 during the year; 临时救助 a few a month."""
    year = county.year
    dibao = [
        hh
        for hh in w.households
        if all(w.in_care(p, 0, ("低保",)) for p in hh.members if p.alive_at(0))
        and any(w.in_care(p, 0, ("低保",)) for p in hh.members)
    ]
    # Stopping is never for a household the safety net must keep.
    stoppable = [hh for hh in dibao if not judged_months(hh)]
    for hh in rng.sample(stoppable, min(len(stoppable), int(0.02 * len(dibao) + rng.random()))):
        stop = rng.randint(1, N_PERIODS - 1)
        for p in hh.members:
            for b in w.benefits.get(p, ()):
                if b.kind == "低保":
                    b.stop = min(b.stop, stop)
    outside = [hh for hh in county.households if not any(_ever_in_care(w, p) for p in hh.members)]
    weights = [1.0 + 5.0 * (hh.monitoring is not None) + 3.0 * _no_labour(hh, 0) for hh in outside]
    n = int(0.03 * len(dibao) + rng.random())
    for hh in _weighted_sample(rng, outside, weights, n):
        _grant_dibao(rng, w, county, hh, rng.randint(max(1, hh.first_period), N_PERIODS - 1))

    # 临时救助: a one-off grant, listed in its month.
    for index in range(N_PERIODS):
        pool = [
            hh
            for hh in w.households
            if (hh.present_at(index) or hh in w.kind_of_other) and hh.members[0].alive_at(index)
        ]
        weights = [
            1.0 + 4.0 * (hh.monitoring is not None) + 2.0 * (hh in w.kind_of_other) for hh in pool
        ]
        for hh in _weighted_sample(rng, pool, weights, int(12 * county.scale + rng.random())):
            amount = Decimal(rng.randint(5, 30) * 100).quantize(Decimal("0.01"))
            w.add(
                Benefit(
                    hh.members[0], "临时救助", amount, month_start(year, index), index, once=True
                )
            )
    for benefits in w.benefits.values():
        benefits.sort(key=lambda b: (TYPE_ORDER[b.kind], b.first))


# --------------------------------------------------------------------------- insurance


def _enrolment(rng: random.Random, w: Welfare, county: County) -> None:
    """参保状态 (≈ 2 % 异地参保, most of them working out of the province; 参军 and 服刑
    rare), 参保日期, the children without carers, and who is chronically ill."""
    year = county.year
    persons = [p for hh in w.households for p in hh.members]
    for p in persons:
        season = dt.date(year - 1, 9, 1) + dt.timedelta(days=rng.randrange(122))
        if rng.random() < 0.08:  # paid late, in January or February
            season = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(59))
        w.season_day[p] = season
        w.day_of_month[p] = rng.randint(1, 28)
        if claims.chronic(rng, p):
            w.chronic.add(p)
    roster = [p for p in persons if p.household.first_period < N_PERIODS]
    soldiers = [p for p in roster if p.male and 18 <= p.age <= 24]
    young_men = set(soldiers)
    prisoners = [p for p in roster if 20 <= p.age <= 60 and p.household.first_period == 0]
    for p in roster:
        migrant = any(s is not None and s.form == "省外务工" for s in p.work)
        if rng.random() < (0.07 if migrant else 0.01):
            w.status[p] = "异地参保"
        elif p in young_men and rng.random() < 0.015:
            w.status[p] = "参军"
        elif p.died is None and rng.random() < 0.0006 and 20 <= p.age <= 60:
            w.status[p] = "服刑"
    for status, pool in (("参军", soldiers), ("服刑", prisoners)):  # each at least once
        pool = [p for p in pool if p.died is None and p not in w.status]
        if status not in w.status.values() and pool:
            w.status[rng.choice(pool)] = status

    # Children living with their grandparents (an uncle or aunt perhaps beside them), their
    # parents dead (孤儿) or unable to care for them — severely ill, disabled, in prison,
    # gone (事实无人抚养儿童): a handful.
    pool = [
        p for p in roster if p.relation == "孙子女" and p.age < 16 and p.household.first_period == 0
    ]
    for p in rng.sample(pool, min(len(pool), max(1, round(8 * county.scale)))):
        w.orphans[p] = "孤儿" if rng.random() < 0.3 else "事实无人抚养儿童"


def entitlement(w: Welfare, p: Person, index: int, cared=None) -> str:
    """The 资助类别 the person is entitled to that month (the insurance bureau's own);
    ``cared``: ``w.cared_at(index)`` when the caller has it."""
    hh = p.household
    if not p.alive_at(index):  # 死亡: no entitlement any more
        return "脱贫人口" if hh.first_period < N_PERIODS else "无"
    tekun, dibao = cared if cared is not None else w.cared_at(index)
    if p in tekun:
        return "特困人员"
    if p in w.orphans:
        return w.orphans[p]
    if p in dibao:
        return "低保对象"
    if hh.present_at(index):
        return "监测对象" if hh.kind_at(index) == "监测户" else "脱贫人口"
    return "无"


def _track(w: Welfare) -> None:
    """Who the bureau lists from which month: roster persons and those 在保 in 低保 or
    特困供养, for the rest of the year once listed (the dead with 死亡)."""
    w.tracked_from = {}
    for hh in w.households:
        for p in hh.members:
            for index in range(N_PERIODS):
                if p.present_at(index) or w.in_care(p, index):
                    w.tracked_from[p] = index
                    break
    w.tracked_count = [0] * N_PERIODS
    for first in w.tracked_from.values():
        for index in range(first, N_PERIODS):
            w.tracked_count[index] += 1


def _finalize(w: Welfare, county: County) -> None:
    """What follows from the world once everything is decided (the planted cases too):
    tracking, settlement numbers, the income rows."""
    _track(w)
    claims.number_claims(w, county.shard.tag)
    w.income = income.table(w, county)


# --------------------------------------------------------------------------- simulate


def simulate(county: County, stream) -> None:
    others = _build_others(stream("welfare/others"), county.outside_ids, county)
    _others_die(stream("welfare/deaths"), county, [hh for hh, _ in others])
    w = Welfare(
        others=[hh for hh, _ in others],
        households=sorted([*county.households, *(hh for hh, _ in others)], key=lambda h: h.hh_id),
        kind_of_other=dict(others),
    )
    county.world[NAME] = w
    rng = stream("welfare/assistance")
    _assistance(rng, w, county, others)
    prm = stream("welfare/income")
    w.income_params = {hh: income.draw_params(prm, hh) for hh in county.households}
    _safety_net(rng, w, county)
    _changes(rng, w, county)
    _enrolment(stream("welfare/insurance"), w, county)
    _track(w)
    claims.simulate_claims(stream("welfare/claims"), w, county)
    claims.number_claims(
        w, county.shard.tag
    )  # (the income rows wait for the planted cases: ``plant``)


# --------------------------------------------------------------------------- ledgers


def _place(w: Welfare, source: str, p: Person, index: int) -> dict[str, object]:
    place = person_place(p)
    name = w.names.get((source, p, index))
    if name:
        place["姓名"] = name
    return place


def assistance(county: County, index: int) -> list[Record]:
    w: Welfare = county.world[NAME]
    rows = []
    benefit_of = {}
    for hh in w.households:  # by 户编号: township blocks
        for p in _ordered(hh):
            for b in w.benefits.get(p, ()):
                if not b.listed(index):
                    continue
                values = {
                    **_place(w, "assistance", p, index),
                    "救助类型": b.kind,
                    "供养方式": b.mode,
                    "救助状态": "在保" if b.active(index) else "停保",
                    "月救助金额": b.amount,
                    "起始月份": b.start_at(index),
                }
                rows.append(Record(values, p))
                benefit_of[id(rows[-1])] = b
    protect(county, rows, index)
    return repeat(county, "assistance", index, rows, lambda r: benefit_of[id(r)])


def enrolled_on(w: Welfare, p: Person, year: int) -> dt.date:
    first = w.tracked_from[p]
    if first == 0:
        return w.season_day[p]
    return dt.date(year, FIRST_MONTH + first, w.day_of_month[p])


def insurance(county: County, index: int) -> list[Record]:
    w: Welfare = county.world[NAME]
    rows = []
    cared = w.cared_at(index)
    for hh in w.households:
        for p in _ordered(hh):
            if not w.tracked(p, index) or (p, index) in w.ins_missing:
                continue
            category = entitlement(w, p, index, cared)
            dead = not p.alive_at(index)
            values = {
                **_place(w, "insurance", p, index),
                "参保年度": county.year,
                "参保状态": "死亡" if dead else w.status.get(p, "已参保"),
                "资助类别": category,
                "资助金额": POLICY[category],
                "参保日期": enrolled_on(w, p, county.year),
                **w.ins_override.get((p, index), {}),
            }
            rows.append(Record(values, p))
    protect(county, rows, index)
    return repeat(county, "insurance", index, rows, lambda r: r.person)


LEDGERS = {
    "insurance": insurance,
    "medical_claims": claims.ledger,
    "assistance": assistance,
    "income": income.ledger,
}


# --------------------------------------------------------------------------- planted cases


def plant(pl) -> None:
    """Every planted case (``welfare_cases``, which builds on this module)."""
    from . import welfare_cases

    welfare_cases.plant(pl)
