"""Housing safety (住房安全): the housing bureau's monthly dynamic-monitoring list of
low-income households' houses (``housing_monitor``) and the year's renovation ledger
(``housing_renovation``, the plan's 60 危改户).

The world: the year's renovation households — mostly 脱贫户 / 监测户 of the roster, some
低保户 / 分散供养特困户 (welfare's households outside the roster when the welfare domain is
simulated, else roster households the civil-affairs bureau also supports) — graded C级 or
D级 (a few 无房户), started March–June, completed by October, accepted and paid by
November; and the other households whose houses the townships follow (漏雨, 墙体裂缝, …),
joining and leaving the list over the year. One or two townships have nobody to monitor:
each month they send the nil report (户主 empty, 备注 ``无``).

Planted (``plant``): households listed twice (U01), 开工 and 竣工 typed into each other's
cells (U02), a renovation household graded B级 on the monitoring list (X09), a
renovation household neither in the roster nor in care (对象类型 其他, X09), households not
completed in the October report or not accepted and paid in the November one (X10), and a
township that sends nothing one month (X18; July's file is rejected anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .gazetteer import Township, Village
from .population import (
    LAGGING_TOWNS,
    N_PERIODS,
    County,
    Household,
    Person,
    household_outside,
    month_end,
    month_start,
)
from .records import Record, protect, repeat
from .schedule import FIRST_MONTH

if TYPE_CHECKING:
    import random

    from .defects import Planter

NAME = "housing"

RENOVATIONS = 62  # at scale 1: the plan's 60, and the couple added to the plan
MONITORED_OTHERS = 130  # households followed besides the renovation ones, at scale 1
CARE_SHARE = 0.15  # renovation and monitored households supported by civil affairs
OTHER_SHARE = 0.03  # monitored households of none of the four kinds (对象类型 其他)
# Planted, per month's rows (the expectation drawn each month; at least once a year).
RATES = {
    "monitor_twice": 0.003,
    "renovation_twice": 0.003,
    "dates_swapped": 0.003,
    "graded_b": 0.004,
}

_C_PROBLEMS = ("墙体裂缝", "屋面破损", "漏雨", "木构件腐朽", "窑洞裂缝", "墙体酥碱")
_D_PROBLEMS = ("墙体严重裂缝", "地基下沉", "墙体倾斜", "屋架变形", "窑洞坍塌风险", "承重墙开裂")
_MINOR_PROBLEMS = ("漏雨", "屋面破损", "门窗破损", "墙皮脱落", "院墙开裂", "烟道破损")
_REMARKS = ("已督促农户立行立改", "已上报县住建局鉴定", "镇村干部已入户核查", "已签订整改承诺书")


@dataclass(eq=False)
class Renovation:
    """A 危改户 of the year's plan."""

    household: Household
    head: Person
    kind: str | None  # 对象类型 when fixed (低保户, 分散供养特困户, 其他); None: the roster's
    grade: str  # 鉴定等级: C级, D级, 无房户
    method: str  # 改造方式
    problem: str | None  # the house's problem on the monitoring list
    assessed: dt.date  # 鉴定日期
    started: dt.date
    completed: dt.date
    accepted: dt.date
    paid: dt.date
    subsidy: Decimal  # 补助资金 (元)
    first: int = 0  # first month (index) listed
    # month index -> values a ledger writes instead (planted cases), per source
    renovation_values: dict[int, dict[str, object]] = field(default_factory=dict)
    monitor_values: dict[int, dict[str, object]] = field(default_factory=dict)


@dataclass(eq=False)
class Monitored:
    """A household on the monitoring list that is not renovated this year."""

    household: Household
    head: Person
    kind: str | None  # as Renovation.kind
    # month index -> (安全等级, 问题描述, 处置情况, 鉴定日期, 备注); None: not listed
    states: list[tuple | None]


@dataclass
class HousingWorld:
    renovations: list[Renovation]
    monitored: list[Monitored]
    empty_towns: list[Township]  # townships with nobody to monitor (nil reports)
    silent: set[tuple[str, int]] = field(default_factory=set)  # (town code, index): no file rows


def _head(hh: Household) -> Person:
    return next((p for p in hh.members if p.relation == "户主"), hh.members[0])


def _kind(kind: str | None, hh: Household, index: int) -> str:
    return kind if kind is not None else hh.kind_at(index)


def _day(rng: random.Random, year: int, index: int, first: int = 1, last: int | None = None):
    end = month_end(year, index)
    last = min(last or end.day, end.day)
    return dt.date(end.year, end.month, rng.randint(min(first, last), last))


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """``k`` distinct items, heavier ones likelier (the order of ``items`` kept)."""
    keys = [(rng.random() ** (1 / w), n) for n, w in enumerate(weights)]
    chosen = sorted(n for _, n in sorted(keys, reverse=True)[:k])
    return [items[n] for n in chosen]


# --------------------------------------------------------------------------- simulate


def _welfare_households(county: County) -> list[tuple[Household, str]]:
    """Welfare's households outside the roster whose 户主 is in care all year, with their
    对象类型; none when the welfare domain is not simulated."""
    welfare = county.world.get("welfare")
    if welfare is None:
        return []
    out = []
    for hh in sorted(welfare.others, key=lambda h: h.hh_id):
        if not hh.members:
            continue
        head = _head(hh)
        if all(welfare.in_care(head, i, kinds=("特困供养",)) for i in range(N_PERIODS)):
            out.append((hh, "分散供养特困户"))
        elif all(welfare.in_care(head, i, kinds=("低保",)) for i in range(N_PERIODS)):
            out.append((hh, "低保户"))
    return out


def _new_household(county: County, rng: random.Random, village: Village, serial: int) -> Household:
    """A household in none of the departments' other ledgers (对象类型 其他)."""
    return household_outside(county, rng, village, f"{village.code}8{serial:03d}")


def _renovation(rng: random.Random, year: int, hh: Household, kind: str | None, first: int = 0):
    grade = rng.choices(("C级", "D级", "无房户"), (40, 52, 8))[0]
    if grade == "C级":
        method = "加固改造" if rng.random() < 0.92 else "拆除重建"
    elif grade == "D级":
        method = rng.choices(("拆除重建", "置换", "其他"), (65, 25, 10))[0]
    else:
        method = rng.choices(("置换", "其他"), (60, 40))[0]
    if method == "拆除重建":  # rebuilding takes longest: started early in the season
        weights, days = (40, 40, 20, 0), (90, 140)
    elif method == "加固改造":
        weights, days = (20, 35, 30, 15), (35, 80)
    elif method == "置换":
        weights, days = (20, 35, 30, 15), (25, 60)
    else:
        weights, days = (30, 40, 30, 0), (60, 110)
    months = [i for i in range(4) if i >= first] or [first]
    start_index = rng.choices(months, [max(1, weights[i]) if i < 4 else 1 for i in months])[0]
    started = _day(rng, year, start_index, 1, 28)
    completed = min(started + dt.timedelta(days=rng.randint(*days)), dt.date(year, 10, 25))
    accepted = min(completed + dt.timedelta(days=rng.randint(7, 30)), dt.date(year, 11, 20))
    paid = min(accepted + dt.timedelta(days=rng.randint(3, 15)), dt.date(year, 11, 28))
    subsidy = {
        "加固改造": rng.randint(100, 150),
        "拆除重建": rng.randint(300, 400),
        "置换": rng.randint(250, 350),
        "其他": rng.randint(200, 300),
    }[method]
    problems = _C_PROBLEMS if grade == "C级" else _D_PROBLEMS
    problem = None if grade == "无房户" else "、".join(rng.sample(problems, rng.choice((1, 1, 2))))
    return Renovation(
        household=hh,
        head=_head(hh),
        kind=kind,
        grade=grade,
        method=method,
        problem=problem,
        assessed=started - dt.timedelta(days=rng.randint(20, 150)),
        started=started,
        completed=completed,
        accepted=accepted,
        paid=paid,
        subsidy=Decimal(subsidy * 100).quantize(Decimal("0.01")),
        first=first,
    )


def _monitor_states(rng: random.Random, year: int) -> list[tuple | None]:
    """One household's months on the list: graded, being repaired, repaired, struck off."""
    states: list[tuple | None] = [None] * N_PERIODS
    if rng.random() < 0.65:
        first = 0
    else:  # the rainy season (July–September) brings leaking roofs and cracked walls
        first = rng.choices(range(1, 9), (6, 6, 7, 12, 14, 12, 7, 5))[0]
    grade = rng.choices(("A级", "B级", "C级", "D级", "未鉴定"), (12, 45, 22, 4, 17))[0]
    if grade == "A级":
        problem, disposal = None, "无需处置"
    elif grade == "B级":
        problem = rng.choice(_MINOR_PROBLEMS)
        disposal = rng.choices(("已整改", "整改中", "无需处置"), (30, 50, 20))[0]
    elif grade == "未鉴定":
        problem, disposal = rng.choice(_C_PROBLEMS) + "待鉴定", "整改中"
    else:
        problem = rng.choice(_C_PROBLEMS if grade == "C级" else _D_PROBLEMS)
        disposal = "整改中"
    start = month_start(year, first)
    assessed = None if grade == "未鉴定" else start - dt.timedelta(days=rng.randint(0, 200))
    fixed = first + rng.randint(1, 4) if disposal == "整改中" else None
    graded = first + rng.randint(1, 2) if grade == "未鉴定" and rng.random() < 0.5 else None
    settled = fixed if disposal == "整改中" else first
    leaves = None
    if rng.random() < 0.35:  # 销号: struck off a few months after the repair
        leaves = settled + rng.randint(1, 3) + (2 if grade == "A级" else 0)
    remark = rng.choice(_REMARKS) if rng.random() < 0.15 else None
    for i in range(first, N_PERIODS):
        if leaves is not None and i >= leaves:
            break
        if graded is not None and i == graded:
            grade = rng.choice(("B级", "C级"))
            problem = problem.removesuffix("待鉴定")
            assessed = _day(rng, year, i, 1, 25)
        state = "已整改" if fixed is not None and i >= fixed else disposal
        states[i] = (grade, problem, state, assessed, remark)
    return states


def simulate(county: County, stream) -> None:
    rng = stream(NAME)
    year, gaz = county.year, county.gazetteer
    # Nobody to monitor in the county seat's subdistrict and in one other township.
    candidates = [t for t in gaz.townships if t.name not in (*LAGGING_TOWNS, "城关街道")]
    empty = [t for t in gaz.townships if t.name == "城关街道"] + [rng.choice(candidates)]
    empty_codes = {t.code for t in empty}

    roster = [
        h for h in county.households if h.first_period == 0 and h.town.code not in empty_codes
    ]
    welfare = [(h, k) for h, k in _welfare_households(county) if h.town.code not in empty_codes]

    def weight(h: Household) -> float:
        w = 1.0
        if h.monitoring is not None:
            w = 10.0 if h.monitoring.risk == "因住房安全" else 3.0
        return w * (1.5 if h.town.name in LAGGING_TOWNS else 1.0)

    n_renov = max(4, round(RENOVATIONS * county.scale))
    n_mon = max(3, round(MONITORED_OTHERS * county.scale))
    n_care = round(CARE_SHARE * (n_renov + n_mon))
    n_other = round(OTHER_SHARE * n_mon)

    # Households supported by civil affairs: welfare's, else roster households of its kind
    # (the same household can be 脱贫户 and 低保户; the housing bureau writes the latter).
    if welfare:
        cared = welfare[:]
        rng.shuffle(cared)
        cared = cared[:n_care]
    else:
        picked = _weighted_sample(rng, roster, [weight(h) for h in roster], n_care)
        cared = [
            (h, "分散供养特困户" if len(h.members) == 1 and rng.random() < 0.7 else "低保户")
            for h in picked
        ]
        rng.shuffle(cared)
    taken = {id(h) for h, _ in cared}
    pool = [h for h in roster if id(h) not in taken]
    chosen = _weighted_sample(rng, pool, [weight(h) for h in pool], n_renov + n_mon - len(cared))
    rng.shuffle(chosen)
    care_renov = min(len(cared), round(CARE_SHARE * n_renov))
    from_roster = n_renov - care_renov
    renov_entries = [(h, None) for h in chosen[:from_roster]] + cared[:care_renov]
    rest = [(h, None) for h in chosen[from_roster:]] + cared[care_renov:]

    renovations = [_renovation(rng, year, h, k) for h, k in renov_entries]
    renovations.sort(
        key=lambda r: (r.household.town.code, r.household.village.code, r.head.id_number)
    )

    villages = [v for v in gaz.villages if v.town_code not in empty_codes]
    others = [(h, k) for h, k in rest]
    for n in range(n_other):
        hh = _new_household(county, rng, rng.choice(villages), n + 1)
        others.append((hh, "其他"))
    monitored = [Monitored(h, _head(h), k, _monitor_states(rng, year)) for h, k in others]
    monitored.sort(
        key=lambda m: (m.household.town.code, m.household.village.code, m.head.id_number)
    )
    county.world[NAME] = HousingWorld(renovations, monitored, empty)


# --------------------------------------------------------------------------- plant


def plant(planter: Planter) -> None:
    county, rng, d = planter.county, planter.rng, planter.d
    w: HousingWorld | None = county.world.get(NAME)
    if w is None:
        return
    year = county.year
    gaz = county.gazetteer
    n_late = 2 if county.scale >= 0.5 else 1

    def free(p: Person, months) -> bool:
        return all((p, i) not in planter.used for i in months)

    # X18: a township that sends nothing one month (neither households nor a nil report);
    # the same township and month in every shard of a sharded county-year.
    months = planter.months("housing_monitor")
    pick = rng if county.shard.count == 1 else planter.whole_stream("housing/silent")
    for month in pick.sample(months, min(n_late, len(months))):
        w.silent.add((pick.choice(gaz.townships).code, month))

    # X10: not completed in the October report (completed in November or December) …
    ends = {i: month_end(year, i) for i in range(N_PERIODS)}
    october, november = 10 - FIRST_MONTH, 11 - FIRST_MONTH
    pool = [r for r in w.renovations if free(r.head, (october, november))]
    late = rng.sample(pool, min(n_late, len(pool)))
    for k, r in enumerate(late):
        if k == 0:
            r.completed = dt.date(year, 11, rng.randint(5, 25))
            r.accepted = dt.date(year, 12, rng.randint(1, 12))
        else:
            r.completed = dt.date(year, 12, rng.randint(2, 10))
            r.accepted = r.completed + dt.timedelta(days=rng.randint(3, 8))
        r.paid = r.accepted + dt.timedelta(days=rng.randint(2, 8))
        for i in planter.months("housing_renovation"):
            if i >= october and ends[i] < r.paid:
                planter.protect(r.head, i)
    # … or not accepted and paid in the November one.
    pool = [r for r in w.renovations if r not in late and free(r.head, (november,))]
    for r in rng.sample(pool, min(n_late, len(pool))):
        r.accepted = dt.date(year, 12, rng.randint(2, 15))
        r.paid = r.accepted + dt.timedelta(days=rng.randint(1, 10))
        if november in planter.months("housing_renovation"):
            planter.protect(r.head, november)

    # X09: a renovation household neither in the roster nor in care, added to the plan in
    # spring, on the monitoring list as 其他 too.
    x09_months = planter.months("housing_renovation", "housing_monitor", "roster", "assistance")
    empty_codes = {t.code for t in w.empty_towns}
    villages = [v for v in gaz.villages if v.town_code not in empty_codes]
    first = rng.choice([i for i in x09_months if i <= 3] or x09_months[:1])
    while True:
        hh = _new_household(county, rng, rng.choice(villages), 900 + len(w.renovations))
        r = _renovation(rng, year, hh, "其他", first)
        if r.grade != "无房户":
            break
    r.started = max(r.started, _day(rng, year, first, 1, 20))
    r.completed = max(r.completed, r.started + dt.timedelta(days=40))
    r.completed = min(r.completed, dt.date(year, 10, 25))
    r.accepted = max(r.accepted, r.completed + dt.timedelta(days=7))
    r.paid = max(r.paid, r.accepted + dt.timedelta(days=3))
    w.renovations.append(r)
    w.renovations.sort(
        key=lambda r: (r.household.town.code, r.household.village.code, r.head.id_number)
    )
    for i in x09_months:
        if i >= first:
            planter.protect(r.head, i)

    # X09: a renovation household graded B级 on the month's monitoring list.
    def graded_pool(i: int) -> list[Renovation]:
        return [
            r
            for r in w.renovations
            if r.grade != "无房户" and r.first <= i and (r.household.town.code, i) not in w.silent
        ]

    for i, r in _cases(planter, "graded_b", graded_pool, x09_months, lambda r: r.head):
        r.monitor_values[i] = {"安全等级": "B级"}

    # U02: 开工 and 竣工 typed into each other's cells (竣工 before 开工) for a month or two.
    months = planter.months("housing_renovation")

    def done_pool(i: int) -> list[Renovation]:
        return [r for r in w.renovations if r.completed <= ends[i] and r.first <= i]

    for i, r in _cases(planter, "dates_swapped", done_pool, months, lambda r: r.head):
        swapped = {"开工日期": r.completed, "竣工日期": r.started}
        r.renovation_values[i] = swapped
        if i + 1 in months and rng.random() < 0.5 and free(r.head, (i + 1,)):
            planter.protect(r.head, i + 1)
            r.renovation_values[i + 1] = swapped

    # U01: a household listed twice in either ledger.
    for source, pool in (
        ("housing_monitor", lambda i: _monitor_heads(w, i)),
        ("housing_renovation", lambda i: [r.head for r in listed(w, i)]),
    ):
        rate = "monitor_twice" if source == "housing_monitor" else "renovation_twice"
        for i, p in _cases(planter, rate, pool, planter.months(source)):
            d.repeated.setdefault((source, i), []).append(p)


def _cases(planter: Planter, rate: str, pool, months: list[int], person=lambda x: x):
    """(month, what shows the case) at ``RATES[rate]`` of the pool's size, at least once a
    year, in months where the pool has someone free to show it."""

    def free(i: int) -> list:
        return [x for x in pool(i) if (person(x), i) not in planter.used]

    able = [i for i in months if free(i)]
    if not able:
        return []
    out = []
    for i, n in planter.counts(RATES[rate], lambda i: len(pool(i)), able).items():
        out += [(i, x) for x in planter.pick(free(i), n, i, person)]
    return out


def listed(w: HousingWorld, index: int) -> list[Renovation]:
    return [r for r in w.renovations if r.first <= index]


def _monitor_heads(w: HousingWorld, index: int) -> list[Person]:
    heads = [
        r.head
        for r in w.renovations
        if r.grade != "无房户"
        and r.first <= index
        and (r.household.town.code, index) not in w.silent
    ]
    heads += [
        m.head
        for m in w.monitored
        if m.states[index] is not None and (m.household.town.code, index) not in w.silent
    ]
    return heads


# --------------------------------------------------------------------------- ledgers


def _place(hh: Household) -> dict[str, object]:
    return {"镇（街道）": hh.town, "行政村": hh.village}


def housing_monitor(county: County, index: int) -> list[Record]:
    w: HousingWorld | None = county.world.get(NAME)
    if w is None:
        return []
    end = month_end(county.year, index)
    rows: list[Record] = []
    for r in w.renovations:
        if r.grade == "无房户" or r.first > index:
            continue
        done = r.completed <= end
        values = {
            "户主姓名": r.head.name,
            "身份证号": r.head.id_number,
            **_place(r.household),
            "对象类型": _kind(r.kind, r.household, index),
            "安全等级": r.grade,
            "问题描述": r.problem,
            "处置情况": "已整改" if done else "纳入危改",
            "鉴定日期": r.assessed,
            "备注": "危改已竣工" if done else "已纳入2024年农村危房改造计划",
            **r.monitor_values.get(index, {}),
        }
        rows.append(Record(values, r.head))
    for m in w.monitored:
        state = m.states[index]
        if state is None:
            continue
        grade, problem, disposal, assessed, remark = state
        values = {
            "户主姓名": m.head.name,
            "身份证号": m.head.id_number,
            **_place(m.household),
            "对象类型": _kind(m.kind, m.household, index),
            "安全等级": grade,
            "问题描述": problem,
            "处置情况": disposal,
            "鉴定日期": assessed,
            "备注": remark,
        }
        rows.append(Record(values, m.head))
    rows = [r for r in rows if (r.values["镇（街道）"].code, index) not in w.silent]
    reporting = {r.values["镇（街道）"].code for r in rows}
    for town in county.gazetteer.townships:
        if town.code in reporting or (town.code, index) in w.silent:
            continue
        nil = dict.fromkeys(
            (
                "户主姓名",
                "身份证号",
                "行政村",
                "对象类型",
                "安全等级",
                "问题描述",
                "处置情况",
                "鉴定日期",
            )
        )
        # 镇 filled, nobody named, 备注 无: the township has no household to report.
        rows.append(Record({**nil, "镇（街道）": town, "备注": "无"}, None, protected=True))
    rows.sort(key=_monitor_order)
    protect(county, rows, index)
    return repeat(county, "housing_monitor", index, rows, lambda r: r.person)


def _monitor_order(r: Record) -> tuple:
    v = r.values
    village = v["行政村"]
    return (v["镇（街道）"].code, village.code if village else "", v["身份证号"] or "")


def housing_renovation(county: County, index: int) -> list[Record]:
    w: HousingWorld | None = county.world.get(NAME)
    if w is None:
        return []
    end = month_end(county.year, index)

    def when(day: dt.date) -> dt.date | None:
        return day if day <= end else None  # a date is filled once it has happened

    rows = []
    for r in listed(w, index):
        values = {
            "户主姓名": r.head.name,
            "身份证号": r.head.id_number,
            **_place(r.household),
            "对象类型": _kind(r.kind, r.household, index),
            "鉴定等级": r.grade,
            "改造方式": r.method,
            "开工日期": when(r.started),
            "竣工日期": when(r.completed),
            "验收日期": when(r.accepted),
            "补助兑付日期": when(r.paid),
            "补助资金": r.subsidy,
        }
        values.update(r.renovation_values.get(index, {}))
        rows.append(Record(values, r.head))
    protect(county, rows, index)
    return repeat(county, "housing_renovation", index, rows, lambda r: r.person)


LEDGERS = {"housing_monitor": housing_monitor, "housing_renovation": housing_renovation}
