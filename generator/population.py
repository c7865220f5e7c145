"""The county's poverty-alleviation population over one plan year (March–December).

Everything the departments' extracts describe is simulated here once, as one consistent
world, before any file is written:

* households (脱贫户 / 监测户) in the gazetteer's villages, with their members, ID numbers,
  labour capacity (劳动能力), relocation (易地搬迁) and monitoring record (监测信息);
* who works in each month (the 人社 view, ``Person.work``) and what the monitoring system's
  务工监测 records (``Person.system_work``), which lags behind for a few people;
* the transport subsidy (跨省交通补助) month of 省外务工 persons;
* skills-training classes and their trainees;
* micro-credit loans (小额信贷) with balances and arrears month by month.

The ledgers (``ledgers.py``) are views of this world; the faults (``faults.py``) are
applied on top when files are written. Check and indicator truth is computed from the
same world (see ``truth.py``). All randomness comes from one ``random.Random`` per
concern, derived from the seed, so the world is the same for the same seed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from .gazetteer import Gazetteer, Township, Village
from .idcard import OTHER_REGIONS, XUNYI, birth_of, make_id
from .names import person_name
from .schedule import FIRST_MONTH, N_PERIODS
from .shard import Shard
from .sources import MONITOR_CATEGORIES, RISK_TYPES

# Remote mountain townships whose employment lags behind the county's growth.
LAGGING_TOWNS = ("马栏镇", "清塬镇")

RELATION_ORDER = {"户主": 0, "配偶": 1, "子女": 2, "父母": 3, "孙子女": 4, "兄弟姐妹": 5, "其他": 6}


def period_name(year: int, index: int) -> str:
    return f"{year}-{FIRST_MONTH + index:02d}"


def month_start(year: int, index: int) -> dt.date:
    return dt.date(year, FIRST_MONTH + index, 1)


def month_end(year: int, index: int) -> dt.date:
    month = FIRST_MONTH + index
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- entities


@dataclass(eq=False)
class Monitoring:
    """A 监测户's record in the monitoring system."""

    category: str  # 监测对象类别
    risk: str  # 主要风险类型
    found: dt.date  # 风险发现日期
    identified: dt.date  # 识别认定日期
    entered: dt.date  # 系统录入日期
    cleared: dt.date | None = None  # 风险消除日期


@dataclass(eq=False)
class Household:
    hh_id: str  # 户编号: village code + 4 digits
    village: Village
    town: Township
    first_period: int  # first month (index) the household is in the roster
    relocated: bool  # 是否易地搬迁
    income_prev: Decimal  # 上年家庭人均纯收入
    monitoring: Monitoring | None = None
    monitored_from: int = 0  # month index from which it is a 监测户
    members: list[Person] = field(default_factory=list)

    def kind_at(self, index: int) -> str:
        if self.monitoring is not None and index >= self.monitored_from:
            return "监测户"
        return "脱贫户"

    def present_at(self, index: int) -> bool:
        return index >= self.first_period


@dataclass(eq=False)
class Spell:
    """One stretch of work as the 人社 ledger records it."""

    form: str  # 就业形式
    place: str  # 务工地点
    employer: str  # 务工单位
    started: dt.date  # 务工起始月份 (first of month)
    income: Decimal | None  # 月收入


@dataclass(eq=False)
class Person:
    id_number: str
    name: str
    male: bool
    birth: dt.date
    relation: str  # 与户主关系
    ability: str  # 劳动能力
    household: Household
    work: list[Spell | None] = field(default_factory=lambda: [None] * N_PERIODS)
    system_work: list[bool] = field(default_factory=lambda: [False] * N_PERIODS)
    subsidy_period: int | None = None  # month index the 500-yuan 跨省交通补助 was paid
    died: dt.date | None = None  # the day of death, if the person dies during the year
    died_index: int | None = None  # the month index of that day

    @property
    def age(self) -> int:  # age reached in the plan year
        return 2024 - self.birth.year

    def alive_at(self, index: int) -> bool:
        """Alive at the end of month ``index`` (the roster drops a person the month they die)."""
        return self.died_index is None or index < self.died_index

    def present_at(self, index: int) -> bool:
        """In the roster at the end of month ``index``: household listed, person alive."""
        return self.household.present_at(index) and self.alive_at(index)

    def works_at(self, index: int) -> bool:
        return self.work[index] is not None


@dataclass(eq=False)
class TrainingClass:
    project: str  # 培训项目
    trade: str  # 培训工种
    mode: str  # 培训方式
    start: dt.date  # 开班日期
    end: dt.date  # 结业日期
    period: int
    town: Township | None  # None for a county-level class


@dataclass(eq=False)
class Trainee:
    person: Person
    course: TrainingClass
    completed: bool  # 是否结业
    certified: bool | None  # 是否取证 (None: not recorded)


@dataclass(eq=False)
class Loan:
    contract: str  # 贷款合同号
    bank: str  # 放款银行
    household: Household
    borrower: Person
    issued: dt.date  # 放款日期
    due: dt.date  # 到期日期
    amount: Decimal  # 贷款金额
    balance: Decimal  # 贷款余额 while outstanding
    repaid_on: dt.date | None  # the day the balance went to zero (None: never, this year)
    defaulted: bool  # not repaid at maturity
    arrears: dict[int, tuple[Decimal, int]] = field(default_factory=dict)  # month: (amount, days)
    compensated: bool = False  # 是否风险补偿

    def outstanding_at(self, end: dt.date) -> bool:
        return self.issued <= end and (self.repaid_on is None or self.repaid_on > end)

    def overdue_at(self, index: int, end: dt.date) -> tuple[Decimal, int]:
        if self.defaulted and self.due < end:
            return self.balance, (end - self.due).days
        return self.arrears.get(index, (Decimal("0.00"), 0))


@dataclass
class Defects:
    """Deliberate disagreements between the ledgers, planted by ``defects.py`` on top of the
    simulated world (the natural ones — 务工状态 a month late — live in the population)."""

    # (source, month index) -> what is listed twice that month: a Person (roster,
    # employment), a Trainee (training) or a Loan (loans). The copy follows the original.
    repeated: dict[tuple[str, int], list[object]] = field(default_factory=dict)
    # Copies that differ, by (source, month index, id(key)): a bad cell (only the original
    # loads), other values, or a place in the sheet above the original.
    faulty_copy: set[tuple[str, int, int]] = field(default_factory=set)
    copy_values: dict[tuple[str, int, int], dict[str, object]] = field(default_factory=dict)
    copy_first: set[tuple[str, int, int]] = field(default_factory=set)
    # (person, month index) -> the 务工状态 the system shows instead of its own.
    status: dict[tuple[Person, int], str | None] = field(default_factory=dict)
    # (person, month index) -> the village the 人社 ledger writes instead of the roster's.
    moved: dict[tuple[Person, int], Village] = field(default_factory=dict)
    # Households that are in no month's roster but appear in other ledgers.
    outsiders: list[Household] = field(default_factory=list)
    # (person, month index): rows that show a planted case; never given a random bad cell.
    protected: set[tuple[Person, int]] = field(default_factory=set)
    # (source, month index, id(key)) -> values a clerk got wrong in that row that month.
    values: dict[tuple[str, int, int], dict[str, object]] = field(default_factory=dict)


@dataclass
class County:
    """The simulated county-year: the single source of every ledger."""

    year: int
    scale: float
    gazetteer: Gazetteer
    households: list[Household]
    persons: list[Person]
    trainees: list[Trainee]
    loans: list[Loan]
    report_day: dict[tuple[str, int], dt.date]  # (town code, month index): 报送日期
    defects: Defects = field(default_factory=Defects)
    # The other domains' simulated worlds (welfare, housing, water, projects, …), by name.
    world: dict[str, object] = field(default_factory=dict)
    # Issues the ID numbers of everyone outside the roster: never one already issued.
    outside_ids: _IdIssuer | None = None
    # Which part of a sharded county-year this is (``shard.py``); the whole one by default.
    shard: Shard = field(default_factory=Shard)

    @property
    def whole_scale(self) -> float:
        """The scale of the whole county-year (of all its shards)."""
        return self.scale * self.shard.count

    def serial(self, n: int, width: int) -> str:
        """A key's serial number: the shard's tag before it when sharded (``shard.py``)."""
        return f"{self.shard.tag}{n:0{width}d}"

    @property
    def periods(self) -> list[str]:
        return [period_name(self.year, i) for i in range(N_PERIODS)]

    def persons_at(self, index: int) -> list[Person]:
        return [p for p in self.persons if p.present_at(index)]


# --------------------------------------------------------------------------- households

_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
_HOUSEHOLD_SIZE_WEIGHTS = (12, 22, 25, 21, 13, 5, 2)  # mean ≈ 3.24 persons

_CATEGORIES = MONITOR_CATEGORIES
_CATEGORY_WEIGHTS = (40, 45, 15)
_RISKS = RISK_TYPES
_RISK_WEIGHTS = (40, 15, 8, 5, 7, 12, 4, 2, 1, 6)


class _IdIssuer:
    """Hands out unique, valid ID numbers with a realistic sex digit, with order codes from
    the shard's block (``Shard.order_codes``; all of them unsharded)."""

    def __init__(self, rng: random.Random, shard: Shard | None = None):
        self.rng = rng
        self.used: set[str] = set()
        self.low, self.high = (shard or Shard()).order_codes

    def issue(self, birth: dt.date, male: bool, local: bool = True) -> str:
        """A new number for a person born on ``birth``; when a shard's few order codes of
        that day are all taken (rare), of the next day free (``idcard.birth_of`` gives it)."""
        region = XUNYI if local else self.rng.choice(OTHER_REGIONS)
        tries = 0
        while True:
            seq = self.rng.randrange(self.low, self.high) * 2 - (1 if male else 0)  # odd = male
            number = make_id(region, birth, seq)
            if number not in self.used:
                self.used.add(number)
                return number
            tries += 1
            if tries > 4 * (self.high - self.low):
                birth, tries = birth + dt.timedelta(days=1), 0


def household_outside(
    county: County,
    rng: random.Random,
    village: Village,
    hh_id: str,
    income_prev: Decimal = Decimal("9000.00"),
) -> Household:
    """A household in no month's roster (welfare's 低保 households, the outsiders the
    defects plant, …), with members whose ID numbers nobody else in the county has."""
    hh = Household(
        hh_id=hh_id,
        village=village,
        town=county.gazetteer.town_of(village),
        first_period=N_PERIODS,  # never in the roster
        relocated=False,
        income_prev=income_prev,
    )
    _members(rng, county.outside_ids, hh)
    return hh


def _birth(rng: random.Random, age: int) -> dt.date:
    # ``age`` is the age reached in 2024; babies of the census year are born in 2023 so
    # no birth date can lie after the day a file is loaded.
    year = 2024 - max(age, 1)
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _ability(rng: random.Random, age: int) -> str:
    if age < 16:
        return "无劳动能力"
    table = (
        (22, (50, 5, 45)),  # many of 16–22 are still at school
        (59, (90, 7, 3)),
        (64, (55, 30, 15)),
        (69, (20, 45, 35)),
        (200, (0, 25, 75)),
    )
    for upper, weights in table:
        if age <= upper:
            return rng.choices(("有劳动能力", "弱劳动能力", "无劳动能力"), weights)[0]
    raise AssertionError(age)


def _members(rng: random.Random, ids: _IdIssuer, hh: Household) -> None:
    size = rng.choices(_HOUSEHOLD_SIZES, _HOUSEHOLD_SIZE_WEIGHTS)[0]
    head_age = min(86, max(28, int(rng.triangular(28, 86, 56))))
    head_male = rng.random() < 0.85
    plan: list[tuple[str, int, bool | None]] = [("户主", head_age, head_male)]
    if size >= 2 and head_age < 82 and rng.random() < 0.85:
        plan.append(("配偶", max(22, head_age + rng.randint(-6, 4)), not head_male))
    while len(plan) < size:
        roll = rng.random()
        if head_age < 48 and roll < 0.3 and sum(r == "父母" for r, _, _ in plan) < 2:
            plan.append(("父母", min(95, head_age + rng.randint(22, 32)), None))
        elif head_age > 58 and roll < 0.35 and any(r == "子女" for r, _, _ in plan):
            plan.append(("孙子女", max(0, head_age - rng.randint(46, 60)), None))
        elif roll > 0.97:
            plan.append(("兄弟姐妹", max(18, head_age + rng.randint(-8, 8)), None))
        elif roll > 0.96:
            plan.append(("其他", rng.randint(5, 70), None))
        else:
            plan.append(("子女", max(0, head_age - rng.randint(22, 34)), None))

    father_surname = None
    for relation, age, male in plan:
        if male is None:
            male = rng.random() < 0.52
        birth = _birth(rng, age)
        # Married-in spouses are often registered elsewhere; everyone else is local.
        local = not (relation == "配偶" and rng.random() < 0.2)
        name = person_name(rng, male, birth.year)
        if relation in ("户主", "配偶") and male:
            father_surname = name[0]
        elif relation in ("子女", "孙子女") and father_surname and rng.random() < 0.9:
            name = father_surname + name[1:]
        number = ids.issue(birth, male, local)
        birth = birth_of(number)
        person = Person(
            id_number=number,
            name=name,
            male=male,
            birth=birth,
            relation=relation,
            ability=_ability(rng, age),
            household=hh,
        )
        hh.members.append(person)

    if hh.monitoring is not None and hh.monitoring.risk in ("因病", "因残"):
        # The sick or disabled member has lost (part of) their capacity to work.
        adults = [p for p in hh.members if 16 <= p.age]
        if adults:
            rng.choice(adults).ability = rng.choice(("弱劳动能力", "无劳动能力"))


def _monitoring_before(rng: random.Random, year: int) -> Monitoring:
    """A household monitored since before the plan year. Its risk clue is found by mid
    January, so even a late identification and entry (≤ 40 + 25 days) lands before the
    end of March, the first snapshot it appears in."""
    found = dt.date(year - 3, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365 + 14))
    return _monitoring_from(rng, found, rng.choices(_CATEGORIES, _CATEGORY_WEIGHTS)[0])


def _monitoring_from(rng: random.Random, found: dt.date, category: str) -> Monitoring:
    # Nearly all are identified within 15 days of the risk clue and entered within 10
    # days of identification (the plan's rule, check X13); a few are late.
    to_identify = rng.randint(16, 40) if rng.random() < 0.03 else rng.randint(1, 15)
    to_enter = rng.randint(11, 25) if rng.random() < 0.03 else rng.randint(0, 10)
    identified = found + dt.timedelta(days=to_identify)
    return Monitoring(
        category=category,
        risk=rng.choices(_RISKS, _RISK_WEIGHTS)[0],
        found=found,
        identified=identified,
        entered=identified + dt.timedelta(days=to_enter),
    )


def _monitoring_entered_in(rng: random.Random, year: int, index: int, category: str) -> Monitoring:
    """A household newly identified and entered in the system in month ``index``."""
    start, end = month_start(year, index), month_end(year, index)
    for _ in range(100):
        found = (
            start - dt.timedelta(days=rng.randint(0, 20)) + dt.timedelta(days=rng.randint(0, 20))
        )
        m = _monitoring_from(rng, found, category)
        if start <= m.entered <= end:
            return m
    raise AssertionError("no monitoring dates fit the month")


def _build_households(
    rng: random.Random, ids: _IdIssuer, gaz: Gazetteer, year: int, scale: float, tag: str = ""
):
    villages = gaz.villages
    town_factor = {"城关街道": 0.7, "马栏镇": 1.3, "清塬镇": 1.3}
    weights = [
        v.registered_households
        * (0.4 if v.kind == "社区" else 1.0)
        * town_factor.get(gaz.town_of(v).name, 1.0)
        for v in villages
    ]
    serial: dict[str, int] = {}

    def new_household(first_period: int, monitoring: Monitoring | None, monitored_from: int = 0):
        village = rng.choices(villages, weights)[0]
        serial[village.code] = serial.get(village.code, 0) + 1
        monitored = monitoring is not None
        income = rng.gauss(9000, 2500) if monitored else rng.gauss(15000, 4000)
        income = min(40000.0, max(3500.0, income))
        if rng.random() < 0.6:  # the system often stores whole yuan
            income = round(income)
        hh = Household(
            hh_id=f"{village.code}{tag}{serial[village.code]:04d}",
            village=village,
            town=gaz.town_of(village),
            first_period=first_period,
            relocated=rng.random() < 0.05,
            income_prev=_money(income),
            monitoring=monitoring,
            monitored_from=monitored_from,
        )
        _members(rng, ids, hh)
        return hh

    households: list[Household] = []
    n_initial = max(20, round(11_000 * scale))
    for _ in range(n_initial):
        monitoring = _monitoring_before(rng, year) if rng.random() < 0.095 else None
        households.append(new_household(0, monitoring))
    for hh in households:
        m = hh.monitoring
        if m is None:
            continue
        if m.entered >= month_start(year, 0):  # entered in March: first seen in March anyway
            # March is reconciled (X13 judges the month's new entries): on time.
            m.identified = min(m.identified, m.found + dt.timedelta(days=15))
            m.entered = min(
                max(m.entered, month_start(year, 0)), m.identified + dt.timedelta(days=10)
            )
            if m.entered < month_start(year, 0):
                m.entered = month_start(year, 0)
                m.identified = max(m.identified, m.entered - dt.timedelta(days=10))
            continue
        if rng.random() < 0.35 and (m.entered + dt.timedelta(days=200)).year < year:
            last = dt.date(year - 1, 12, 31)
            first = m.entered + dt.timedelta(days=180)
            m.cleared = first + dt.timedelta(days=rng.randrange((last - first).days + 1))

    # A few new 监测户 each month: 脱贫户 turning unstable (脱贫不稳定户), and households
    # outside the roster falling into difficulty (边缘易致贫户, 突发严重困难户).
    new_total = 0
    for index in range(1, N_PERIODS):
        n_new = int(15 * scale + rng.random())
        if index == 2 and new_total == 0 and n_new == 0:
            n_new = 1  # every county-year shows at least one newly identified household
        for k in range(n_new):
            candidates = [h for h in households if h.monitoring is None and h.first_period == 0]
            if k % 2 == 1 and candidates:
                hh = rng.choice(candidates)
                hh.monitoring = _monitoring_entered_in(rng, year, index, "脱贫不稳定户")
                hh.monitored_from = index
            else:
                category = rng.choices(_CATEGORIES[1:], (75, 25))[0]
                monitoring = _monitoring_entered_in(rng, year, index, category)
                households.append(new_household(index, monitoring, index))
            new_total += 1

    # Risk cleared during the year (风险消除): about 2 % of open cases a month.
    for index in range(N_PERIODS):
        start, end = month_start(year, index), month_end(year, index)
        for hh in households:
            m = hh.monitoring
            if m is None or m.cleared is not None or hh.monitored_from > index - 3:
                continue
            if m.entered + dt.timedelta(days=120) < start and rng.random() < 0.02:
                m.cleared = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    return households


# --------------------------------------------------------------------------- work

_FORMS = ("省外务工", "省内县外务工", "县内务工", "公益性岗位", "自主创业", "灵活就业")
_OUT_OF_PROVINCE = (
    ("广东省深圳市", ("富士康科技集团深圳园区", "比亚迪股份有限公司", "深圳市顺丰速运有限公司")),
    ("江苏省苏州市", ("苏州工业园区某电子厂", "苏州立讯精密工业有限公司", "苏州建工集团项目部")),
    ("浙江省宁波市", ("宁波舜宇光电有限公司", "宁波港集团", "宁波市某服装厂")),
    ("甘肃省庆阳市", ("长庆油田第三采油厂", "庆阳市某建筑公司", "西峰区某物流公司")),
    ("宁夏回族自治区银川市", ("宁夏宝丰能源集团", "银川市某建筑公司")),
    ("北京市", ("北京某物业管理有限公司", "北京某建筑劳务公司", "美团骑手")),
    ("新疆维吾尔自治区昌吉州", ("新疆某棉业公司", "昌吉州某建筑公司")),
)
_IN_PROVINCE = (
    (
        "陕西省西安市",
        ("西安比亚迪汽车有限公司", "西安某物业公司", "陕西建工集团项目部", "西安市某餐饮公司"),
    ),
    ("陕西省咸阳市", ("咸阳彩虹光电科技有限公司", "咸阳市某建筑公司", "咸阳某纺织厂")),
    ("陕西省彬州市", ("陕西彬长矿业集团有限公司", "彬州市某建材厂")),
    ("陕西省铜川市", ("铜川市某水泥厂", "铜川照金某景区")),
    ("陕西省延安市", ("延长石油集团某采油厂", "延安市某苹果加工厂")),
)
_IN_COUNTY = (
    "旬邑县某果业专业合作社",
    "旬邑县某苹果包装厂",
    "旬邑县某建筑公司",
    "旬邑县某物流公司",
    "旬邑县某养殖场",
)


def _new_spell(rng: random.Random, person: Person, started: dt.date) -> Spell:
    hh = person.household
    if person.ability == "弱劳动能力":
        form = rng.choices(_FORMS, (0, 2, 10, 60, 0, 28))[0]
    elif person.age >= 55:
        form = rng.choices(_FORMS, (15, 18, 30, 17, 5, 15))[0]
    else:
        form = rng.choices(_FORMS, (40, 30, 16, 3, 4, 7))[0]
    county_place = f"陕西省咸阳市旬邑县{hh.town.name}"
    if form == "省外务工":
        place, employers = rng.choice(_OUT_OF_PROVINCE)
        employer, income = rng.choice(employers), rng.uniform(4000, 8500)
    elif form == "省内县外务工":
        place, employers = rng.choice(_IN_PROVINCE)
        employer, income = rng.choice(employers), rng.uniform(3000, 6500)
    elif form == "县内务工":
        place, employer, income = county_place, rng.choice(_IN_COUNTY), rng.uniform(2000, 4500)
    elif form == "公益性岗位":  # the post is in public_jobs too (posts.py)
        post = rng.choices(POST_KINDS, POST_WEIGHTS)[0]
        place, employer = county_place, f"{hh.village.name}（{post}）"
        income = POST_ALLOWANCE[post]
    elif form == "自主创业":
        place, employer = county_place, rng.choice(("个体经营", "家庭农场", "种养殖"))
        income = rng.uniform(3000, 8000)
    else:
        place, employer, income = (
            county_place,
            rng.choice(("打零工", "临时用工", "")),
            rng.uniform(1500, 3500),
        )
    if form != "公益性岗位":
        income = round(income, -2) if rng.random() < 0.8 else round(income)
    return Spell(
        form=form,
        place=place,
        employer=employer,
        started=started,
        income=None if rng.random() < 0.04 and form != "公益性岗位" else _money(income),
    )


# Public-welfare posts (乡村公益性岗位): the kinds in the proportions of the plan's targets
# (乡村公益岗 580, 护林员 43, 护河员 502, 光伏公益岗 527) and their monthly allowance.
POST_KINDS = ("乡村公益岗", "护林员", "护河员", "光伏公益岗")
POST_WEIGHTS = (580, 43, 502, 527)
POST_ALLOWANCE = {"乡村公益岗": 600, "护林员": 800, "护河员": 500, "光伏公益岗": 500}


def post_of(spell: Spell) -> str:
    """The 岗位类别 of a 公益性岗位 spell (the employer names it)."""
    return spell.employer[spell.employer.rindex("（") + 1 : -1]


def _historic_start(rng: random.Random, year: int) -> dt.date:
    """务工起始月份 of someone already working in March: mostly the last few years."""
    back = int(rng.expovariate(1 / 18))  # months before March
    months = year * 12 + FIRST_MONTH - 1 - min(back, 150)
    return dt.date(months // 12, months % 12 + 1, 1)


def _simulate_work(rng: random.Random, county: County) -> None:
    year = county.year
    towns = county.gazetteer.townships
    weight = {"有劳动能力": 1.0, "弱劳动能力": 0.25}

    # A relocated (易地搬迁) household with labour has someone at work (the plan's 100 %,
    # check X08): its first able member is placed first and does not stop by chance.
    anchors = set()
    for hh in county.households:
        able = [p for p in hh.members if p.ability == "有劳动能力" and p.age >= 16]
        if hh.relocated and able:
            anchors.add(id(min(able, key=lambda p: (abs(p.age - 40), p.id_number))))

    def eligible(p: Person) -> bool:
        return p.ability in weight and 16 <= p.age <= 64 or id(p) in anchors

    key = {id(p): rng.random() ** (1 / weight[p.ability]) for p in county.persons if eligible(p)}
    key.update((pid, 2.0) for pid in anchors)
    by_town: dict[str, list[Person]] = {t.code: [] for t in towns}
    for p in county.persons:
        if eligible(p):
            by_town[p.household.town.code].append(p)
    factor = {t.code: rng.uniform(0.97, 1.03) for t in towns}
    growth = {t.code: (0.2 if t.name in LAGGING_TOWNS else 1.0) for t in towns}

    working: dict[str, dict[int, Spell]] = {t.code: {} for t in towns}  # id(person) -> spell
    members: dict[int, Person] = {id(p): p for p in county.persons}
    base = None
    for index in range(N_PERIODS):
        present = county.persons_at(index)
        # The county's 务工 count rises from ≈ 52.4 % to ≈ 55.1 % of the roster's persons
        # (≈ 18,900 in March to ≈ 19,950 in December at scale 1).
        share = 0.524 + (0.551 - 0.524) * index / (N_PERIODS - 1)
        target = len(present) * share
        pool = {
            t.code: sum(weight[p.ability] for p in by_town[t.code] if p.present_at(index))
            for t in towns
        }
        weighted = sum(pool[c] * factor[c] for c in pool)
        if base is None:
            base = target / weighted
        lift = 0.0
        if index:
            lift = (target - base * weighted) / sum(pool[c] * factor[c] * growth[c] for c in pool)
        for town in towns:
            code = town.code
            want = round(pool[code] * factor[code] * (base + lift * growth[code]))
            current = working[code]
            for pid in list(current):  # the dead stop working, others ≈ 0.6 % a month
                stops = pid not in anchors and rng.random() < 0.006
                if not members[pid].present_at(index) or stops:
                    del current[pid]
                    key[pid] *= 0.3
            candidates = sorted(
                (p for p in by_town[code] if p.present_at(index) and id(p) not in current),
                key=lambda p: (-key[id(p)], p.id_number),
            )
            for p in candidates[: max(0, want - len(current))]:
                if index == 0:
                    started = _historic_start(rng, year)
                else:
                    started = month_start(year, index - (1 if rng.random() < 0.2 else 0))
                current[id(p)] = _new_spell(rng, p, started)
            if len(current) > want:
                ranked = sorted(current, key=lambda pid: (key[pid], members[pid].id_number))
                for pid in ranked[: len(current) - want]:
                    del current[pid]
            for pid, spell in current.items():
                members[pid].work[index] = spell

    # The system's 务工监测 follows the 人社 ledger, a month late for a few people.
    for p in county.persons:
        for index in range(N_PERIODS):
            now = p.works_at(index)
            before = index > 0 and p.works_at(index - 1)
            if now and index > 0 and not before and rng.random() < 0.03:
                now = False
            elif not now and before and rng.random() < 0.03:
                now = True
            p.system_work[index] = now and p.present_at(index)

    # 跨省交通补助: 500 yuan once a year for most 省外务工 persons, usually in their first
    # month out of province.
    for p in county.persons:
        months = [i for i in range(N_PERIODS) if p.work[i] and p.work[i].form == "省外务工"]
        if months and rng.random() < 0.92:
            p.subsidy_period = months[0] if rng.random() < 0.7 else rng.choice(months)

    for town in towns:
        for index in range(N_PERIODS):
            day = rng.randint(18, 25) if rng.random() < 0.9 else rng.randint(26, 28)
            county.report_day[(town.code, index)] = dt.date(year, FIRST_MONTH + index, day)


# --------------------------------------------------------------------------- training

_COURSES = (
    ("果树修剪", "定向式", "苹果产业技能培训班"),
    ("苹果栽培管理", "定向式", "苹果产业技能培训班"),
    ("畜禽养殖", "定向式", "养殖技术培训班"),
    ("电工", "订单式", "职业技能培训班"),
    ("焊工", "订单式", "职业技能培训班"),
    ("家政服务", "订单式", "家政服务培训班"),
    ("育婴员", "订单式", "家政服务培训班"),
    ("中式烹调", "其他", "餐饮服务培训班"),
    ("挖掘机操作", "订单式", "工程机械培训班"),
    ("电子商务", "其他", "电商直播培训班"),
)
# Farmers train in the slack seasons: early spring and after the apple harvest.
_TRAINING_MONTH_SHARE = (0.14, 0.12, 0.08, 0.06, 0.06, 0.07, 0.09, 0.10, 0.14, 0.14)


def _simulate_training(rng: random.Random, county: County) -> None:
    year = county.year
    total = max(N_PERIODS * 2, round(1400 * county.scale * 1.03))  # a few train twice
    trained: set[int] = set()
    for index in range(N_PERIODS):
        n_events = max(2, round(total * _TRAINING_MONTH_SHARE[index]))
        n_classes = max(1, round(n_events / 32))
        sizes = [
            n_events // n_classes + (1 if k < n_events % n_classes else 0) for k in range(n_classes)
        ]
        pool = [
            p
            for p in county.persons
            if p.present_at(index)
            and 18 <= p.age <= 59
            and p.ability in ("有劳动能力", "弱劳动能力")
        ]
        last_day = month_end(year, index).day
        for number, size in enumerate(sizes, 1):
            trade, mode, project = rng.choice(_COURSES)
            town = rng.choice(county.gazetteer.townships)
            local = [p for p in pool if p.household.town is town]
            county_level = len(local) < size * 3
            fresh = [p for p in (pool if county_level else local) if id(p) not in trained]
            again = [p for p in (pool if county_level else local) if id(p) in trained]
            chosen = rng.sample(fresh, min(size, len(fresh)))
            if again and rng.random() < 0.4:
                chosen[-1:] = [rng.choice(again)]  # someone back for a second trade
            length = rng.randint(2, 10)
            first = rng.randint(1, last_day - length + 1)
            where = "旬邑县" if county_level else town.name
            course = TrainingClass(
                project=f"{year}年{where}{project}（第{index * 4 + number}期）",
                trade=trade,
                mode=mode,
                start=dt.date(year, FIRST_MONTH + index, first),
                end=dt.date(year, FIRST_MONTH + index, first + length - 1),
                period=index,
                town=None if county_level else town,
            )
            for p in sorted(chosen, key=lambda p: (p.household.hh_id, p.id_number)):
                trained.add(id(p))
                completed = rng.random() < 0.96
                certified = None if rng.random() < 0.1 else (completed and rng.random() < 0.65)
                county.trainees.append(Trainee(p, course, completed, certified))


# --------------------------------------------------------------------------- loans

_BANKS = (
    ("陕西旬邑农村商业银行股份有限公司", "XYNSH", 70),
    ("中国邮政储蓄银行旬邑县支行", "YCXY", 15),
    ("中国农业银行旬邑县支行", "NHXY", 10),
    ("长安银行旬邑县支行", "CAXY", 5),
)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _simulate_loans(rng: random.Random, county: County) -> None:
    year = county.year
    plan_start = month_start(year, 0)
    last_end = month_end(year, N_PERIODS - 1)
    n_total = max(25, round(3300 * county.scale))  # ≈ 2,400 outstanding a month
    n_chronic = max(1, round(0.0022 * n_total))  # matured before the year, still unpaid
    n_new = round(0.28 * n_total)
    n_existing = n_total - n_new - n_chronic

    def borrower_of(hh: Household) -> Person | None:
        head = hh.members[0]
        if head.age <= 65 and head.ability != "无劳动能力":
            return head
        adults = [p for p in hh.members if 18 <= p.age <= 65 and p.ability == "有劳动能力"]
        return rng.choice(adults) if adults else None

    households = [h for h in county.households if h.first_period == 0]
    rng.shuffle(households)
    seq: dict[tuple[str, int], int] = {}

    def make(issued: dt.date) -> Loan | None:
        while households:
            hh = households.pop()
            borrower = borrower_of(hh)
            if borrower is not None:
                break
        else:
            return None
        bank, prefix, _ = rng.choices(_BANKS, [w for *_, w in _BANKS])[0]
        seq[(prefix, issued.year)] = seq.get((prefix, issued.year), 0) + 1
        term = rng.choices((3, 2, 1), (75, 15, 10))[0]
        amount = Decimal(rng.choices((10000, 20000, 30000, 40000, 50000), (8, 17, 25, 15, 35))[0])
        balance = amount
        if rng.random() < 0.2:  # part of the principal already paid back
            balance = (amount * Decimal(rng.choice((50, 60, 70, 80, 90))) / 100).quantize(
                Decimal("1")
            )
        return Loan(
            contract=f"{prefix}-{issued.year}-{county.serial(seq[(prefix, issued.year)], 5)}",
            bank=bank,
            household=hh,
            borrower=borrower,
            issued=issued,
            due=_add_years(issued, term),
            amount=amount.quantize(Decimal("0.01")),
            balance=balance.quantize(Decimal("0.01")),
            repaid_on=None,
            defaulted=False,
        )

    loans: list[Loan] = []
    for k in range(n_existing + n_chronic):
        chronic = k >= n_existing
        recent = k == n_existing  # the first chronic default matured last winter
        if recent:
            issued = plan_start - dt.timedelta(days=rng.randint(3 * 365 + 40, 3 * 365 + 110))
        elif chronic:
            issued = plan_start - dt.timedelta(days=rng.randint(3 * 365 + 40, 3 * 365 + 500))
        else:
            issued = plan_start - dt.timedelta(days=rng.randint(20, 3 * 365 - 10))
        loan = make(issued)
        if loan is None:
            break
        if chronic:
            loan.due = _add_years(issued, 3)
            loan.defaulted = True
            # Long arrears are under 风险补偿; a recent default is not yet: once past 180
            # days it fails X14 (never in March: it matured less than 150 days before).
            long_overdue = (plan_start - loan.due).days > 150
            loan.compensated = not recent and (long_overdue or rng.random() < 0.5)
        elif loan.due <= plan_start:
            loan.due = _add_years(loan.due, 1)  # renewed (展期) once
        loans.append(loan)
    for _ in range(n_new):
        index = rng.choices(range(N_PERIODS), (14, 14, 12, 9, 8, 8, 9, 9, 9, 8))[0]
        start, end = month_start(year, index), month_end(year, index)
        loan = make(start + dt.timedelta(days=rng.randrange((end - start).days + 1)))
        if loan is None:
            break
        loans.append(loan)

    # Repayment: most loans are repaid on their due date; a few early; a few default at
    # maturity during the year (some cured a couple of months later).
    n_fresh_defaults = max(0, round(0.0012 * n_total))
    maturing = [ln for ln in loans if not ln.defaulted and ln.due <= last_end]
    fresh = set(id(ln) for ln in rng.sample(maturing, min(n_fresh_defaults, len(maturing))))
    for loan in loans:
        if loan.defaulted:
            continue
        if id(loan) in fresh:
            loan.defaulted = True
            loan.compensated = rng.random() < 0.5
            if rng.random() < 0.4:
                loan.repaid_on = loan.due + dt.timedelta(days=rng.randint(40, 100))
        elif loan.due <= last_end:
            loan.repaid_on = loan.due
        elif rng.random() < 0.04:
            first = max(loan.issued, plan_start) + dt.timedelta(days=30)
            if first < last_end:
                loan.repaid_on = first + dt.timedelta(days=rng.randrange((last_end - first).days))
    # Interest arrears for a month or two, later settled.
    candidates = [ln for ln in loans if not ln.defaulted]
    for loan in rng.sample(candidates, min(len(candidates), max(1, round(0.004 * n_total)))):
        index = rng.randrange(N_PERIODS - 1)
        owed = _money(float(loan.balance) * 0.0435 / 4)
        for k, month in enumerate(range(index, min(N_PERIODS, index + rng.randint(1, 2)))):
            loan.arrears[month] = (owed, 20 + 30 * k + rng.randint(0, 9))
    county.loans = sorted(loans, key=lambda ln: ln.contract)


# --------------------------------------------------------------------------- deaths


def _simulate_deaths(rng: random.Random, county: County) -> None:
    """The elderly (heads of household aside) die at rural rates — about 1 % a year at 60,
    6 % at 85 — from April on: the roster drops them the month they die, and the
    insurance bureau records 死亡 (welfare)."""
    year = county.year
    for p in county.persons:
        if p.age < 60 or p.relation == "户主":
            continue  # (a household keeps its head: the system would name a new one)
        monthly = 0.0008 + 0.0002 * (min(p.age, 90) - 60)
        for index in range(1, N_PERIODS):
            if p.household.present_at(index) and rng.random() < monthly:
                start, end = month_start(year, index), month_end(year, index)
                p.died = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
                p.died_index = index
                break


def _post_holders_die(rng: random.Random, county: County) -> None:
    """A public-welfare post holder or two die during the year (an accident, an illness):
    their work ends the month they die (the posts' ledger records it a month late: X20)."""
    year = county.year
    n = max(1, round(2 * county.scale))
    for _ in range(n):
        index = rng.randint(2, N_PERIODS - 2)
        holders = [
            p
            for p in county.persons
            if p.died is None
            and p.relation != "户主"
            and all(p.work[i] and p.work[i].form == "公益性岗位" for i in (index - 1, index))
        ]
        if not holders:
            continue
        p = rng.choice(holders)
        start, end = month_start(year, index), month_end(year, index)
        p.died = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        p.died_index = index
        for i in range(index, N_PERIODS):
            p.work[i] = None
            p.system_work[i] = False
        if p.subsidy_period is not None and p.subsidy_period >= index:
            p.subsidy_period = None


# --------------------------------------------------------------------------- the county


def build_county(
    gazetteer: Gazetteer, year: int, seed: int, scale: float, shard: Shard | None = None, key=None
) -> County:
    """Simulate the county-year (or the ``shard`` of it, of ``scale``). Each concern has its
    own random stream, so changing how loans are drawn does not reshuffle the households;
    ``key`` names the county-year's size in the streams' names (``Shard.stream_key``)."""
    shard = shard or Shard()
    key = f"{scale}" if key is None else key

    def stream(name: str) -> random.Random:
        return random.Random(f"xunyi/{seed}/{year}/{key}/{name}")

    rng = stream("households")
    ids = _IdIssuer(stream("ids"), shard)
    households = _build_households(rng, ids, gazetteer, year, scale, shard.tag)
    households.sort(key=lambda h: h.hh_id)
    persons = [p for h in households for p in h.members]
    county = County(year, scale, gazetteer, households, persons, [], [], {}, shard=shard)
    county.outside_ids = _IdIssuer(stream("ids/outside"), shard)
    county.outside_ids.used = set(ids.used)
    _simulate_deaths(stream("deaths"), county)
    _simulate_work(stream("work"), county)
    _post_holders_die(stream("deaths/posts"), county)
    _simulate_training(stream("training"), county)
    _simulate_loans(stream("loans"), county)
    return county
