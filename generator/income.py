"""The households' quarterly income and expenditure (收支监测信息, 县乡村振兴局).

Village cadres collect every roster household's income each quarter. A quarter's figures:

* 工资性收入 — the members' work as the 人社 ledger records it (``Person.work``): each
  month worked, the spell's 月收入 (a typical wage for its 就业形式 where the ledger has
  none), as much of it as reaches the household (below). January and February are not
  simulated: they take March's state;
* 转移性收入 — the assistance the members receive (``welfare``'s benefits, month by month),
  the residents' basic pension (城乡居民基础养老金) of those aged 60 and over, and the
  farmland and ecological subsidies (paid in the second and fourth quarters);
* 财产性收入 — land rent (paid in the first quarter) and collective dividends (the fourth);
* 经营性收入 and 生产经营性支出 — farming, apples above all: sales mostly in the third and
  fourth quarters (the harvest), inputs in the first two (fertiliser, bagging).

The year's per-capita net income aims at ``Household.income_prev × (1 + g)``, g ≈ 8 %
± 5 %: the farming income is what makes up the difference with the other parts (at least
a small floor). Where the members' wages would pass the target, the survey records the
part that reaches the household (migrants' remittances): the wages are scaled to fit.

``figures`` is a pure function of the world (and of the parameters drawn once per
household), so the safety net (低保 for poor households without labour, check X12) can be
decided from the same numbers the ledger shows.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from .population import County, Household, Person
from .records import Record, protect
from .schedule import N_PERIODS

if TYPE_CHECKING:
    from .welfare import Welfare

QUARTERS = (0, 3, 6, 9)  # the month index of each quarter's file (its last month)
# The months each quarter's figures cover, with their weight: the first quarter's January
# and February are not simulated and take March's state.
QUARTER_MONTHS = {0: ((0, 3),), 3: ((1, 1), (2, 1), (3, 1)), 6: ((4, 1), (5, 1), (6, 1))}
QUARTER_MONTHS[9] = ((7, 1), (8, 1), (9, 1))
DIBAO_LINE = Decimal("5760")  # the county's annual rural 低保 line (X12)
# A spell without 月收入: what such work typically pays a month.
TYPICAL_WAGE = {
    "省外务工": Decimal("6000"),
    "省内县外务工": Decimal("4500"),
    "县内务工": Decimal("3000"),
    "公益性岗位": Decimal("600"),
    "自主创业": Decimal("5000"),
    "灵活就业": Decimal("2500"),
}
_BUSINESS_SHARE = (Decimal("0.10"), Decimal("0.15"), Decimal("0.30"), Decimal("0.45"))
_COST_SHARE = (Decimal("0.25"), Decimal("0.35"), Decimal("0.25"), Decimal("0.15"))
_YUAN = Decimal("1")
_CENT = Decimal("0.01")


@dataclass(eq=False)
class IncomeParams:
    """What a household's income is made of, drawn once."""

    growth: Decimal  # g
    pension: Decimal  # the monthly basic pension of each member aged 60+
    rent: Decimal  # land rent a year (first quarter)
    dividend: Decimal  # collective dividends (fourth quarter)
    subsidies: Decimal  # farmland and ecological subsidies a year (Q2 60 %, Q4 40 %)
    cost_ratio: Decimal  # 生产经营性支出 ÷ 经营性收入
    floor: Decimal  # the least net farming income of the year
    school: tuple[Decimal, ...]  # 教育 per child at school, by quarter
    pharmacy: tuple[Decimal, ...]  # 医疗 besides the settled self-pay, by quarter
    collected: tuple[int, ...]  # 采集日期: the day of the quarter's last month
    shock: int | None = None  # a quarter whose harvest fails (planted X12 cases)


def _d(x: float, unit: Decimal = _YUAN) -> Decimal:
    return Decimal(str(x)).quantize(unit, ROUND_HALF_UP)


def draw_params(rng: random.Random, hh: Household) -> IncomeParams:
    labour = sum(p.ability != "无劳动能力" for p in hh.members)
    return IncomeParams(
        growth=_d(rng.uniform(0.03, 0.13), Decimal("0.0001")),
        pension=Decimal(rng.choice((178, 198, 198, 218))),
        rent=_d(rng.uniform(300, 2400)) if rng.random() < 0.3 else Decimal(0),
        dividend=_d(rng.uniform(100, 600)) if rng.random() < 0.4 else Decimal(0),
        subsidies=_d(rng.uniform(150, 700)),
        cost_ratio=_d(rng.uniform(0.25, 0.45), Decimal("0.01")),
        floor=_d(rng.uniform(200, 900) * max(1, labour)),
        school=tuple(_d(rng.uniform(lo, hi)) for lo, hi in ((300, 1200), (80, 300)) * 2),
        pharmacy=tuple(_d(rng.uniform(0, 150)) for _ in QUARTERS),
        collected=tuple(rng.randint(8, 28) for _ in QUARTERS),
    )


def _present(p: Person, index: int) -> bool:
    return p.alive_at(index)


def figures(w: Welfare, hh: Household) -> dict[int, dict[str, Decimal]]:
    """The household's four quarters: 工资性, 经营性, 财产性, 转移性, 生产经营性支出 and
    家庭人口数 (members alive at the quarter's end), by quarter index."""
    prm = w.income_params[hh]
    parts: dict[int, dict[str, Decimal]] = {}
    for k, q in enumerate(QUARTERS):
        wage = transfer = Decimal(0)
        months = QUARTER_MONTHS[q]
        for p in hh.members:
            work, benefits, old = p.work, w.benefits.get(p), p.age >= 60
            for index, weight in months:
                spell = work[index]
                if spell is not None:
                    wage += (spell.income or TYPICAL_WAGE[spell.form]) * weight
                if old and p.alive_at(index):
                    transfer += prm.pension * weight
                if benefits:
                    for b in benefits:
                        if b.active(index):
                            transfer += b.amount * (1 if b.once else weight)
        transfer += prm.subsidies * (Decimal("0.6") if k == 1 else Decimal("0.4") if k == 3 else 0)
        rent = prm.rent if k == 0 else Decimal(0)
        dividend = prm.dividend if k == 3 else Decimal(0)
        parts[q] = {
            "wage": wage.quantize(_CENT),
            "transfer": transfer.quantize(_YUAN),
            "property": rent + dividend,
            "size": Decimal(sum(_present(p, q) for p in hh.members)),
        }
    sizes = [v["size"] for v in parts.values() if v["size"]]
    size = sum(sizes) / len(sizes) if sizes else Decimal(1)
    target = hh.income_prev * (1 + prm.growth) * size
    # The survey records the wages that reach the household (what migrants send home),
    # not the gross pay the 人社 ledger shows: scaled to what the target leaves room for.
    wages = sum(v["wage"] for v in parts.values())
    room = target - sum(v["transfer"] + v["property"] for v in parts.values()) - prm.floor
    if wages > room > 0:
        for v in parts.values():
            v["wage"] = (v["wage"] * room / wages).quantize(_CENT)
    known = sum(v["wage"] + v["transfer"] + v["property"] for v in parts.values())
    net_farming = max(prm.floor, target - known)
    business = net_farming / (1 - prm.cost_ratio)
    cost = business - net_farming
    for k, q in enumerate(QUARTERS):
        v = parts[q]
        v["business"] = (business * _BUSINESS_SHARE[k]).quantize(_YUAN, ROUND_HALF_UP)
        v["cost"] = (cost * _COST_SHARE[k]).quantize(_YUAN, ROUND_HALF_UP)
        if prm.shock == q:  # hail or drought: the quarter's crop is lost, its inputs spent
            v["business"] = Decimal(0)
    return parts


def net(v: dict[str, Decimal]) -> Decimal:
    return v["wage"] + v["business"] + v["property"] + v["transfer"] - v["cost"]


def below_line(v: dict[str, Decimal]) -> bool:
    """X12's test: the quarter's net income × 4 ÷ 家庭人口数 below the 低保 line."""
    return net(v) * 4 < DIBAO_LINE * v["size"]


def quarter_seen(index: int) -> int:
    """The quarter (its index) whose file month ``index`` sees: the latest ended."""
    return max(q for q in QUARTERS if q <= index)


def table(w: Welfare, county: County) -> dict[tuple[Household, int], dict[str, object]]:
    """Every income row of the year: (household, quarter index) -> values."""
    self_pay: dict[tuple[Person, int], Decimal] = {}
    for c in w.claims:
        q = min(qq for qq in QUARTERS if qq >= c.index)  # the quarter the claim falls in
        weight = 3 if q == 0 else 1
        self_pay[(c.person, q)] = self_pay.get((c.person, q), Decimal(0)) + c.self_pay * weight
    out = {}
    for hh in county.households:
        if not any(hh.present_at(q) for q in QUARTERS):
            continue
        prm = w.income_params[hh]
        parts = figures(w, hh)
        head = hh.members[0]
        for k, q in enumerate(QUARTERS):
            if not hh.present_at(q) or (hh, q) in w.income_missing:
                continue
            v = parts[q]
            children = sum(1 for p in hh.members if 6 <= p.age <= 18 and _present(p, q))
            medical = prm.pharmacy[k] + sum(
                (self_pay.get((p, q), Decimal(0)) for p in hh.members), Decimal(0)
            )
            month = 3 + q
            out[(hh, q)] = {
                "户编号": hh.hh_id,
                "户主姓名": head.name,
                "身份证号": head.id_number,
                "镇（街道）": hh.town,
                "行政村": hh.village,
                "家庭人口数": int(v["size"]),
                "工资性收入": v["wage"],
                "经营性收入": v["business"].quantize(_CENT),
                "财产性收入": v["property"].quantize(_CENT),
                "转移性收入": v["transfer"].quantize(_CENT),
                "生产经营性支出": v["cost"].quantize(_CENT),
                "医疗": medical.quantize(_CENT, ROUND_HALF_UP),
                "教育": (prm.school[k] * children).quantize(_CENT) if children else None,
                "采集日期": dt.date(county.year, month, prm.collected[k]),
            }
    return out


def ledger(county: County, index: int) -> list[Record]:
    w: Welfare = county.world["welfare"]
    if not w.income:  # (``welfare.plant`` fills it; without the planted cases, here)
        w.income = table(w, county)
    rows = [
        Record(values, hh.members[0])
        for hh in county.households
        if (values := w.income.get((hh, index))) is not None
    ]
    protect(county, rows, index)
    return rows


assert set(QUARTER_MONTHS) == set(QUARTERS) and max(QUARTERS) == N_PERIODS - 1
