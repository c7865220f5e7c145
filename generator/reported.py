"""Reported indicators (``indicators``, 重点指标填报表): the figures no ledger carries —
farmland, orchards, toilets, demonstration villages, inspections, paired-assistance funds —
as the townships and the lead departments report them each month.

A row per indicator per township for what the townships build (``TOWN_KPIS``), one 全县 row
for the county's figures and rates (``COUNTY_KPIS``): 本月完成 the month's increment,
累计完成 the plan year's total so far (March on), so that 累计完成 is always the sum of the
months' 本月完成. A rate or level (A2-CHRONIC-SIGN) reports its current value in both.
A3-COLLECTIVE-100K: a township's 累计完成 is how many of its villages have reached 100,000
yuan of collective income (the county's share is their sum ÷ 179). The plan's targets are
the county's and fixed (not scaled): the figures come near them by December, the remote
mountain townships lag, and a few county figures fall short — so statuses vary.

Planted (``plant``): a township's indicator row repeated (U01). One compulsory-education
dropout, in one township and month, is part of the world (A2-DROPOUT is otherwise 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .gazetteer import COUNTY, Township
from .population import LAGGING_TOWNS, N_PERIODS, County
from .records import Record, protect, repeat
from .sources import REPORTED_KPIS

if TYPE_CHECKING:
    import random

    from .defects import Planter

NAME = "reported"

RATES = {"twice": 0.002}  # per month's rows; at least once a year

# Monthly profiles (March … December): the share of the year's work done each month.
_BUILD = (4, 8, 10, 10, 8, 8, 12, 14, 14, 12)  # construction season, peak after harvest
_SPRING_AUTUMN = (18, 16, 8, 4, 2, 2, 6, 12, 16, 16)  # orchard work
_STEADY = (5, 8, 10, 12, 12, 12, 12, 11, 10, 8)
_LATE = (0, 2, 4, 6, 8, 10, 14, 20, 20, 16)  # completions come late in the year
_EVENTS = (1, 4, 8, 10, 10, 10, 12, 14, 16, 15)

# code -> (指标名称, target, profile, decimals)
TOWN_KPIS = {
    "A2-DROPOUT": ("义务教育阶段辍学学生（人）", 0, None, 0),
    "A3-FARMLAND": ("新增高标准农田（亩）", 42_000, _BUILD, 0),
    "A3-ORCHARD-DEMO": ("新建高产高效“万元果”示范园（个）", 300, _BUILD, 0),
    "A3-ORCHARD-RENOV": ("改造果园（亩）", 2_000, _SPRING_AUTUMN, 0),
    "A3-COURTYARD": ("打造“庭院经济”示范户（户）", 200, _STEADY, 0),
    "A3-COLLECTIVE-100K": ("村级集体经济年收入10万元以上村（个）", None, None, 0),
    "A9-DEMO-VILLAGES": ("建成美丽宜居示范村（个）", 23, _LATE, 0),
    "A9-TOILETS": ("改建卫生厕所（座）", 2_600, _BUILD, 0),
}
# code -> (指标名称, target, profile, decimals, 填报单位)
COUNTY_KPIS = {
    "A2-CHRONIC-SIGN": (
        "脱贫人口四种主要慢病患者家庭医生签约率高于其他重点人群（百分点）",
        None,
        None,
        1,
        "县卫健局",
    ),
    "A2-WATER-PROJECTS": ("供水巩固提升工程完工（处）", 13, _LATE, 0, "县水利局"),
    "A3-SHARED-VILLAGE": ("发展共享村落（个）", 3, _LATE, 0, "县文旅局"),
    "A3-SHARED-COURTYARD": ("发展共享庭院（家）", 160, _STEADY, 0, "县文旅局"),
    "A3-NEW-FARMS": ("培育家庭农场（家）", 3, _EVENTS, 0, "县农业农村局"),
    "A3-NEW-COOPS": ("培育农民专业合作社（家）", 5, _EVENTS, 0, "县农业农村局"),
    "A3-CITY-COOPS": ("创建市级以上专业合作社（家）", 3, _LATE, 0, "县农业农村局"),
    "A3-CITY-FARMS": ("创建市级以上家庭农场（家）", 3, _LATE, 0, "县农业农村局"),
    "A3-HQ-FARMERS": ("培育高素质农民（名）", 300, _STEADY, 0, "县农业农村局"),
    "A5-INSPECTIONS": ("驻村干部督导检查（次）", None, None, 0, "县委组织部"),
    "A8-BOC-FUNDS": ("中行向产业主体投入帮扶资金（万元）", 1_000, _STEADY, 2, "县乡村振兴局"),
    "A8-BOC-TRAINING": ("中行线上远程培训（人次）", 5_000, _STEADY, 0, "县乡村振兴局"),
    "A8-ENT-PROJECTS": ("企业与村集体合作建设产业项目（家）", 5, _EVENTS, 0, "县工商联"),
    "A8-ENT-DONORS": ("企业公益捐赠助力乡村振兴（家）", 20, _EVENTS, 0, "县工商联"),
    "A9-QIANWAN": ("争创省市级“千万工程”示范村（个）", 5, _LATE, 0, "县农业农村局"),
    "A9-PLANS-KEY": ("省级重点帮扶村规划编制（个）", 3, _LATE, 0, "县自然资源局"),
    "A9-PLANS-DEMO": ("省市级乡村振兴示范村规划编制（个）", 12, _LATE, 0, "县自然资源局"),
    "A10-GOVERNANCE": ("乡村治理重点任务完成（项）", None, None, 0, "县委组织部"),
}
assert set(TOWN_KPIS) | set(COUNTY_KPIS) == set(REPORTED_KPIS), "every reported code, once"
# A10-GOVERNANCE: the year's milestones (qualitative), each with the department reporting it.
GOVERNANCE = (
    ("召开“十大提升行动”乡村治理专题部署会", "县委组织部"),
    ("完成村“两委”班子运行情况分析研判", "县委组织部"),
    ("启动打击整治农村赌博违法犯罪专项行动", "县委政法委"),
    ("举办农村“领头雁”村党组织书记示范培训班", "县委组织部"),
    ("开展移风易俗集中宣教活动", "县委政法委"),
    ("推广积分制、清单制乡村治理方式", "县委政法委"),
    ("完成矛盾纠纷排查化解集中行动", "县委政法委"),
    ("开展乡村治理示范村创建评估", "县委组织部"),
    ("完成年度乡村治理工作考核", "县委组织部"),
)


@dataclass(eq=False)
class Series:
    """One indicator of one township (or the county) over the year."""

    code: str
    name: str
    town: Township  # COUNTY for a 全县 row
    unit: str  # 填报单位 (the month's, for A10-GOVERNANCE: see ``units``)
    increments: list[Decimal]  # 本月完成, month by month
    levels: list[Decimal] | None = None  # 累计完成 when not the running sum (a rate, a level)
    remarks: list[str | None] = field(default_factory=lambda: [None] * N_PERIODS)
    units: list[str] | None = None

    def cumulative(self, index: int) -> Decimal:
        if self.levels is not None:
            return self.levels[index]
        return sum(self.increments[: index + 1], Decimal(0))


@dataclass
class ReportedWorld:
    series: list[Series]  # in the order the sheet lists them


def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def _spread(total: float, profile, decimals: int) -> list[Decimal]:
    """Increments summing to ``total``: the cumulative profile rounded month by month."""
    q = _quantum(decimals)
    weights = [float(w) for w in profile]
    whole = sum(weights)
    out, done, acc = [], Decimal(0), 0.0
    for w in weights:
        acc += w
        cum = Decimal(str(total * acc / whole)).quantize(q)
        out.append(cum - done)
        done = cum
    return out


def _town_unit(town: Township) -> str:
    return f"{town.name}{'办事处' if town.name.endswith('街道') else '人民政府'}"


def _town_series(rng: random.Random, county: County) -> list[Series]:
    towns = county.gazetteer.townships
    villages = {t.code: len(t.villages) for t in towns}
    whole = sum(villages.values())
    factor = {
        t.code: rng.uniform(0.6, 0.8) if t.name in LAGGING_TOWNS else rng.uniform(0.98, 1.15)
        for t in towns
    }
    out = []
    dropout = (rng.choice(towns).code, rng.randint(1, N_PERIODS - 1))
    for code, (name, target, profile, decimals) in TOWN_KPIS.items():
        for t in towns:
            if code == "A2-DROPOUT":
                inc = [Decimal(0)] * N_PERIODS
                s = Series(code, name, t, _town_unit(t), inc)
                if t.code == dropout[0]:
                    inc[dropout[1]] = Decimal(1)
                    s.remarks[dropout[1]] = "发现1名学生辍学并落实“一生一案”劝返"
                    if dropout[1] + 1 < N_PERIODS:
                        s.remarks[dropout[1] + 1] = "已劝返复学"
            elif code == "A3-COLLECTIVE-100K":
                n = villages[t.code]
                share = rng.uniform(0.2, 0.3) if t.name in LAGGING_TOWNS else rng.uniform(0.4, 0.52)
                total = min(n, round(n * share))
                base = round(total * rng.uniform(0.1, 0.25))
                inc = [Decimal(base)] + _spread(total - base, (1, 1, 1, 1, 2, 3, 4, 4, 3), 0)
                s = Series(code, name, t, _town_unit(t), inc)
            else:
                total = target * villages[t.code] / whole * factor[t.code]
                s = Series(code, name, t, _town_unit(t), _spread(total, profile, decimals))
            out.append(s)
    return out


def _county_series(rng: random.Random) -> list[Series]:
    out = []
    for code, (name, target, profile, decimals, unit) in COUNTY_KPIS.items():
        s = Series(code, name, COUNTY, unit, [])
        if code == "A2-CHRONIC-SIGN":  # a level in 百分点, climbing above zero
            start, end = rng.uniform(-0.6, 0.2), rng.uniform(1.5, 3.0)
            levels = [
                Decimal(
                    str(start + (end - start) * i / (N_PERIODS - 1) + rng.uniform(-0.2, 0.2))
                ).quantize(Decimal("0.1"))
                for i in range(N_PERIODS)
            ]
            s.increments, s.levels = levels, levels
        elif code == "A5-INSPECTIONS":  # two a month, three in some, one in a busy month
            inc = [Decimal(rng.choices((2, 3), (60, 40))[0]) for _ in range(N_PERIODS)]
            inc[rng.randint(1, N_PERIODS - 1)] = Decimal(1)
            s.increments = inc
        elif code == "A10-GOVERNANCE":
            months = sorted(rng.sample(range(N_PERIODS), len(GOVERNANCE)))
            s.increments = [Decimal(0)] * N_PERIODS
            s.units = [unit] * N_PERIODS
            for i, (text, dept) in zip(months, GOVERNANCE, strict=True):
                s.increments[i] = Decimal(1)
                s.remarks[i] = text
                s.units[i] = dept
        else:
            # Near the target by December: most reach it, some fall a little short.
            factor = rng.choices((rng.uniform(0.8, 0.97), rng.uniform(1.0, 1.12)), (35, 65))[0]
            total = target * factor
            if decimals == 0:
                total = max(1, round(total))
            s.increments = _spread(total, profile, decimals)
        out.append(s)
    return out


def simulate(county: County, stream) -> None:
    rng = stream(NAME)
    town = _town_series(rng, county)
    whole = _county_series(rng)
    order = {code: n for n, code in enumerate(REPORTED_KPIS)}
    series = sorted(town + whole, key=lambda s: (order[s.code], s.town.code))
    county.world[NAME] = ReportedWorld(series)


def plant(planter: Planter) -> None:
    county, d = planter.county, planter.d
    w: ReportedWorld | None = county.world.get(NAME)
    if w is None:
        return
    towns = [s for s in w.series if s.town is not COUNTY]
    months = planter.months("indicators")
    for i, n in planter.counts(RATES["twice"], lambda i: len(w.series), months).items():
        chosen = planter.pick(towns, n, i)
        if chosen:
            d.repeated.setdefault(("indicators", i), []).extend(chosen)


def indicators(county: County, index: int) -> list[Record]:
    w: ReportedWorld | None = county.world.get(NAME)
    if w is None:
        return []
    rows = []
    for s in w.series:
        values = {
            "指标编码": s.code,
            "指标名称": s.name,
            "镇（街道）": s.town,
            "本月完成": s.increments[index],
            "累计完成": s.cumulative(index),
            "填报单位": s.units[index] if s.units else s.unit,
            "备注": s.remarks[index],
        }
        rows.append(Record(values, None, subject=s))
    protect(county, rows, index)
    return repeat(county, "indicators", index, rows, lambda r: r.subject)


LEDGERS = {"indicators": indicators}
