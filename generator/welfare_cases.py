"""The welfare domain's planted cases (``welfare.plant``): disagreements between the
insurance, assistance, settlement and income ledgers and the roster, for the checks to find.

In months whose files load (``Planter.months``), never in March, each kind at least once a
year at any scale, the rows showing a case protected from random bad cells, one case per
person and month:

* **U01** — a person listed twice in insurance (same 参保年度) or assistance (same
  救助类型); a (small) settlement exported twice;
* **U03** — a settlement whose 医疗总费用 is a few yuan off its parts;
* **X01** — a roster person missing from insurance for a month, or 未参保 for a few;
* **X02** — a wrong 资助金额 for the category (a 低保对象 subsidised 180, a 特困人员 215);
* **X03** — 特困人员 without 特困供养; 监测对象 for a 脱贫户 member; 低保对象 the month a
  household's 低保 stops (the bureau a month late); under-subsidised persons (在保 低保
  as 脱贫人口, 特困 as 低保对象);
* **X11** — seriously ill persons whose year-to-date self-pay passes 8,500: 2 in 5 are
  监测户 members (no failure), the others fail from the month they cross;
* **X12** — 监测户 without labour whose quarter's income falls below the 低保 line (a lost
  harvest) while they are out of 低保 (停保 at a review and reinstated, or not granted yet);
* **X20** — the dead still 在保 in assistance the month they die (corrected a month later);
* **X22** — a name typed with a homophone (王芳 / 王方) in insurance, assistance or the
  settlements, for a month;
* and households missing from one quarter's income file (A1-INCOME-COVER; no check).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from . import claims, income
from .population import County, Household, Person, month_end, month_start
from .schedule import N_PERIODS
from .welfare import (
    CARE,
    NAME,
    POLICY,
    Benefit,
    Welfare,
    _failing_months,
    _finalize,
    _grant_dibao,
    entitlement,
    judged_months,
)

# Planted cases: the share of the month's rows showing each (drawn each month, at least
# one a year); the others are counts at scale 1.
RATES = {
    "insurance_twice": 0.0001,  # of insurance rows
    "assistance_twice": 0.0003,  # of assistance rows
    "claims_twice": 0.0005,  # of settlements
    "claim_typo": 0.0003,  # of settlements (U03)
    "not_listed": 0.00005,  # of roster persons (X01)
    "uninsured": 0.00005,  # of roster persons (X01)
    "wrong_amount": 0.00008,  # of insurance rows (X02)
    "tekun_unsupported": 0.00003,  # of insurance rows (X03)
    "monitor_for_tuopin": 0.00003,
    "dibao_as_tuopin": 0.00003,
    "tekun_as_dibao": 0.00003,
    "homophone": 0.00003,  # of the ledger's rows (X22)
}
DIBAO_LATE = 6  # 低保 stops the insurance bureau follows a month late (X03), at scale 1
SERIOUSLY_ILL = 10  # persons whose self-pay passes 8,500 (X11), 2 in 5 of them 监测户
X12_HOUSEHOLDS = 5  # poor 监测户 without labour not in 低保 for a while
X20_DEATHS = 3  # the dead still 在保 in the month they die
INCOME_MISSING = 0.005  # share of households missing from one quarter's income file
LAGGING_TOWN = "马栏镇"  # where most of them are: its cadres collect late

# Homophones a clerk types for a character of a given name (X22): same sound, another
# character, same length — still a valid name.
HOMOPHONES = dict(
    zip(
        "芳伟军华明英兰丽红娟平林山宝义国民志德忠文兴生成荣学俊海桂凤玉珍梅霞琴秀萍云浩宇"
        "涛鹏飞磊阳杰鑫睿航泽嘉凯旭欣怡涵婷琪悦雪静萱瑶晶彩爱福有全发",
        "方玮君桦铭瑛岚莉宏鹃萍琳珊保毅帼敏智得中雯星升诚蓉雪骏凯贵风钰真玫侠芹绣平芸昊雨"
        "滔朋菲蕾洋洁新瑞杭则佳楷煦馨宜晗亭琦月学婧轩遥京采艾富友泉法",
        strict=True,
    )
)
SURNAME_HOMOPHONES = {"王": "汪", "张": "章", "李": "黎", "刘": "柳", "陈": "程", "杨": "阳"}


def plant(pl) -> None:
    """Every planted case (module docstring), on ``pl`` (``defects.Planter``)."""
    w: Welfare = pl.county.world[NAME]
    _dead_in_care(pl, w)  # first: it may let a person die
    _seriously_ill(pl, w)
    claims.number_claims(w, pl.county.shard.tag)
    _left_out(pl, w)
    _income_missing(pl, w)
    _insurance_cases(pl, w)
    _homophones(pl, w)
    _repeats(pl, w)
    _typos(pl, w)
    _finalize(w, pl.county)


def _free(pl, p: Person, months) -> bool:
    return all((p, m) not in pl.used for m in months)


def _span(pl, p: Person, first: int, months: set[int], length: int, ok) -> list[int]:
    """``first`` (picked already) and the months right after it, up to ``length`` in all,
    while they are planting months, free for ``p`` and ``ok``; protected."""
    span = [first]
    j = first + 1
    while len(span) < length and j in months and (p, j) not in pl.used and ok(j):
        pl.protect(p, j)
        span.append(j)
        j += 1
    return span


def _die(w: Welfare, county: County, p: Person, index: int, rng: random.Random) -> None:
    start, end = month_start(county.year, index), month_end(county.year, index)
    p.died = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    p.died_index = index
    kept = [b for b in w.benefits.get(p, ()) if b.first < index]  # none granted once dead
    for b in kept:
        b.stop = min(b.stop, index)
    w.benefits[p] = kept
    w.claims = [c for c in w.claims if c.person is not p or c.index < index]


def _dead_in_care(pl, w: Welfare) -> None:
    """X20: the civil-affairs bureau stops a dead person's assistance a month late — still
    在保 the month they die, when the insurance bureau already says 死亡."""
    county, rng = pl.county, pl.rng
    months = [m for m in pl.months("insurance", "assistance", "public_jobs") if m < N_PERIODS - 1]
    n = max(1, round(X20_DEATHS * county.scale))
    pool = [
        p
        for hh in w.households
        for p in hh.members
        if p.died_index in months
        and w.in_care(p, p.died_index - 1)
        and (p, p.died_index) not in pl.used
    ]
    chosen = rng.sample(pool, min(n, len(pool)))
    if len(chosen) < n:  # small counties: one of the frail others dies this year
        frail = [
            p
            for hh in w.others
            for p in hh.members
            if p.died is None and p.age >= 70 and w.in_care(p, 0) and _free(pl, p, months)
        ]
        for p in rng.sample(frail, min(n - len(chosen), len(frail))):
            _die(w, county, p, rng.choice(months), rng)
            chosen.append(p)
    for p in sorted(chosen, key=lambda p: p.id_number):
        d = p.died_index
        for b in w.benefits.get(p, ()):
            if b.stop == d and not b.once:
                b.stop = d + 1
        pl.protect(p, d)
        w.late_stops.append((p, d))


def _seriously_ill(pl, w: Welfare) -> None:
    """X11: persons whose year-to-date self-pay passes 8,500 in a month; 2 in 5 are 监测户
    members (no failure), the others are not (a possible 应纳未纳 from that month on)."""
    county, rng = pl.county, pl.rng
    months = pl.months("medical_claims", "roster")
    year = range(N_PERIODS)
    n = max(2, round(SERIOUSLY_ILL * county.scale))
    n_monitored = max(1, round(n * 2 / 5))
    pools: dict[bool, list[Person]] = {True: [], False: []}
    for hh in county.households:
        if hh.first_period != 0 or (hh.monitoring is not None and hh.monitored_from != 0):
            continue
        for p in hh.members:
            if p.died is None and 18 <= p.age <= 75 and _free(pl, p, year):
                pools[hh.monitoring is not None].append(p)
    for k in range(n):
        pool = pools[k < n_monitored]
        p = pool.pop(rng.randrange(len(pool)))
        crossing = rng.choice(months)
        w.claims = [c for c in w.claims if c.person is not p]
        w.claims += claims.storyline(rng, w, county, p, crossing)
        for index in year:
            pl.protect(p, index)
        w.seriously_ill.append((p, crossing))


def _left_out(pl, w: Welfare) -> None:
    """X12: a 监测户 without labour whose quarter's income falls below the 低保 line (its
    harvest lost) while it is not in 低保: 停保 at the spring or autumn review and
    reinstated a few months later, or not yet granted."""
    county, rng = pl.county, pl.rng
    months = set(pl.months("roster", "income", "assistance"))
    n = max(1, round(X12_HOUSEHOLDS * county.scale))
    pool = [
        hh
        for hh in county.households
        if hh.first_period == 0
        and hh.monitoring is not None
        and hh.monitored_from == 0
        and all(p.ability != "有劳动能力" and p.died is None for p in hh.members)
    ]
    rng.shuffle(pool)
    for hh in pool:
        if len(w.unprotected) >= n:
            break
        care = [w.in_care(p, m) for p in hh.members for m in range(N_PERIODS)]
        if not (all(care) or not any(care)):
            continue
        for q in rng.sample((3, 6, 9), 3):
            a, b = q - 2, min(N_PERIODS, q + rng.randint(1, 3))
            span = range(a, b)
            if not all(_free(pl, p, span) for p in hh.members):
                continue
            undo = _leave_out(rng, w, county, hh, q, a, b, all(care))
            failing = _failing_months(w, hh)
            if failing and set(failing) <= months:
                for p in hh.members:
                    for m in span:
                        pl.protect(p, m)
                for m in failing:
                    pl.protect(hh.members[0], income.quarter_seen(m))  # the income row
                w.unprotected.append(hh)
                break
            undo()


def _leave_out(rng, w: Welfare, county: County, hh: Household, q: int, a: int, b: int, cared):
    """Lose the quarter ``q``'s harvest and be out of 低保/特困 in months [a, b); returns
    the undo."""
    prm = w.income_params[hh]
    prm.shock = q
    paused: list[Benefit] = []
    granted: list[Benefit] = []
    if cared:
        for p in hh.members:
            for ben in w.benefits.get(p, ()):
                if ben.kind in CARE:
                    ben.pause = (a, b)
                    ben.restart = month_start(county.year, b) if b < N_PERIODS else None
                    paused.append(ben)
    elif b < N_PERIODS:
        before = {p: list(w.benefits.get(p, ())) for p in hh.members}
        _grant_dibao(rng, w, county, hh, b)
        granted = [x for p in hh.members for x in w.benefits.get(p, ()) if x not in before[p]]

    def undo() -> None:
        prm.shock = None
        for ben in paused:
            ben.pause = ben.restart = None
        for ben in granted:
            w.benefits[ben.person].remove(ben)

    return undo


def _income_missing(pl, w: Welfare) -> None:
    """A few households missing from one quarter's income file, most of them in the
    lagging township (A1-INCOME-COVER below 100 %; no check fails for it)."""
    county, rng = pl.county, pl.rng
    skip = set(w.unprotected)
    n = max(1, round(INCOME_MISSING * len(county.households)))
    lagging = [hh for hh in county.households if hh.town.name == LAGGING_TOWN]
    for _ in range(50 * n):
        if len(w.income_missing) >= n:
            break
        hh = rng.choice(lagging if lagging and rng.random() < 0.7 else county.households)
        q = rng.choice(income.QUARTERS[1:])
        if hh not in skip and hh.present_at(q) and (hh.members[0], q) not in pl.used:
            w.income_missing.add((hh, q))


WRONG_AMOUNTS = {  # X02: what a clerk enters instead of the policy amount
    "特困人员": (Decimal("215.00"), Decimal("300.00")),
    "孤儿": (Decimal("215.00"),),
    "事实无人抚养儿童": (Decimal("215.00"), Decimal("300.00")),
    "低保对象": (Decimal("180.00"), Decimal("150.00"), Decimal("380.00")),
    "监测对象": (Decimal("180.00"), Decimal("100.00"), Decimal("380.00")),
}


def _insurance_cases(pl, w: Welfare) -> None:
    """X01 (not listed, or 未参保), X02 (a wrong amount), X03 (an unsupported category, an
    under-subsidised person, a 低保 stop followed a month late)."""
    rng = pl.rng
    months = pl.months("roster", "insurance", "assistance")
    mset = set(months)
    _dibao_late(pl, w, mset)  # first: it may stop a household's 低保
    persons = [p for hh in w.households for p in hh.members]
    cats: dict[int, list[tuple[Person, str]]] = {}

    def categories(i: int) -> list[tuple[Person, str]]:
        if i not in cats:
            cared = w.cared_at(i)
            cats[i] = [
                (p, entitlement(w, p, i, cared))
                for p in persons
                if w.tracked(p, i) and p.alive_at(i) and (p, i) not in w.ins_missing
            ]
        return cats[i]

    def plant(rate: str, rows, pool, values, length: int = 2) -> None:
        for i, n in pl.counts(RATES[rate], rows, months).items():
            if not n:
                continue
            for p, cat in pl.pick(pool(i), n, i, person=lambda x: x[0]):

                def same(j: int, p=p, cat=cat) -> bool:
                    return p.present_at(j) if cat is None else entitlement(w, p, j) == cat

                for j in _span(pl, p, i, mset, rng.randint(1, length), same):
                    if values is None:
                        w.ins_missing.add((p, j))
                    else:
                        w.ins_override[(p, j)] = values(cat)

    roster_rows = lambda i: len(pl.present[i])  # noqa: E731
    insurance_rows = lambda i: w.tracked_count[i]  # noqa: E731
    # X01
    plant("not_listed", roster_rows, lambda i: [(p, None) for p in pl.present[i]], None, 1)
    plant(
        "uninsured",
        roster_rows,
        lambda i: [(p, None) for p in pl.present[i] if (p, i) not in w.ins_missing],
        lambda _cat: {"参保状态": "未参保"},
        3,
    )
    # X02
    plant(
        "wrong_amount",
        insurance_rows,
        lambda i: [(p, c) for p, c in categories(i) if c in WRONG_AMOUNTS],
        lambda cat: {"资助金额": rng.choice(WRONG_AMOUNTS[cat])},
    )
    # X03: categories the other ledgers do not support …
    plant(
        "tekun_unsupported",
        insurance_rows,
        lambda i: [(p, c) for p, c in categories(i) if c in ("低保对象", "监测对象", "脱贫人口")],
        lambda _cat: {"资助类别": "特困人员", "资助金额": POLICY["特困人员"]},
    )
    plant(
        "monitor_for_tuopin",
        insurance_rows,
        lambda i: [(p, c) for p, c in categories(i) if c == "脱贫人口" and p.present_at(i)],
        lambda _cat: {"资助类别": "监测对象", "资助金额": POLICY["监测对象"]},
    )
    # … and under-subsidised persons
    plant(
        "dibao_as_tuopin",
        insurance_rows,
        lambda i: [
            (p, c)
            for p, c in categories(i)
            if c == "低保对象" and p.present_at(i) and p.household.kind_at(i) == "脱贫户"
        ],
        lambda _cat: {"资助类别": "脱贫人口", "资助金额": POLICY["脱贫人口"]},
    )
    plant(
        "tekun_as_dibao",
        insurance_rows,
        lambda i: [(p, c) for p, c in categories(i) if c == "特困人员"],
        lambda _cat: {"资助类别": "低保对象", "资助金额": POLICY["低保对象"]},
        1,
    )


def _dibao_stopped(w: Welfare, hh: Household) -> int | None:
    """The month the household's 低保 stopped (not by a death), if it did this year."""
    for p in hh.members:
        if p.died is not None:  # (stopped by the death, or a month late: X20)
            continue
        for b in w.benefits.get(p, ()):
            if b.kind == "低保" and b.stop < N_PERIODS:
                return b.stop
    return None


def _dibao_late(pl, w: Welfare, months: set[int]) -> None:
    """X03: the insurance bureau still says 低保对象 the month a household's 低保 stops."""
    county, rng = pl.county, pl.rng
    n = max(1, round(DIBAO_LATE * county.scale))

    def members(hh: Household, s: int) -> list[Person]:
        return [
            p
            for p in hh.members
            if p.alive_at(s) and w.tracked(p, s) and (p, s) not in w.ins_missing
        ]

    events = []
    for hh in w.households:
        s = _dibao_stopped(w, hh)
        if s in months and all((p, s) not in pl.used for p in members(hh, s)):
            events.append((hh, s))
    chosen = rng.sample(events, min(n, len(events)))
    if not chosen:  # small counties: one household's 低保 stops this year
        pool = [
            hh
            for hh in w.households
            if not judged_months(hh)
            and hh not in w.unprotected
            and all(w.in_care(p, i, ("低保",)) for p in hh.members for i in range(N_PERIODS))
        ]
        for hh in rng.sample(pool, len(pool)):
            s = rng.choice(sorted(months))
            if all((p, s) not in pl.used for p in hh.members):
                for p in hh.members:
                    for b in w.benefits.get(p, ()):
                        if b.kind == "低保":
                            b.stop = s
                chosen = [(hh, s)]
                break
    for hh, s in chosen:
        for p in members(hh, s):
            if w.in_care(p, s - 1, ("低保",)) and not w.in_care(p, s, ("低保",)):
                pl.protect(p, s)
                w.ins_override[(p, s)] = {"资助类别": "低保对象", "资助金额": POLICY["低保对象"]}


def homophone(name: str) -> str | None:
    """The name with one character replaced by a homophone (王芳 → 王方), or None."""
    for k in range(len(name) - 1, 0, -1):
        if name[k] in HOMOPHONES:
            return name[:k] + HOMOPHONES[name[k]] + name[k + 1 :]
    if name[0] in SURNAME_HOMOPHONES:
        return SURNAME_HOMOPHONES[name[0]] + name[1:]
    return None


def _homophones(pl, w: Welfare) -> None:
    """X22: a clerk types a person's name with a homophone, for a month."""
    for source in ("insurance", "assistance", "medical_claims"):
        months = pl.months("roster", source)

        def pool(i: int, source=source) -> list[Person]:
            if source == "insurance":
                found = [p for p in pl.present[i] if (p, i) not in w.ins_missing]
            elif source == "assistance":
                found = [
                    p
                    for p, benefits in w.benefits.items()
                    if p.present_at(i) and any(b.listed(i) for b in benefits)
                ]
            else:
                seen = {}
                for c in w.claims_by_month[i]:
                    if c.person.present_at(i):
                        seen.setdefault(c.person.id_number, c.person)
                found = [seen[k] for k in sorted(seen)]
            return [p for p in found if homophone(p.name)]

        def rows(i: int, source=source) -> int:
            if source == "insurance":
                return w.tracked_count[i]
            if source == "assistance":
                return sum(b.listed(i) for bs in w.benefits.values() for b in bs)
            return len(w.claims_by_month[i])

        for i, n in pl.counts(RATES["homophone"], rows, months).items():
            if n:
                for p in pl.pick(pool(i), n, i):
                    w.names[(source, p, i)] = homophone(p.name)


def _repeats(pl, w: Welfare) -> None:
    """U01: a person listed twice in insurance; an assistance row repeated (same 救助类型);
    a settlement exported twice (a small one: the year's self-pay stays the person's)."""
    d = pl.d
    persons = [p for hh in w.households for p in hh.members]

    def add(source: str, i: int, keys: list) -> None:
        if keys:
            d.repeated.setdefault((source, i), []).extend(keys)

    months = pl.months("insurance")
    for i, n in pl.counts(RATES["insurance_twice"], lambda i: w.tracked_count[i], months).items():
        if n:
            pool = [p for p in persons if w.tracked(p, i) and (p, i) not in w.ins_missing]
            add("insurance", i, pl.pick(pool, n, i))

    def listed(i: int) -> list[Benefit]:
        return [b for p in persons for b in w.benefits.get(p, ()) if b.listed(i)]

    months = pl.months("assistance")
    sizes = {i: len(listed(i)) for i in months}
    for i, n in pl.counts(RATES["assistance_twice"], sizes.__getitem__, months).items():
        if n:
            add("assistance", i, pl.pick(listed(i), n, i, person=lambda b: b.person))

    months = pl.months("medical_claims")
    sizes = {i: len(w.claims_by_month[i]) for i in months}
    for i, n in pl.counts(RATES["claims_twice"], sizes.__getitem__, months).items():
        if n:
            pool = [c for c in w.claims_by_month[i] if c.self_pay < 500]
            add("medical_claims", i, pl.pick(pool, n, i, person=lambda c: c.person))


def _typos(pl, w: Welfare) -> None:
    """U03: a settlement whose 医疗总费用 is a few yuan off the sum of its parts."""
    rng = pl.rng
    months = pl.months("medical_claims")
    sizes = {i: len(w.claims_by_month[i]) for i in months}
    for i, n in pl.counts(RATES["claim_typo"], sizes.__getitem__, months).items():
        if n:
            for c in pl.pick(w.claims_by_month[i], n, i, person=lambda c: c.person):
                delta = Decimal(rng.choice((-1, 1)) * rng.randint(1, 9))
                if c.total + delta <= 0:
                    delta = -delta
                w.typos[c] = c.total + delta
