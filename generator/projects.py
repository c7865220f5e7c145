"""Projects of the 财政衔接资金 (the transition fund): the county's monthly project ledger
(``projects``).

The world: the year's projects — about 150 at scale 1, ≈ 12,000 万元 of 衔接资金 — most in
a township and a village, some township-wide, some county-level (镇 ``全县``, no village);
each starts (开工), is built (在建) and completes (已完工), its 累计支出 following the plan's
A7-SPEND milestones (at least 30 % of its funds by the April report, 50 % by June, 75 % by
September, 100 % by December), its 报账金额 behind its spending. Amounts are 万元 with two
decimals (the column's declared unit).

Planted (``plant``): projects behind the latest milestone, most of them in the remote
mountain townships, some catching up later (X15); a project listed twice (U01); 完工 typed
a year early, before 开工 (U02); 报账 above 累计支出, 累计支出 above 衔接资金 (U03); 已完工
without 完工日期, 在建 without 开工日期 (U04).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from .gazetteer import COUNTY, Township, Village
from .population import LAGGING_TOWNS, N_PERIODS, County, month_end
from .records import Record, protect, repeat

if TYPE_CHECKING:
    import random

    from .defects import Planter

NAME = "projects"

PROJECTS = 150  # at scale 1
FUNDS = Decimal(12_000)  # 万元 at scale 1
COUNTY_SHARE = 0.12  # county-level projects (镇 全县)
# A7-SPEND: month index -> the share of its funds a project must have spent by then.
MILESTONES = {1: Decimal("0.30"), 3: Decimal("0.50"), 6: Decimal("0.75"), 9: Decimal("1")}
BEHIND_SHARE = {"lagging": 0.55, "other": 0.03}  # projects behind a milestone
RATES = {  # per month's rows (the expectation drawn each month; at least once a year)
    "twice": 0.002,
    "finished_before_start": 0.0015,
    "claimed_above_spent": 0.001,
    "spent_above_funds": 0.001,
    "done_without_date": 0.001,
    "building_without_start": 0.001,
}
CENT = Decimal("0.01")

# (项目类别, weight, (low, high) 万元, name patterns for a village / a township / the county)
_CATEGORIES = (
    (
        "产业发展",
        40,
        (30, 300),
        (
            "苹果矮化密植园建设项目",
            "设施农业大棚建设项目",
            "肉牛养殖场建设项目",
            "苹果冷链仓储项目",
        ),
    ),
    (
        "基础设施",
        30,
        (20, 220),
        ("村组道路硬化项目", "产业路建设项目", "农村供水管网改造项目", "生产便桥建设项目"),
    ),
    (
        "村集体经济",
        10,
        (30, 100),
        ("村集体经济光伏电站项目", "村集体经济果品分拣车间项目", "村集体经济农机服务项目"),
    ),
    ("人居环境", 10, (10, 80), ("人居环境整治项目", "农村生活污水治理项目", "村庄绿化美化项目")),
    ("就业帮扶", 5, (10, 50), ("就业帮扶车间建设项目", "社区工厂建设项目")),
    ("其他", 5, (5, 50), ("防返贫监测信息化项目", "雨露计划补助项目", "项目管理费")),
)
# County-level projects of each category: (name, 实施单位).
_COUNTY_PROJECTS = {
    "产业发展": (
        ("苹果产业提质增效项目", "县果业中心"),
        ("畜牧产业发展项目", "县农业农村局"),
        ("特色产业奖补项目", "县农业农村局"),
    ),
    "基础设施": (("农村供水巩固提升工程", "县水利局"), ("农村公路提升项目", "县交通运输局")),
    "村集体经济": (("村集体经济发展扶持项目", "县农业农村局"),),
    "人居环境": (("农村改厕奖补项目", "县农业农村局"), ("农村危房改造补助项目", "县住建局")),
    "就业帮扶": (
        ("脱贫劳动力外出务工交通补助项目", "县人社局"),
        ("乡村公益性岗位补助项目", "县人社局"),
    ),
    "其他": (("小额信贷贴息项目", "县乡村振兴局"), ("项目管理费", "县乡村振兴局")),
}


@dataclass(eq=False)
class Project:
    code: str  # 项目编号
    name: str  # 项目名称
    unit: str  # 实施单位
    town: Township  # COUNTY for a county-level project
    village: Village | None
    category: str  # 项目类别
    funds: Decimal  # 衔接资金 (万元)
    shares: list[float] = field(default_factory=list)  # spent ÷ funds at each month's end
    spent: list[Decimal] = field(default_factory=list)  # 累计支出 (万元), month by month
    claimed: list[Decimal | None] = field(default_factory=list)  # 报账金额 (万元)
    started: dt.date | None = None  # 开工日期
    finished: dt.date | None = None  # 完工日期
    values: dict[int, dict[str, object]] = field(default_factory=dict)  # planted: month -> cells


@dataclass
class ProjectsWorld:
    projects: list[Project]


def _required(index: int) -> Decimal:
    """The latest milestone whose month has come (0 before the first)."""
    return max((share for i, share in MILESTONES.items() if i <= index), default=Decimal(0))


def _curve(rng: random.Random, fail: tuple[int, int] | None = None) -> list[float]:
    """Spent ÷ funds at each month's end: on the milestones, or below them in the months
    ``fail`` (first, last) and back on them after."""
    shares: list[float] = []
    prev = rng.uniform(0.05, 0.25) if rng.random() < 0.4 else 0.0  # started in March
    if fail is not None and fail[0] == 1:
        prev = 0.0
    for i in range(N_PERIODS):
        need = float(_required(i))
        nxt = float(min((v for m, v in MILESTONES.items() if m > i), default=1))
        if i == 0:
            value = prev
        elif fail is not None and fail[0] <= i <= fail[1]:
            ceiling = need - 0.03
            if i == 1 and rng.random() < 0.5:
                value = 0.0  # not started by the end of April
            elif prev >= ceiling:
                value = prev
            else:
                value = prev + (ceiling - prev) * rng.uniform(0.2, 0.9)
        elif i == N_PERIODS - 1:
            value = 1.0
        else:
            low = max(prev, need + 0.01)
            spread = 0.05 if i < 3 else 0.1
            value = min(0.99, rng.uniform(low, max(low, (need + nxt) / 2 + spread)))
        value = max(prev, value)
        shares.append(value)
        prev = value
    return shares


def _derive(rng: random.Random, year: int, p: Project) -> None:
    """Dates, amounts and claims from the project's spending curve."""
    funds = p.funds
    p.spent, p.claimed = [], []
    claim_share = 0.0
    for i, share in enumerate(p.shares):
        if share >= 1.0:
            spent = funds
        elif share <= 0:
            spent = Decimal("0.00")
        elif share >= float(_required(i)):  # on the milestone: never a cent short
            spent = min(funds, (funds * Decimal(str(share))).quantize(CENT, ROUND_CEILING))
        else:
            spent = (funds * Decimal(str(share))).quantize(CENT, ROUND_FLOOR)
        p.spent.append(spent)
        if spent == 0:
            p.claimed.append(None)
            continue
        claim_share = max(claim_share, rng.uniform(0.55, 0.95))
        claimed = (spent * Decimal(str(claim_share))).quantize(CENT, ROUND_FLOOR)
        if p.claimed and p.claimed[-1] is not None:
            claimed = max(claimed, p.claimed[-1])
        p.claimed.append(min(claimed, spent))
    start = next((i for i, s in enumerate(p.spent) if s > 0), None)
    p.started = p.finished = None
    if start is None:
        return
    end = month_end(year, start)
    p.started = dt.date(year, end.month, rng.randint(1, min(25, end.day)))
    # Completed once most of the money is spent (the rest is paid after acceptance).
    done = next((i for i, s in enumerate(p.shares) if s >= 0.7 and i >= start + 2), None)
    if done is not None:
        done = min(N_PERIODS - 1, done + (1 if rng.random() < 0.3 else 0))
        end = month_end(year, done)
        p.finished = dt.date(year, end.month, rng.randint(1, end.day))
        if p.spent[-1] == funds and p.claimed[-1] is not None and rng.random() < 0.8:
            p.claimed[-1] = funds  # fully reimbursed once completed and paid


def simulate(county: County, stream) -> None:
    rng = stream(NAME)
    gaz, year = county.gazetteer, county.year
    n = max(8, round(PROJECTS * county.scale))
    n_county = max(1, round(COUNTY_SHARE * n))
    weights = [c[1] for c in _CATEGORIES]
    lagging = [v for v in gaz.villages if gaz.town_of(v).name in LAGGING_TOWNS]
    drafts = []
    for k in range(n):
        category, _w, (low, high), names = rng.choices(_CATEGORIES, weights)[0]
        if k < n_county:
            town, village = COUNTY, None
            what, unit = rng.choice(_COUNTY_PROJECTS[category])
            name = f"{year}年旬邑县{what}"
            amount = rng.uniform(150, 900)
        else:
            # (the first in a remote township, so the lagging ones have a project at any scale)
            village = rng.choice(lagging if k == n_county else gaz.villages)
            town = gaz.town_of(village)
            if rng.random() < 0.12:  # township-wide
                village = None
                name = f"{year}年{town.name}{rng.choice(names)}"
            else:
                name = f"{year}年{town.name}{village.name}{rng.choice(names)}"
            unit = f"{town.name}{'办事处' if town.name.endswith('街道') else '人民政府'}"
            amount = rng.uniform(low, high)
        drafts.append((town, village, category, name, unit, amount))
    total = sum(d[-1] for d in drafts)
    factor = float(FUNDS) * n / PROJECTS / total
    drafts.sort(key=lambda d: (d[0] is not COUNTY, d[0].code, d[1].code if d[1] else "", d[3]))
    projects = []
    for k, (town, village, category, name, unit, amount) in enumerate(drafts, 1):
        funds = Decimal(str(round(amount * factor, 2))).quantize(CENT)
        p = Project(f"XJ{year}{county.serial(k, 3)}", name, unit, town, village, category, funds)
        p.shares = _curve(rng)
        _derive(rng, year, p)
        projects.append(p)
    county.world[NAME] = ProjectsWorld(projects)


# --------------------------------------------------------------------------- plant


def plant(planter: Planter) -> None:
    county, rng, d = planter.county, planter.rng, planter.d
    w: ProjectsWorld | None = county.world.get(NAME)
    if w is None:
        return
    year = county.year
    months = planter.months("projects")
    ends = {i: month_end(year, i) for i in range(N_PERIODS)}

    # X15: behind the milestones — most in the remote townships, a few elsewhere; half of
    # them catch up at a later milestone, the rest are still behind in December.
    behind = [
        p
        for p in w.projects
        if rng.random() < BEHIND_SHARE["lagging" if p.town.name in LAGGING_TOWNS else "other"]
    ]
    lagging = [p for p in w.projects if p.town.name in LAGGING_TOWNS]
    if lagging and not any(p in behind for p in lagging):  # one at least, at any scale
        behind = sorted([*behind, rng.choice(lagging)], key=lambda p: p.code)
    milestones = sorted(MILESTONES)
    for p in behind:
        first = rng.choices(milestones[:3], (60, 25, 15))[0]
        later = [m - 1 for m in milestones if m > first]
        last = rng.choice(later) if rng.random() < 0.5 else N_PERIODS - 1
        p.shares = _curve(rng, (first, last))
        _derive(rng, year, p)
        for i in months:
            if p.spent[i] < _required(i) * p.funds:
                planter.protect(p, i)

    def status(p: Project, i: int) -> str:
        if p.started is None or p.started > ends[i]:
            return "未开工"
        return "已完工" if p.finished is not None and p.finished <= ends[i] else "在建"

    def cases(rate: str, pool, change) -> None:
        def fits(i: int) -> list[Project]:
            return [p for p in w.projects if pool(p, i) and (p, i) not in planter.used]

        able = [i for i in months if fits(i)]  # a month where the case can be shown
        for i, n in planter.counts(RATES[rate], lambda i: len(w.projects), able).items():
            for p in planter.pick(fits(i), n, i):
                p.values[i] = change(p, i)

    # U01: a project listed twice.
    for i, n in planter.counts(RATES["twice"], lambda i: len(w.projects), months).items():
        chosen = planter.pick(w.projects, n, i)
        if chosen:
            d.repeated.setdefault(("projects", i), []).extend(chosen)
    # U02: 完工 typed a year early (before 开工).
    cases(
        "finished_before_start",
        lambda p, i: status(p, i) == "已完工",
        lambda p, i: {"完工日期": p.finished.replace(year=year - 1)},
    )
    # U03: 报账 above 累计支出; 累计支出 above 衔接资金 (another fund's spending booked here).
    cases(
        "claimed_above_spent",
        lambda p, i: p.claimed[i] is not None,
        lambda p, i: {"报账金额": p.spent[i] + Decimal(rng.randint(1, 50)) / 10},
    )
    cases(
        "spent_above_funds",
        lambda p, i: p.spent[i] >= p.funds * Decimal("0.9"),
        lambda p, i: {"累计支出": p.funds + Decimal(rng.randint(1, 80)) / 10},
    )
    # U04: 已完工 without 完工日期; 在建 without 开工日期.
    cases(
        "done_without_date", lambda p, i: status(p, i) == "已完工", lambda p, i: {"完工日期": None}
    )
    cases(
        "building_without_start",
        lambda p, i: status(p, i) == "在建",
        lambda p, i: {"开工日期": None},
    )


# --------------------------------------------------------------------------- ledger


def projects(county: County, index: int) -> list[Record]:
    w: ProjectsWorld | None = county.world.get(NAME)
    if w is None:
        return []
    end = month_end(county.year, index)
    rows = []
    for p in w.projects:
        started = p.started if p.started is not None and p.started <= end else None
        finished = p.finished if p.finished is not None and p.finished <= end else None
        if started is None:
            state = "未开工"
        else:
            state = "已完工" if finished is not None else "在建"
        values = {
            "项目编号": p.code,
            "项目名称": p.name,
            "实施单位": p.unit,
            "镇（街道）": p.town,
            "行政村": p.village,
            "项目类别": p.category,
            "衔接资金": p.funds,
            "累计支出": p.spent[index],
            "报账金额": p.claimed[index],
            "开工日期": started,
            "完工日期": finished,
            "项目状态": state,
            **p.values.get(index, {}),
        }
        rows.append(Record(values, None, subject=p))
    protect(county, rows, index)
    return repeat(county, "projects", index, rows, lambda r: r.subject)


LEDGERS = {"projects": projects}
