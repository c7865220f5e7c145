"""Drinking water (饮水安全): the water bureau's list of testing points and supply schemes
(``water_points``, once for the year), its water-quality tests (``water_tests``, monthly
events) and the door-to-door survey of every village in April and October
(``water_survey``).

The world: the plan's 210 active testing points (fixed infrastructure: not scaled), 71 of
them on self-supplied sources (自备水源工程), 1–2 per village and none in some, plus three
points out of use; each active point gets a 21-item routine test every month and, over the
year, two 32-item and two 46-item full analyses (one in spring, one in autumn); about 1.5 %
of tests fail (不合格) on a named item, most routine failures re-tested within days. The
survey visits every registered household of each village (scaled with the population).

Planted (``plant``): a point with no routine test in a month, and in December one with a
single 46-item analysis (X16); a 不合格 test naming no item (U04); a test whose 检测点编号 is
mistyped (U06, and X16 for the point it was meant for); villages surveyed late, in the May
and November files (X17); a village listed twice in a round (U01); 实排查 above 应排查 or
已整改 above 发现问题 (U03).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .gazetteer import Township, Village
from .population import LAGGING_TOWNS, N_PERIODS, County, month_end, month_start
from .records import Record, protect, repeat
from .schedule import FIRST_MONTH, SURVEY_ROUNDS

if TYPE_CHECKING:
    import random

    from .defects import Planter

NAME = "water"

ACTIVE_POINTS = 210  # the plan's testing points (infrastructure: not scaled)
SELF_SUPPLIED = 71  # of them on self-supplied sources (自备水源工程)
INACTIVE_POINTS = 3
VILLAGES_WITH_POINTS = 160  # the other villages are served from a neighbour's scheme
ROUNDS = tuple(r - FIRST_MONTH for r in SURVEY_ROUNDS)  # month indexes of the rounds
SPRING, AUTUMN = (1, 2, 3), (6, 7, 8)  # months of the full analyses (April–June, Sep–Nov)
FAIL_RATE = {"21项常规检测": 0.013, "32项全分析": 0.02, "46项全分析": 0.02}
LATE_VILLAGES = {ROUNDS[0]: (3, 5), ROUNDS[1]: (1, 2)}  # surveyed after the round's month
UPDATED_VILLAGES = (1, 2)  # re-reported the month after, their rectification complete
# Planted, per month's rows (the expectation drawn each month; at least once a year).
RATES = {
    "no_routine_test": 0.0015,  # of active points
    "fail_without_item": 0.0005,  # of tests
    "mistyped_point": 0.0005,
    "survey_twice": 0.003,  # of survey rows
    "survey_done_above_due": 0.003,
    "survey_fixed_above_found": 0.003,
}

_ROUTINE_ITEMS = ("菌落总数", "总大肠菌群", "浑浊度", "肉眼可见物", "色度", "耗氧量", "氨(以N计)")
_FULL_ITEMS = (
    *_ROUTINE_ITEMS,
    "氟化物",
    "硝酸盐(以N计)",
    "铁",
    "锰",
    "溶解性总固体",
    "总硬度(以CaCO3计)",
)
# (不合格指标 as the loader stores text: NFKC-folded, so half-width brackets.)
_KIND_ORDER = {"21项常规检测": 0, "32项全分析": 1, "46项全分析": 2}
_GROUPS = "一二三四五六七八"


@dataclass(eq=False)
class Point:
    code: str  # 检测点编号
    name: str  # 检测点名称
    town: Township
    village: Village
    scheme_name: str  # 供水工程名称
    scheme: str  # 工程类型
    active: bool  # 是否启用


@dataclass(eq=False)
class Test:
    point: Point
    day: dt.date  # 检测日期
    kind: str  # 检测类别
    result: str  # 检测结果
    items: str | None  # 不合格指标
    written_code: str | None = None  # the 检测点编号 as mistyped (U06); None: the point's own

    @property
    def index(self) -> int:
        return self.day.month - FIRST_MONTH


@dataclass(eq=False)
class SurveyRow:
    village: Village
    town: Township
    round: dt.date  # 排查批次 (first of the round's month)
    due: int  # 应排查户数
    done: int  # 实排查户数
    found: int  # 发现问题数
    fixed: int  # 已整改数
    protected: bool = False  # never a bad cell (the April round must complete in May)


@dataclass
class WaterWorld:
    points: list[Point]
    tests: dict[int, list[Test]]  # month index -> the month's tests
    survey: dict[int, list[SurveyRow]]  # file month index -> rows
    # full analyses planned per point: (kind, month index) pairs
    full: dict[Point, list[tuple[str, int]]] = field(default_factory=dict)
    updated: list[SurveyRow] = field(default_factory=list)  # re-reported the month after


# --------------------------------------------------------------------------- simulate


def _points(rng: random.Random, county: County) -> list[Point]:
    gaz = county.gazetteer
    villages = [v for v in gaz.villages if v.kind == "村"]  # communities: the town's mains
    with_points = sorted(
        rng.sample(villages, min(VILLAGES_WITH_POINTS, len(villages))), key=lambda v: v.code
    )
    slots = list(with_points)
    extra = rng.sample(with_points, ACTIVE_POINTS - len(with_points))  # a second point
    slots += extra
    # Self-supplied sources (wells, cisterns) are commoner in the remote mountain townships.
    weights = [3.0 if gaz.town_of(v).name in LAGGING_TOWNS else 1.0 for v in slots]
    keys = sorted(((rng.random() ** (1 / w), n) for n, w in enumerate(weights)), reverse=True)
    self_supplied = {n for _, n in keys[:SELF_SUPPLIED]}
    inactive = rng.sample(villages, INACTIVE_POINTS)
    specs = [(v, n in self_supplied, True) for n, v in enumerate(slots)]
    specs += [(v, rng.random() < 0.5, False) for v in inactive]
    specs.sort(key=lambda s: s[0].code)
    serial: dict[str, int] = {}
    points = []
    for village, own, active in specs:
        serial[village.code] = serial.get(village.code, 0) + 1
        n = serial[village.code]
        town = gaz.town_of(village)
        if own:
            group = rng.choice(_GROUPS)
            source = rng.choice(("自备井", "水窖", "泉水"))
            scheme_name = f"{village.name}{group}组{source}供水工程"
            name = f"{village.name}{group}组水源检测点"
        else:
            if rng.random() < 0.35:
                scheme_name = (
                    f"{town.short}镇区集中供水工程" if town.short != "城关" else "县城供水工程"
                )
            else:
                scheme_name = f"{village.name}集中供水工程"
            where = rng.choice(("水厂出厂水", "管网末梢水", "蓄水池", "村委会管网末梢"))
            name = f"{village.name}{where}检测点"
        if not active:
            name += "（停用）"
        points.append(
            Point(
                code=f"SZ{village.code}-{n:02d}",
                name=name,
                town=town,
                village=village,
                scheme_name=scheme_name,
                scheme="自备水源工程" if own else "集中供水工程",
                active=active,
            )
        )
    return points


def _test(rng: random.Random, point: Point, day: dt.date, kind: str) -> Test:
    if rng.random() < FAIL_RATE[kind]:
        pool = _ROUTINE_ITEMS if kind == "21项常规检测" else _FULL_ITEMS
        items = "、".join(rng.sample(pool, rng.choice((1, 1, 1, 2))))
        return Test(point, day, kind, "不合格", items)
    return Test(point, day, kind, "合格", None)


def _simulate_tests(rng: random.Random, county: County, points: list[Point]):
    year = county.year
    tests: dict[int, list[Test]] = {i: [] for i in range(N_PERIODS)}
    full: dict[Point, list[tuple[str, int]]] = {}
    for point in points:
        if not point.active:
            continue
        plan = [
            ("32项全分析", rng.choice(SPRING)),
            ("32项全分析", rng.choice(AUTUMN)),
            ("46项全分析", rng.choice(SPRING)),
            ("46项全分析", rng.choice(AUTUMN)),
        ]
        full[point] = plan
        for i in range(N_PERIODS):
            last = month_end(year, i).day
            day = dt.date(year, FIRST_MONTH + i, rng.randint(1, last - 6))
            t = _test(rng, point, day, "21项常规检测")
            tests[i].append(t)
            if t.result == "不合格" and rng.random() < 0.7:  # 复检 a few days later
                again = day + dt.timedelta(days=rng.randint(2, 6))
                tests[i].append(Test(point, again, "21项常规检测", "合格", None))
            for kind, month in plan:
                if month == i:
                    tests[i].append(
                        _test(
                            rng, point, dt.date(year, FIRST_MONTH + i, rng.randint(1, last)), kind
                        )
                    )
    return tests, full


def _simulate_survey(rng: random.Random, county: County) -> dict[int, list[SurveyRow]]:
    gaz = county.gazetteer
    survey: dict[int, list[SurveyRow]] = {}
    for index in ROUNDS:
        rows = []
        for v in gaz.villages:
            due = max(1, round(v.registered_households * county.whole_scale))
            away = 0 if rng.random() < 0.7 else rng.randint(1, max(1, due // 50))
            done = max(0, due - away)
            found = int(done * rng.uniform(0, 0.008) + rng.random())
            fixed = found - (1 if found and rng.random() < 0.3 else 0)
            rows.append(
                SurveyRow(
                    v, gaz.town_of(v), month_start(county.year, index), due, done, found, fixed
                )
            )
        survey[index] = rows
        survey[index + 1] = []
    return survey


def simulate(county: County, stream) -> None:
    rng = stream(NAME)
    points = _points(rng, county)
    tests, full = _simulate_tests(rng, county, points)
    survey = _simulate_survey(rng, county)
    county.world[NAME] = WaterWorld(points, tests, survey, full)


# --------------------------------------------------------------------------- plant


def _mistype(code: str, taken: set[str], rng: random.Random) -> str:
    """The point's number as a clerk mistypes it: two digits swapped, one dropped or
    doubled — never another point's number."""
    for _ in range(100):
        body = code[2:]
        k = rng.randrange(len(body) - 1)
        how = rng.choice(("swap", "drop", "double"))
        if how == "swap" and body[k] != body[k + 1]:
            body = body[:k] + body[k + 1] + body[k] + body[k + 2 :]
        elif how == "drop":
            body = body[:k] + body[k + 1 :]
        elif how == "double":
            body = body[:k] + body[k] + body[k:]
        text = "SZ" + body
        if text != code and text not in taken:
            return text
    return code + "0"


def plant(planter: Planter) -> None:
    county, rng, d = planter.county, planter.rng, planter.d
    w: WaterWorld | None = county.world.get(NAME)
    if w is None:
        return
    active = [p for p in w.points if p.active]
    codes = {p.code for p in w.points}
    months = planter.months("water_tests", "water_points")

    def routine(i: int, point: Point) -> list[Test]:
        return [t for t in w.tests[i] if t.point is point and t.kind == "21项常规检测"]

    # X16: an active point with no routine test in the month (the sampler could not get
    # there, or the test was not done).
    for i, n in planter.counts(RATES["no_routine_test"], lambda i: len(active), months).items():
        for point in planter.pick(active, n, i):
            for t in routine(i, point):
                w.tests[i].remove(t)
    # X16 in December: a point whose autumn 46-item analysis was never done.
    december = N_PERIODS - 1
    if december in planter.months("water_tests", "water_points"):
        (point,) = planter.pick(active, 1, december)
        plan = w.full[point]
        kind, month = next((k, m) for k, m in plan if k == "46项全分析" and m in AUTUMN)
        w.tests[month] = [t for t in w.tests[month] if not (t.point is point and t.kind == kind)]
        spring = next(m for k, m in plan if k == "46项全分析" and m in SPRING)
        planter.protect(point, spring)  # the one analysis left always loads

    # U04: a 不合格 routine test naming no item; U06: a mistyped 检测点编号 (the point meant
    # has no routine test under its own number that month: X16 as well).
    def tested(i: int) -> list[Point]:
        return [p for p in active if routine(i, p)]

    for i, n in planter.counts(
        RATES["fail_without_item"], lambda i: len(w.tests[i]), months
    ).items():
        for point in planter.pick(tested(i), n, i):
            t = routine(i, point)[0]
            t.result, t.items = "不合格", None
    for i, n in planter.counts(RATES["mistyped_point"], lambda i: len(w.tests[i]), months).items():
        for point in planter.pick(tested(i), n, i):
            for t in routine(i, point):
                t.written_code = _mistype(point.code, codes, rng)

    # X17: villages surveyed late, reported in the next month's file (the round's month
    # still their 排查批次); a few others re-reported there with their rectification done.
    # The round's other rows never carry a bad cell, so April's round is complete from May
    # on (a bad cell may only hit a village re-reported in May).
    for index in ROUNDS:
        rows = w.survey[index]
        low, high = LATE_VILLAGES[index]
        late = rng.sample(rows, rng.randint(low, high))
        for r in late:
            rows.remove(r)
            r.protected = True
        # Re-reported: villages whose problems were all put right after the round.
        open_ = [r for r in rows if r.fixed < r.found] or [r for r in rows if r.found] or rows
        updated = rng.sample(open_, min(len(open_), rng.randint(*UPDATED_VILLAGES)))
        w.updated += updated
        again = []
        for r in updated:
            copy = SurveyRow(r.village, r.town, r.round, r.due, r.done, r.found, r.found)
            copy.protected = True
            again.append(copy)
        w.survey[index + 1] = sorted([*late, *again], key=lambda r: r.village.code)
        if index == ROUNDS[0]:
            for r in rows:
                r.protected = r not in updated

    # U01: a village listed twice in a round; U03: 实排查 above 应排查, 已整改 above 发现问题.
    survey_months = [i for i in ROUNDS if i in planter.months("water_survey")]
    size = lambda i: len(w.survey[i])  # noqa: E731
    # (never a re-reported village: its April row is the one a bad cell may hit)

    def villages(i: int) -> list[Village]:
        return [r.village for r in w.survey[i] if r not in w.updated]

    for i, n in planter.counts(RATES["survey_twice"], size, survey_months).items():
        chosen = planter.pick(villages(i), n, i)
        if chosen:
            d.repeated.setdefault(("water_survey", i), []).extend(chosen)
    for case in ("survey_done_above_due", "survey_fixed_above_found"):
        for i, n in planter.counts(RATES[case], size, survey_months).items():
            by_village = {r.village.code: r for r in w.survey[i]}
            for village in planter.pick(villages(i), n, i):
                r = by_village[village.code]
                if case == "survey_done_above_due":
                    r.done = r.due + rng.randint(1, 3)
                else:
                    r.fixed = r.found + rng.randint(1, 2)
                r.protected = True


# --------------------------------------------------------------------------- ledgers


def water_points(county: County, index: int) -> list[Record]:
    w: WaterWorld | None = county.world.get(NAME)
    if w is None:
        return []
    rows = []
    for p in w.points:
        values = {
            "检测点编号": p.code,
            "检测点名称": p.name,
            "镇（街道）": p.town,
            "行政村": p.village,
            "供水工程名称": p.scheme_name,
            "工程类型": p.scheme,
            "是否启用": p.active,
        }
        rows.append(Record(values, None, subject=p))
    return rows


def water_tests(county: County, index: int) -> list[Record]:
    w: WaterWorld | None = county.world.get(NAME)
    if w is None:
        return []
    tests = sorted(w.tests[index], key=lambda t: (t.day, t.point.code, _KIND_ORDER[t.kind]))
    rows = []
    for t in tests:
        values = {
            "检测点编号": t.written_code or t.point.code,
            "检测日期": t.day,
            "检测类别": t.kind,
            "检测结果": t.result,
            "不合格指标": t.items,
        }
        rows.append(Record(values, None, subject=t.point))
    return protect(county, rows, index)


def water_survey(county: County, index: int) -> list[Record]:
    w: WaterWorld | None = county.world.get(NAME)
    if w is None:
        return []
    rows = []
    for r in w.survey.get(index, ()):
        values = {
            "镇（街道）": r.town,
            "行政村": r.village,
            "排查批次": r.round,
            "应排查户数": r.due,
            "实排查户数": r.done,
            "发现问题数": r.found,
            "已整改数": r.fixed,
        }
        rows.append(Record(values, None, protected=r.protected, subject=r.village))
    protect(county, rows, index)
    return repeat(county, "water_survey", index, rows, lambda r: r.subject)


LEDGERS = {"water_points": water_points, "water_tests": water_tests, "water_survey": water_survey}
