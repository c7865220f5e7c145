"""Medical settlements (医疗费用结算明细, 县医保局): who is treated, where, and who pays.

Every person the insurance bureau tracks may settle bills in a month: ordinary outpatient
visits (普通门诊, small and the commonest), chronic-disease outpatient care (门诊慢特病, for
the chronically ill) and hospital stays (住院, ≈ 0.8 % of persons a month). A bill is split
the way the three-tier system (三重保障) splits it: 基本医保 pays most of the part within the
policy range above a deductible, 大病保险 a share of what is left above its own threshold,
医疗救助 a share of the rest for 低保, 特困 and 监测对象, 其他保障 (防返贫保险, charity)
sometimes — and for the plan's population the 防返贫保险 takes over a year's self-pay above
``SELF_PAY_CAP``, so nobody's year-to-date 个人自付 reaches the X11 threshold by itself;
``个人自付`` is the remainder, so that 医疗总费用 = the four payers + 个人自付 to the fen.

The seriously ill persons whose self-pay does pass the threshold (X11) are planted by
``welfare.plant`` with ``storyline``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from .population import County, Person, month_end, month_start
from .records import Record, person_place, protect, repeat
from .schedule import N_PERIODS

if TYPE_CHECKING:
    from .welfare import Welfare

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
VISIT_ORDER = {"住院": 0, "门诊慢特病": 1, "普通门诊": 2}
# The 防返贫保险 pays a year's self-pay beyond this (natural claims never reach X11's 8,500).
SELF_PAY_CAP = Decimal("7500")


@dataclass(eq=False)
class Claim:
    person: Person
    index: int  # month index of the settlement
    visit: str  # 就诊类型
    settled: dt.date  # 结算日期
    institution: str  # 医疗机构
    total: Decimal  # 医疗总费用
    basic: Decimal  # 基本医保
    serious: Decimal  # 大病保险
    aid: Decimal  # 医疗救助
    other: Decimal | None  # 其他保障 (None: empty)
    self_pay: Decimal  # 个人自付
    number: str = ""  # 结算单号, given once every claim of the year is known


def _money(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(CENT, ROUND_HALF_UP)


# Hospital levels: (weight, median bill, spread, deductible, basic-insurance rate).
_LEVELS = {
    "town": (25, 2400, 0.45, 200, Decimal("0.85")),
    "county": (50, 5200, 0.55, 500, Decimal("0.80")),
    "city": (15, 11000, 0.6, 800, Decimal("0.70")),
    "province": (10, 24000, 0.7, 1200, Decimal("0.60")),
}
_COUNTY_HOSPITALS = ("旬邑县医院", "旬邑县中医医院")
_CITY_HOSPITALS = ("咸阳市中心医院", "咸阳市第一人民医院", "咸阳市中医医院")
_PROVINCE_HOSPITALS = ("西安交通大学第一附属医院", "陕西省人民医院", "空军军医大学西京医院")


def _health_centre(person: Person) -> str:
    town = person.household.town.name
    return "城关街道社区卫生服务中心" if town == "城关街道" else f"{town}卫生院"


def _institution(rng: random.Random, person: Person, visit: str, level: str = "") -> str:
    if visit == "普通门诊":
        if rng.random() < 0.6:
            return f"{person.household.village.name}卫生室"
        return _health_centre(person)
    if visit == "门诊慢特病":
        return rng.choice(_COUNTY_HOSPITALS) if rng.random() < 0.5 else _health_centre(person)
    if level == "town":
        return _health_centre(person)
    if level == "county":
        if (not person.male or person.age < 14) and rng.random() < 0.2:
            return "旬邑县妇幼保健院"
        return rng.choice(_COUNTY_HOSPITALS)
    return rng.choice(_CITY_HOSPITALS if level == "city" else _PROVINCE_HOSPITALS)


def aid_rate(w: Welfare, person: Person, index: int) -> Decimal:
    """医疗救助's share of the policy-range remainder: 特困 all of it, 低保 70 %,
    监测对象 60 %, nobody else."""
    if w.in_care(person, index, ("特困供养",)):
        return Decimal("1.00")
    if w.in_care(person, index, ("低保",)):
        return Decimal("0.70")
    hh = person.household
    if hh.present_at(index) and hh.kind_at(index) == "监测户":
        return Decimal("0.60")
    return ZERO


def split_bill(
    rng: random.Random, visit: str, total: Decimal, level: str, rate: Decimal, poor: bool
) -> tuple[Decimal, Decimal, Decimal, Decimal | None, Decimal]:
    """(基本医保, 大病保险, 医疗救助, 其他保障, 个人自付) of a bill; they add up to ``total``."""
    if visit == "普通门诊":
        basic = _money(total * (Decimal("0.60") if rng.random() < 0.6 else Decimal("0.50")))
        return basic, ZERO, ZERO, None, total - basic
    if visit == "门诊慢特病":
        basic = _money(total * Decimal("0.65"))
        aid = _money((total - basic) * Decimal("0.5")) if rate else ZERO
        return basic, ZERO, aid, None, total - basic - aid
    _w, _median, _spread, deductible, basic_rate = _LEVELS[level]
    if poor:  # 脱贫人口, 低保, 特困: half the deductible
        deductible //= 2
    policy = _money(total * Decimal(str(round(rng.uniform(0.85, 0.95), 3))))
    basic = _money(max(ZERO, policy - deductible) * basic_rate)
    left = policy - basic
    threshold = Decimal(5000 if poor else 10000)
    serious = _money(max(ZERO, left - threshold) * Decimal("0.60"))
    aid = _money((left - serious) * rate)
    other = None
    rest = total - basic - serious - aid
    if poor and rest > 0 and rng.random() < 0.08:  # charity or a commercial top-up
        other = _money(rest * Decimal(str(round(rng.uniform(0.2, 0.5), 2))))
    return basic, serious, aid, other, total - basic - serious - aid - (other or ZERO)


_LOGS: dict[float, float] = {}


def _ln(x: float) -> float:
    if x not in _LOGS:  # (math is not among the generator's modules)
        _LOGS[x] = float(Decimal(x).ln())
    return _LOGS[x]


def _bill(rng: random.Random, visit: str, level: str) -> Decimal:
    if visit == "普通门诊":
        return _money(min(600.0, max(12.0, rng.lognormvariate(_ln(75), 0.7))))
    if visit == "门诊慢特病":
        return _money(min(3000.0, max(60.0, rng.lognormvariate(_ln(320), 0.6))))
    _w, median, spread, _d, _r = _LEVELS[level]
    return _money(min(180000.0, max(600.0, rng.lognormvariate(_ln(median), spread))))


def _level(rng: random.Random) -> str:
    return rng.choices(list(_LEVELS), [v[0] for v in _LEVELS.values()])[0]


def _day(rng: random.Random, year: int, index: int, last: dt.date | None = None) -> dt.date:
    start, end = month_start(year, index), month_end(year, index)
    if last is not None:
        end = min(end, last)
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def make_claim(
    rng: random.Random,
    w: Welfare,
    county: County,
    person: Person,
    index: int,
    visit: str,
    total: Decimal | None = None,
    level: str | None = None,
) -> Claim:
    level = level or (_level(rng) if visit == "住院" else "")
    total = total if total is not None else _bill(rng, visit, level)
    rate = aid_rate(w, person, index)
    poor = person.household.present_at(index) or rate > 0
    basic, serious, aid, other, self_pay = split_bill(rng, visit, total, level, rate, poor)
    return Claim(
        person=person,
        index=index,
        visit=visit,
        settled=_day(rng, county.year, index),
        institution=_institution(rng, person, visit, level),
        total=total,
        basic=basic,
        serious=serious,
        aid=aid,
        other=other,
        self_pay=self_pay,
    )


def _cap(claim: Claim, so_far: Decimal) -> None:
    """The 防返贫保险 pays the part of the year's self-pay beyond ``SELF_PAY_CAP``."""
    excess = so_far + claim.self_pay - SELF_PAY_CAP
    if excess > 0:
        claim.other = (claim.other or ZERO) + excess
        claim.self_pay -= excess


def _rates(person: Person) -> tuple[float, float]:
    """(普通门诊, 住院) probabilities a month, by age."""
    age = person.age
    if age < 7:
        return 0.08, 0.004
    if age < 45:
        return 0.04, 0.004
    if age < 60:
        return 0.06, 0.008
    if age < 70:
        return 0.09, 0.013
    return 0.11, 0.02


def chronic(rng: random.Random, person: Person) -> bool:
    """Whether the person has a chronic disease of the 门诊慢特病 list (hypertension,
    diabetes, …), by age."""
    age = person.age
    share = 0.0 if age < 40 else 0.06 if age < 60 else 0.15 if age < 70 else 0.24
    return rng.random() < share


def simulate_claims(rng: random.Random, w: Welfare, county: County) -> None:
    """Every tracked person's settlements, month by month (``w.claims``)."""
    claims: list[Claim] = []
    so_far: dict[Person, Decimal] = {}
    for index in range(N_PERIODS):
        for hh in w.households:
            for p in hh.members:
                if not w.tracked(p, index) or not p.alive_at(index):
                    continue
                outpatient, inpatient = _rates(p)
                visits = []
                if rng.random() < inpatient:
                    visits.append("住院")
                if p in w.chronic and rng.random() < 0.55:
                    visits.append("门诊慢特病")
                if rng.random() < outpatient:
                    visits.append("普通门诊")
                for visit in visits:
                    c = make_claim(rng, w, county, p, index, visit)
                    _cap(c, so_far.get(p, ZERO))
                    so_far[p] = so_far.get(p, ZERO) + c.self_pay
                    claims.append(c)
    w.claims = claims


def storyline(
    rng: random.Random, w: Welfare, county: County, person: Person, crossing: int
) -> list[Claim]:
    """A seriously ill person's year (X11): chronic care and perhaps a first stay before
    month ``crossing``, year-to-date self-pay staying below 6,000; in that month a long
    stay at a provincial hospital that takes it past 8,500 (the 防返贫保险 has not paid
    yet); follow-up care afterwards."""
    out: list[Claim] = []
    before = ZERO
    for index in range(crossing):
        if index and rng.random() < 0.6:
            out.append(make_claim(rng, w, county, person, index, "门诊慢特病"))
            before += out[-1].self_pay
    if crossing >= 2:
        for _ in range(20):
            c = make_claim(
                rng, w, county, person, rng.randrange(1, crossing), "住院", level="county"
            )
            if before + c.self_pay < Decimal("6000"):
                out.append(c)
                before += c.self_pay
                break
    need = Decimal("8500") - before + Decimal(rng.randint(300, 3000))
    total = Decimal(rng.randint(45, 70) * 1000)
    while True:
        c = make_claim(rng, w, county, person, crossing, "住院", total=total, level="province")
        if c.self_pay >= need:
            break
        total += Decimal(10000)
    out.append(c)
    for index in range(crossing + 1, N_PERIODS):
        if rng.random() < 0.8:
            out.append(make_claim(rng, w, county, person, index, "门诊慢特病"))
        if rng.random() < 0.15:
            out.append(make_claim(rng, w, county, person, index, "住院", level="city"))
    return out


def number_claims(w: Welfare, tag: str = "") -> None:
    """结算单号 "JS" + settlement date + the day's serial (after the shard's ``tag``), in the
    order the system settles them; and each month's claims in that order."""
    order = sorted(
        w.claims,
        key=lambda c: (
            c.settled,
            c.person.id_number,
            VISIT_ORDER[c.visit],
            c.total,
            c.institution,
        ),
    )
    serial: dict[dt.date, int] = {}
    by_month: list[list[Claim]] = [[] for _ in range(N_PERIODS)]
    for c in order:
        serial[c.settled] = serial.get(c.settled, 0) + 1
        c.number = f"JS{c.settled:%Y%m%d}{tag}{serial[c.settled]:05d}"
        by_month[c.index].append(c)
    w.claims_by_month = by_month


def ledger(county: County, index: int) -> list[Record]:
    w: Welfare = county.world["welfare"]
    rows = []
    claim_of = {}
    for c in w.claims_by_month[index]:
        place = person_place(c.person)
        name = w.names.get(("medical_claims", c.person, index))
        if name:
            place["姓名"] = name
        values = {
            "结算单号": c.number,
            **place,
            "就诊类型": c.visit,
            "结算日期": c.settled,
            "医疗机构": c.institution,
            "医疗总费用": w.typos.get(c, c.total),
            "基本医保": c.basic,
            "大病保险": c.serious,
            "医疗救助": c.aid,
            "其他保障": c.other,
            "个人自付": c.self_pay,
        }
        rows.append(Record(values, c.person))
        claim_of[id(rows[-1])] = c
    protect(county, rows, index)
    return repeat(county, "medical_claims", index, rows, lambda r: claim_of[id(r)])
