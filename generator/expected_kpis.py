"""The truth of every indicator of spec/kpis.md beyond the three of ``expected.py``: its
value per month at the county, each township and each village, from the loaded facts.

Each indicator is one small function of the ``CountyYear`` returning the rows
``{"kpi_code", "period", "level", "town_code", "village_code", "value"}`` that
``truth.json`` lists under ``kpis``. They follow docs/contract-readings.md ("Indicators",
each function's docstring its reading in short):

* an indicator exists in the months its ledger(s) serve (a monthly ledger its own month,
  ``income`` the latest quarter loaded, ``water_points`` every month of its year); a
  cumulative one in every evaluated month from its ledger's first loaded month on; a
  check-derived one in the months its check(s) are evaluated (the checks' own truth);
* a person, household, loan, project or testing point counts once, in the township and
  village of the earliest row it counts (within a month the lowest row number; across
  months the earliest month), with that row's attributes; a project with a township and no
  village counts in its township and the county, a 全县 one in the county only;
* every township and village has a row at the indicator's levels — 0 for an empty count,
  ``None`` for a rate with nothing to divide by; a rate is Σ numerator ÷ Σ denominator at
  each level; rates are fractions;
* reported indicators (``indicators``) have no village level: a township's value is its
  row's figure (0 without a row), the county's the ``全县`` row's where there is one, else
  the townships' sum (``None`` when the month has no row of the code).

Only the value is truth: targets, expected values and statuses are not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from . import expected, expected_places, expected_welfare
from .expected import PERSON_KINDS, RATE_PLACES, _month_end, _row, in_post
from .expected import evaluated_months as _evaluated
from .facts import money
from .gazetteer import COUNTY_CODE

if TYPE_CHECKING:
    from .truth import CountyYear

ZERO = Decimal(0)

# A part of an indicator: (town code | None, village code | None, numerator, denominator).
# A count or a sum has denominator None.
Part = tuple


# --------------------------------------------------------------------------- levels


def _levels(world: CountyYear, code: str, period: str, parts: Iterable[Part], measure: str):
    """County, township and village rows from the parts (``measure``: count | sum | rate)."""
    villages: dict[str, list] = {}
    towns: dict[str, list] = {}
    county = [ZERO, ZERO]
    for town, village, num, den in parts:
        den = ZERO if den is None else Decimal(den)
        num = Decimal(num)
        county[0] += num
        county[1] += den
        if town is None or town == COUNTY_CODE:
            continue
        t = towns.setdefault(town, [ZERO, ZERO])
        t[0] += num
        t[1] += den
        if village is not None:
            v = villages.setdefault(village, [ZERO, ZERO])
            v[0] += num
            v[1] += den
    rows = []
    for town in world.county.gazetteer.townships:
        for v in town.villages:
            parts = (measure, *villages.get(v.code, (ZERO, ZERO)))
            rows.append(_row(code, period, "village", town.code, v.code, _value(*parts), parts))
        parts = (measure, *towns.get(town.code, (ZERO, ZERO)))
        rows.append(_row(code, period, "town", town.code, None, _value(*parts), parts))
    parts = (measure, *county)
    rows.append(_row(code, period, "county", None, None, _value(*parts), parts))
    return rows


def _value(measure: str, num: Decimal, den: Decimal = ZERO):
    """An indicator's value from its parts: a count, a sum, or a rate (None: nothing to
    divide by)."""
    if measure == "count":
        return int(num)
    if measure == "sum":
        return float(num)
    if den == 0:
        return None
    return float((num / den).quantize(RATE_PLACES))


def _first(rows, key: Callable, keep: Callable = lambda f: True) -> dict:
    """key -> the earliest (lowest row number) of the kept rows with that key."""
    out: dict = {}
    for f in sorted(rows, key=lambda f: f.row):
        if keep(f):
            out.setdefault(key(f), f)
    return out


def checked(world: CountyYear, check: Callable) -> dict[str, list[str]]:
    """A check's truth for ``world``, computed once (``truth.py`` and the check-derived
    indicators share it)."""
    memo = world.__dict__.setdefault("_checked", {})
    if check not in memo:
        memo[check] = check(world)
    return memo[check]


def _id(f) -> str:
    return f.id


def _household(f) -> str:
    return f.household


def _loaded(world: CountyYear, source: str):
    """(period, facts) of the months whose ``source`` file loaded."""
    for period in world.county.periods:
        rows = world.facts(source, period)
        if rows is not None:
            yield period, rows


def _seeing(world: CountyYear, *sources: str):
    """(month, {source: facts}) of the evaluated months that see every ``sources`` ledger."""
    for month in _evaluated(world):
        seen = {s: world.seen(s, month) for s in sources}
        if all(rows is not None for rows in seen.values()):
            yield month, seen


def _cumulative(world: CountyYear, source: str):
    """(month, [facts of each loaded month up to it]) for every evaluated month from the
    ledger's first loaded month on."""
    so_far: list = []
    for month in _evaluated(world):
        rows = world.facts(source, month)
        if rows is not None:
            so_far.append(rows)
        if so_far:
            yield month, list(so_far)


def _place(f) -> tuple[str | None, str | None]:
    return f.town, f.village


# --------------------------------------------------------------------------- 1 防返贫监测


A1_IDENTIFY_DAYS, A1_ENTRY_DAYS = 15, 10


def _identified(month: str, roster) -> list:
    """A1-IDENT's and A1-ENTRY's households: those with a 监测户 row, by their earliest 监测户
    row, whose 识别认定日期 falls in the month's year up to the month's end."""
    start, end = dt.date(int(month[:4]), 1, 1), _month_end(month)
    first = _first(roster, lambda f: f.household, lambda f: f.kind == "监测户")
    return [f for f in first.values() if f.identified is not None and start <= f.identified <= end]


def a1_ident(world: CountyYear) -> list[dict]:
    """Of the households identified this year (``_identified``), those with 风险发现日期
    filled and 识别认定 − 风险发现 ≤ 15 days."""
    rows = []
    for month, roster in _loaded(world, "roster"):
        parts = [
            (
                *_place(f),
                f.found is not None and (f.identified - f.found).days <= A1_IDENTIFY_DAYS,
                1,
            )
            for f in _identified(month, roster)
        ]
        rows += _levels(world, "A1-IDENT", month, parts, "rate")
    return rows


def a1_entry(world: CountyYear) -> list[dict]:
    """Of the households identified this year, those with 系统录入日期 filled and
    系统录入 − 识别认定 ≤ 10 days."""
    rows = []
    for month, roster in _loaded(world, "roster"):
        parts = [
            (
                *_place(f),
                f.entered is not None and (f.entered - f.identified).days <= A1_ENTRY_DAYS,
                1,
            )
            for f in _identified(month, roster)
        ]
        rows += _levels(world, "A1-ENTRY", month, parts, "rate")
    return rows


def a1_income_cover(world: CountyYear) -> list[dict]:
    """Roster households (户编号) with a row in the income quarter the month sees ÷ roster
    households; months with a roster and an income quarter seen."""
    rows = []
    for month, seen in _seeing(world, "roster", "income"):
        collected = {f.household for f in seen["income"]}
        households = _first(seen["roster"], lambda f: f.household)
        parts = [(*_place(f), h in collected, 1) for h, f in households.items()]
        rows += _levels(world, "A1-INCOME-COVER", month, parts, "rate")
    return rows


def a1_income_growth(world: CountyYear) -> list[dict]:
    """Growth of 脱贫户 per-capita net income. Households of the month's roster whose earliest
    row is a 脱贫户 with 上年家庭人均纯收入 B, and with income rows in the year's quarters
    loaded up to the one the month sees: net_q = 工资性 + 经营性 + 财产性 + 转移性 −
    生产经营性支出 of its earliest row of quarter q, n = 家庭人口数 of its latest quarter's
    row, annual = Σ net_q × 4 ÷ its quarters. Σ (annual − B × n) ÷ Σ (B × n)."""
    rows = []
    year = world.county.year
    for month, seen in _seeing(world, "roster", "income"):
        net: dict[str, Decimal] = {}
        size: dict[str, int] = {}
        quarters: dict[str, int] = {}
        for q in range(1, int(month[5:]) // 3 + 1):
            for h, f in _first(world.facts("income", f"{year}-Q{q}") or (), _household).items():
                net[h] = net.get(h, ZERO) + (
                    money(f.wage)
                    + money(f.business)
                    + money(f.property)
                    + money(f.transfer)
                    - money(f.cost)
                )
                size[h] = f.size
                quarters[h] = quarters.get(h, 0) + 1
        parts = []
        for h, f in _first(seen["roster"], _household).items():
            if f.kind != "脱贫户" or f.income_prev is None or h not in net:
                continue
            last = f.income_prev * size[h]
            parts.append((*_place(f), net[h] * 4 / quarters[h] - last, last))
        rows += _levels(world, "A1-INCOME-GROWTH", month, parts, "rate")
    return rows


def a1_risk_cleared(world: CountyYear) -> list[dict]:
    """Households whose earliest 监测户 row says 风险消除状态 已消除 (count)."""
    rows = []
    for month, roster in _loaded(world, "roster"):
        first = _first(roster, _household, lambda f: f.kind == "监测户")
        parts = [(*_place(f), 1, None) for f in first.values() if f.risk_status == "已消除"]
        rows += _levels(world, "A1-RISK-CLEARED", month, parts, "count")
    return rows


# --------------------------------------------------------------------------- 2 巩固成果


def a2_insured(world: CountyYear) -> list[dict]:
    """Distinct roster persons not failing X01 ÷ distinct roster persons; where X01 is
    evaluated."""
    rows = []
    for month, failing in checked(world, expected_welfare.x01).items():
        wrong = set(failing)
        persons = _first(world.seen("roster", month), _id)
        parts = [(*_place(f), i not in wrong, 1) for i, f in persons.items()]
        rows += _levels(world, "A2-INSURED", month, parts, "rate")
    return rows


def a2_subsidy_ok(world: CountyYear) -> list[dict]:
    """Distinct insurance persons failing neither X02 nor X03 that month ÷ distinct insurance
    persons (whatever their 资助类别); where both checks are evaluated."""
    x02, x03 = checked(world, expected_welfare.x02), checked(world, expected_welfare.x03)
    rows = []
    for month in sorted(set(x02) & set(x03)):
        wrong = set(x02[month]) | set(x03[month])
        persons = _first(world.seen("insurance", month), _id)
        parts = [(*_place(f), i not in wrong, 1) for i, f in persons.items()]
        rows += _levels(world, "A2-SUBSIDY-OK", month, parts, "rate")
    return rows


def _check_count(world: CountyYear, code: str, failing: dict, places: Callable) -> list[dict]:
    """A count of a check's failing entities per evaluated month; ``places(month)`` gives
    entity -> its earliest row (for its township and village)."""
    rows = []
    for month, keys in failing.items():
        where = places(month)
        parts = [(*(_place(where[k]) if k in where else (None, None)), 1, None) for k in keys]
        rows += _levels(world, code, month, parts, "count")
    return rows


def _person_places(world: CountyYear, month: str, *others: str) -> dict:
    """Person -> earliest row: the month's roster first, then each of ``others`` (its months
    of the year up to this one, earliest first)."""
    where = _first(world.seen("roster", month) or (), _id)
    for source in others:
        for period in world.county.periods:
            if period > month:
                break
            for i, f in _first(world.seen(source, period) or (), _id).items():
                where.setdefault(i, f)
    return where


def a2_high_cost(world: CountyYear) -> list[dict]:
    """Persons failing X11 (high self-pay, not monitored): a count, each in its roster row's
    village, else its earliest settlement's."""
    return _check_count(
        world,
        "A2-HIGH-COST",
        checked(world, expected_welfare.x11),
        lambda m: _person_places(world, m, "medical_claims"),
    )


def a2_safety_net(world: CountyYear) -> list[dict]:
    """Persons failing X12 (a poor 监测户 without labour not in care): a count."""
    return _check_count(
        world,
        "A2-SAFETY-NET",
        checked(world, expected_welfare.x12),
        lambda m: _person_places(world, m),
    )


def a2_housing_report(world: CountyYear) -> list[dict]:
    """Townships with a housing_monitor row (a household or a nil report) that month: 1 or 0
    per township, their number at the county; where X18 is evaluated. No village rows."""
    return housing_report(world.county.gazetteer, checked(world, expected_places.x18))


def housing_report(gazetteer, x18: dict[str, list[str]]) -> list[dict]:
    """A2-HOUSING-REPORT from X18's truth (also a sharded county-year's, ``shards.py``)."""
    rows = []
    towns = [t.code for t in gazetteer.townships]
    for month, missing in x18.items():
        values = {t: int(t not in missing) for t in towns}
        rows += _town_rows("A2-HOUSING-REPORT", month, values, sum(values.values()))
    return rows


def _town_rows(code: str, period: str, towns: dict, county) -> list[dict]:
    rows = [_row(code, period, "town", t, None, v) for t, v in towns.items()]
    rows.append(_row(code, period, "county", None, None, county))
    return rows


def _renovated(world: CountyYear, code: str, dates: Callable) -> list[dict]:
    """Renovation households (户主 身份证号) whose earliest row of the month's list has every
    date of ``dates(fact)`` filled and not after the month's end."""
    rows = []
    for month, renovation in _loaded(world, "housing_renovation"):
        end = _month_end(month)
        households = _first(renovation, _id, lambda f: f.id is not None)
        parts = [
            (*_place(f), 1, None)
            for f in households.values()
            if all(d is not None and d <= end for d in dates(f))
        ]
        rows += _levels(world, code, month, parts, "count")
    return rows


def a2_renov_done(world: CountyYear) -> list[dict]:
    """Renovation households (户主 身份证号) with a 竣工日期 in the month's list."""
    return _renovated(world, "A2-RENOV-DONE", lambda f: (f.completed,))


def a2_renov_paid(world: CountyYear) -> list[dict]:
    """Renovation households with both 验收日期 and 补助兑付日期 in the month's list."""
    return _renovated(world, "A2-RENOV-PAID", lambda f: (f.accepted, f.paid))


def _surveyed(world: CountyYear, code: str, round_: str) -> list[dict]:
    """Villages with a water_survey row of the round in the year's files up to the month;
    every evaluated month from the round's month on, whatever loaded."""
    rows = []
    covered: dict = {}
    for month in _evaluated(world):
        for v, f in _first(
            world.facts("water_survey", month) or (),
            lambda f: f.village,
            lambda f: f.round == round_,
        ).items():
            covered.setdefault(v, f)
        if month >= round_:
            parts = [(*_place(f), 1, None) for f in covered.values()]
            rows += _levels(world, code, month, parts, "count")
    return rows


def a2_water_survey_apr(world: CountyYear) -> list[dict]:
    """Villages with a water_survey row of 排查批次 2024-04 in the files loaded so far."""
    return _surveyed(world, "A2-WATER-SURVEY-APR", f"{world.county.year}-04")


def a2_water_survey_oct(world: CountyYear) -> list[dict]:
    """Villages with a water_survey row of 排查批次 2024-10 in the files loaded so far."""
    return _surveyed(world, "A2-WATER-SURVEY-OCT", f"{world.county.year}-10")


def _points(world: CountyYear, month: str, keep: Callable = lambda f: True) -> dict:
    """The year's points, each by its earliest water_points row, that ``keep``."""
    first = _first(world.seen("water_points", month) or (), lambda f: f.point)
    return {p: f for p, f in first.items() if keep(f)}


def a2_water_monthly(world: CountyYear) -> list[dict]:
    """Active points (是否启用) of the year's list with a 21项常规检测 row in the month's
    water_tests; months with water_tests and the list."""
    rows = []
    for month, seen in _seeing(world, "water_tests", "water_points"):
        tested = {f.point for f in seen["water_tests"] if f.test == "21项常规检测"}
        active = _points(world, month, lambda f: f.active)
        parts = [(*_place(f), 1, None) for p, f in active.items() if p in tested]
        rows += _levels(world, "A2-WATER-MONTHLY", month, parts, "count")
    return rows


def _analyses(world: CountyYear, code: str, test: str) -> list[dict]:
    """Distinct (point, 检测日期) tests of one category in the year's water_tests so far, of
    active points, in the point's village; months the year's list serves."""
    rows = []
    for month, files in _cumulative(world, "water_tests"):
        if world.seen("water_points", month) is None:
            continue
        points = _points(world, month, lambda f: f.active)
        done = {(f.point, f.tested) for tests in files for f in tests if f.test == test}
        parts = [(*_place(points[p]), 1, None) for p, _d in done if p in points]
        rows += _levels(world, code, month, parts, "count")
    return rows


def a2_water_full32(world: CountyYear) -> list[dict]:
    """32项全分析 tests so far (distinct point and date)."""
    return _analyses(world, "A2-WATER-FULL32", "32项全分析")


def a2_water_full46(world: CountyYear) -> list[dict]:
    """46项全分析 tests so far (distinct point and date)."""
    return _analyses(world, "A2-WATER-FULL46", "46项全分析")


def a2_water_self(world: CountyYear) -> list[dict]:
    """Active 自备水源工程 points with at least one 32项全分析 test so far."""
    rows = []
    for month, files in _cumulative(world, "water_tests"):
        if world.seen("water_points", month) is None:
            continue
        tested = {f.point for tests in files for f in tests if f.test == "32项全分析"}
        own = _points(world, month, lambda f: f.active and f.scheme == "自备水源工程")
        parts = [(*_place(f), 1, None) for p, f in own.items() if p in tested]
        rows += _levels(world, "A2-WATER-SELF", month, parts, "count")
    return rows


# --------------------------------------------------------------------------- 3 产业发展


def a3_loan_new(world: CountyYear) -> list[dict]:
    """Σ 贷款金额 (元) of the month's loans with 放款日期 in the year up to the month's end,
    a contract once with its earliest row."""
    rows = []
    for month, loans in _loaded(world, "loans"):
        start, end = dt.date(int(month[:4]), 1, 1), _month_end(month)
        contracts = _first(loans, lambda f: f.contract)
        parts = [
            (*_place(f), f.amount, None)
            for f in contracts.values()
            if f.issued is not None and start <= f.issued <= end
        ]
        rows += _levels(world, "A3-LOAN-NEW", month, parts, "sum")
    return rows


def a3_loan_180(world: CountyYear) -> list[dict]:
    """Contracts failing X14 (overdue > 180 days, no 风险补偿) that month: a count."""
    return _check_count(
        world,
        "A3-LOAN-180",
        checked(world, expected.x14),
        lambda m: _first(world.facts("loans", m) or (), lambda f: f.contract),
    )


# --------------------------------------------------------------------------- 4 稳岗就业


def a4_ledger_match(world: CountyYear) -> list[dict]:
    """Persons in the month's employment or with a roster row saying 务工, not failing X04,
    ÷ those persons; each in its earliest roster row's village, else its earliest
    employment row's; where X04 is evaluated."""
    rows = []
    for month, failing in checked(world, expected.x04).items():
        roster, employment = world.seen("roster", month), world.seen("employment", month)
        wrong = set(failing)
        persons = {f.id for f in roster if f.work == "务工"} | {f.id for f in employment}
        where = _first(roster, _id)
        for i, f in _first(employment, _id).items():
            where.setdefault(i, f)
        parts = [(*_place(where[i]), i not in wrong, 1) for i in persons]
        rows += _levels(world, "A4-LEDGER-MATCH", month, parts, "rate")
    return rows


PUBLIC_JOBS_PARTS = {
    "A4-PUBLIC-JOBS-VILLAGE": "乡村公益岗",
    "A4-PUBLIC-JOBS-FOREST": "护林员",
    "A4-PUBLIC-JOBS-RIVER": "护河员",
    "A4-PUBLIC-JOBS-SOLAR": "光伏公益岗",
}


def a4_public_jobs(world: CountyYear) -> list[dict]:
    """Distinct persons of 人员类别 脱贫户 / 监测户 in post at the month's end (上岗 by then,
    no 离岗日期 or one after it): the total (a person in two posts once) and per 岗位类别."""
    rows = []
    for month, jobs in _loaded(world, "public_jobs"):
        held = [f for f in jobs if f.category in PERSON_KINDS and in_post(f, month)]
        persons = _first(held, _id)
        rows += _levels(
            world,
            "A4-PUBLIC-JOBS",
            month,
            [(*_place(f), 1, None) for f in persons.values()],
            "count",
        )
        for code, post in PUBLIC_JOBS_PARTS.items():
            persons = _first(held, _id, lambda f, post=post: f.post == post)
            parts = [(*_place(f), 1, None) for f in persons.values()]
            rows += _levels(world, code, month, parts, "count")
    return rows


def a4_transport(world: CountyYear) -> list[dict]:
    """The year to date: persons paid a transport subsidy (跨省交通补助 filled, not 0) in an
    employment month up to this one, with no X19 failure in any of those months, ÷ persons
    paid; each in its earliest paid row's village (earliest month, then row); where X19 is
    evaluated."""
    x19 = checked(world, expected.x19)
    rows = []
    paid: dict = {}
    wrong: set[str] = set()
    for month in world.county.periods:
        for i, f in _first(
            world.facts("employment", month) or (), _id, lambda f: bool(f.subsidy)
        ).items():
            paid.setdefault(i, f)
        if month not in x19:
            continue
        wrong |= set(x19[month])
        parts = [(*_place(f), i not in wrong, 1) for i, f in paid.items()]
        rows += _levels(world, "A4-TRANSPORT", month, parts, "rate")
    return rows


# --------------------------------------------------------------------------- 6 易地搬迁


def a6_reloc_employ(world: CountyYear) -> list[dict]:
    """Roster households with a row 是否易地搬迁 是 and a member 有劳动能力, not failing X08,
    ÷ those households; where X08 is evaluated."""
    rows = []
    for month, failing in checked(world, expected.x08).items():
        wrong = set(failing)
        roster = world.seen("roster", month)
        relocated = {f.household for f in roster if f.relocated}
        able = {f.household for f in roster if f.ability == "有劳动能力"}
        first = _first(roster, _household)
        parts = [(*_place(first[h]), h not in wrong, 1) for h in relocated & able]
        rows += _levels(world, "A6-RELOC-EMPLOY", month, parts, "rate")
    return rows


# --------------------------------------------------------------------------- 7 衔接资金


def _projects(world: CountyYear, code: str, part: Callable) -> list[dict]:
    """A rate over the month's projects, a project once with its earliest row; a 全县
    project counts at the county only, a township-wide one in its township."""
    rows = []
    for month, projects in _loaded(world, "projects"):
        parts = [(*_place(f), *part(f)) for f in _first(projects, lambda f: f.project).values()]
        rows += _levels(world, code, month, parts, "rate")
    return rows


def a7_spend(world: CountyYear) -> list[dict]:
    """Σ 累计支出 ÷ Σ 衔接资金."""
    return _projects(world, "A7-SPEND", lambda f: (money(f.spent), money(f.funds)))


def a7_start(world: CountyYear) -> list[dict]:
    """Projects 在建 or 已完工 ÷ projects."""
    return _projects(world, "A7-START", lambda f: (f.status in ("在建", "已完工"), 1))


def a7_done(world: CountyYear) -> list[dict]:
    """Projects 已完工 ÷ projects."""
    return _projects(world, "A7-DONE", lambda f: (f.status == "已完工", 1))


def a7_claimed(world: CountyYear) -> list[dict]:
    """Σ 报账金额 ÷ Σ 衔接资金."""
    return _projects(world, "A7-CLAIMED", lambda f: (money(f.claimed), money(f.funds)))


# --------------------------------------------------------------------------- reported

# A level indicator reads the row's 本月完成; the others its 累计完成, else the sum of the
# unit's 本月完成 over the year's files so far.
REPORTED_LEVEL = ("A2-DROPOUT", "A2-CHRONIC-SIGN", "A5-INSPECTIONS")
# Reported by each township (county and town levels); the others by 全县 (county only).
REPORTED_BY_TOWN = (
    "A2-DROPOUT",
    "A3-FARMLAND",
    "A3-ORCHARD-DEMO",
    "A3-ORCHARD-RENOV",
    "A3-COURTYARD",
    "A3-COLLECTIVE-100K",
    "A9-DEMO-VILLAGES",
    "A9-TOILETS",
)
REPORTED_BY_COUNTY = (
    "A2-CHRONIC-SIGN",
    "A2-WATER-PROJECTS",
    "A3-SHARED-VILLAGE",
    "A3-SHARED-COURTYARD",
    "A3-NEW-FARMS",
    "A3-NEW-COOPS",
    "A3-CITY-COOPS",
    "A3-CITY-FARMS",
    "A3-HQ-FARMERS",
    "A5-INSPECTIONS",
    "A8-BOC-FUNDS",
    "A8-BOC-TRAINING",
    "A8-ENT-PROJECTS",
    "A8-ENT-DONORS",
    "A9-QIANWAN",
    "A9-PLANS-KEY",
    "A9-PLANS-DEMO",
    "A10-GOVERNANCE",
)
COLLECTIVE = "A3-COLLECTIVE-100K"


def reported(world: CountyYear) -> list[dict]:
    """Every reported indicator in the months ``indicators`` loads, a (指标编码, 镇) once with
    its lowest row. A unit's figure: 本月完成 for a level indicator, else 累计完成, or when
    empty the sum of the unit's 本月完成 over the year's files up to the month. The county:
    the 全县 row's figure where the month has one, else the townships' sum, ``None`` when
    the month has no row of the code; a township (codes reported by township): its row's
    figure, 0 without one. A3-COLLECTIVE-100K is a share of the gazetteer's villages."""
    gaz = world.county.gazetteer
    towns = {t.code: len(t.villages) for t in gaz.townships}
    so_far: dict[tuple, Decimal] = {}
    out = []
    for month, rows in _loaded(world, "indicators"):
        first = _first(rows, lambda f: (f.code, f.town), lambda f: f.code is not None)
        figures = {}
        for key, f in first.items():
            so_far[key] = so_far.get(key, ZERO) + Decimal(f.month_value)
            if f.code in REPORTED_LEVEL:
                figures[key] = Decimal(f.month_value)
            elif f.cumulative is not None:
                figures[key] = Decimal(f.cumulative)
            else:
                figures[key] = so_far[key]
        for code in (*REPORTED_BY_TOWN, *REPORTED_BY_COUNTY):
            by_town = {t: figures.get((code, t), ZERO) for t in towns}
            if (code, COUNTY_CODE) in figures:
                county = figures[(code, COUNTY_CODE)]
            elif any(k[0] == code for k in figures):
                county = sum(by_town.values(), ZERO)
            else:
                county = None
            if code == COLLECTIVE:
                by_town = {t: _fraction(v / towns[t]) for t, v in by_town.items()}
                county = None if county is None else _fraction(county / len(gaz.villages))
            else:
                by_town = {t: float(v) for t, v in by_town.items()}
                county = None if county is None else float(county)
            if code in REPORTED_BY_TOWN:
                out += _town_rows(code, month, by_town, county)
            else:
                out.append(_row(code, month, "county", None, None, county))
    return out


def _fraction(value: Decimal) -> float:
    return float(value.quantize(RATE_PLACES))


KPIS: list[Callable[[CountyYear], list[dict]]] = [
    a1_ident,
    a1_entry,
    a1_income_cover,
    a1_income_growth,
    a1_risk_cleared,
    a2_insured,
    a2_subsidy_ok,
    a2_high_cost,
    a2_safety_net,
    a2_housing_report,
    a2_renov_done,
    a2_renov_paid,
    a2_water_survey_apr,
    a2_water_survey_oct,
    a2_water_monthly,
    a2_water_full32,
    a2_water_self,
    a2_water_full46,
    a3_loan_new,
    a3_loan_180,
    a4_ledger_match,
    a4_public_jobs,
    a4_transport,
    a6_reloc_employ,
    a7_spend,
    a7_start,
    a7_done,
    a7_claimed,
    reported,
]
