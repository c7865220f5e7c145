"""Disagreements planted between the ledgers, for the checks to find (U01, X04, X05, X06).

The simulated world is consistent except for one natural lag (the system's 务工状态 a
month behind the 人社 ledger for a few people). On top of it, as clerks and systems do:

* **U01** — a person listed twice in the roster or the employment ledger, a trainee entered
  twice for one class, a loan row repeated by the bank. Once a year each: an employment row
  typed twice whose copy is quarantined (missing a required cell), so only one copy loads;
  a person listed by two villages of their township, the other village's row first (X06,
  X05, and the village A4-MIGRANT counts them in); a loan in arrears whose repeated row
  shows the arrears settled (A3-LOAN-OVERDUE takes the first row);
* **X04** — the system says 未务工, or nothing, for someone the 人社 ledger has at work; it
  says 务工 for someone the 人社 ledger does not have;
* **X06 / X04** — people of households no longer in the roster (户籍迁出: still 脱贫户 to the
  other departments) at work, in a training class, or borrowing;
* **X06 / X05** — people whose 镇/村 in the employment ledger differs from the roster's
  (moved within their township, or resettled in a 城关街道 community), from a month on.

Rates are a few per ten thousand rows (``RATES``); every kind appears at least once at any
scale, in a month whose files load, and every row showing a case is kept free of random bad
cells (``Defects.protected``). Nothing is planted in the plan's first month: the ledgers were
reconciled then (``layouts.RECONCILED_MONTH``), so every check passes in March.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from .layouts import RECONCILED_MONTH, REJECTED
from .population import (
    FIRST_MONTH,
    N_PERIODS,
    County,
    Household,
    Loan,
    Person,
    Trainee,
    _add_years,
    _new_spell,
    household_outside,
    month_end,
    month_start,
)

# Share of the month's rows showing each case (the expected count, drawn each month).
RATES = {
    "roster_twice": 0.0001,
    "employment_twice": 0.0003,
    "training_twice": 0.005,
    "loans_twice": 0.001,
    "says_not_working": 0.0002,  # of employment rows
    "says_nothing": 0.0002,
    "says_working": 0.0002,
}
OUTSIDER_HOUSEHOLDS = 6  # at scale 1; at least one per role (employment, training, loans)
MOVED = 6  # persons at scale 1 whose employment row names another village


def _loads(source: str, index: int) -> bool:
    return (source, FIRST_MONTH + index) not in REJECTED


def planting_months(*sources: str) -> list[int]:
    """Months (indexes) where every named source loads, the reconciled month excepted."""
    return [
        i
        for i in range(N_PERIODS)
        if FIRST_MONTH + i != RECONCILED_MONTH and all(_loads(s, i) for s in sources)
    ]


class Planter:
    """Plants cases: picks who shows them, protects their rows, keeps one case per person
    (or subject) and month. ``fork(name)`` gives a domain its own random stream;
    ``whole_stream(name)`` one that every shard of a sharded county-year shares."""

    def __init__(self, county: County, rng: random.Random, stream=None, whole=None):
        self.county, self.rng = county, rng
        self._stream = stream
        self._whole = whole or stream
        self.d = county.defects
        self.used: set[tuple[Person, int]] = set()  # one case per person and month
        self.present = [county.persons_at(i) for i in range(N_PERIODS)]
        self.working = [[p for p in self.present[i] if p.work[i]] for i in range(N_PERIODS)]

    def fork(self, name: str) -> Planter:
        """The same planter with a random stream of its own (a domain's)."""
        other = copy.copy(self)
        other.rng = self._stream(name) if self._stream else random.Random(name)
        return other

    def whole_stream(self, name: str) -> random.Random:
        return self._whole(name) if self._whole else random.Random(name)

    months = staticmethod(planting_months)

    def protect(self, p: object, index: int) -> None:
        """No random bad cell on ``p``'s rows (a person, or a point, project …) this month."""
        self.d.protected.add((p, index))
        self.used.add((p, index))

    def counts(self, rate: float, rows: Callable[[int], int], months: list[int]) -> dict[int, int]:
        """How many cases each month: the rate's expectation drawn, at least one in all."""
        n = {i: int(rows(i) * rate + self.rng.random()) for i in months}
        if not any(n.values()):
            n[self.rng.choice(months)] = 1
        return n

    def pick(self, pool: list, n: int, index: int, person=lambda x: x) -> list:
        """``n`` of ``pool`` (fewer if it runs out) showing no other case that month."""
        chosen: list = []
        for _ in range(20 * n):  # draw at random, skipping whoever is taken
            if len(chosen) == n or not pool:
                break
            x = pool[self.rng.randrange(len(pool))]
            if (person(x), index) not in self.used:
                chosen.append(x)
                self.protect(person(x), index)
        if len(chosen) < n:  # a small pool: take from whoever is left
            rest = [x for x in pool if (person(x), index) not in self.used]
            for x in self.rng.sample(rest, min(n - len(chosen), len(rest))):
                chosen.append(x)
                self.protect(person(x), index)
        return chosen


def plant_defects(county: County, rng: random.Random, stream=None, whole=None) -> None:
    """Plant every case (see the module's docstring) into ``county.defects``, then each
    domain's own (``world.DOMAINS``). ``whole``: streams every shard shares."""
    from .world import domains_of

    pl = Planter(county, rng, stream, whole)
    _outsiders(pl)
    _moved(pl)
    _statuses(pl)
    _repeats(pl)
    _roster_cases(pl)
    _subsidy_cases(pl)
    _loan_cases(pl)
    _relocated_idle(pl)
    for domain in domains_of(county):
        domain.plant(pl.fork(domain.NAME))


# --------------------------------------------------------------------------- outsiders


def _outsiders(pl: Planter) -> None:
    """Households struck off the roster (户籍迁出) before the year, whom the 人社 ledger,
    a training class or a bank still records as 脱贫户."""
    county, rng, d = pl.county, pl.rng, pl.d
    villages = county.gazetteer.villages
    n = max(3, round(OUTSIDER_HOUSEHOLDS * county.scale))
    roles = [("employment", "training", "loans")[k % 3] for k in range(n)]
    serial = 0
    for role in roles:
        while True:  # a household with someone of working age to play the role
            serial += 1
            village = rng.choice(villages)
            hh = household_outside(
                county,
                rng,
                village,
                f"{village.code}{county.shard.tag}9{serial:03d}",
                Decimal("12000.00"),
            )
            able = [p for p in hh.members if 18 <= p.age <= 59 and p.ability != "无劳动能力"]
            if able:
                break
        d.outsiders.append(hh)
        p = rng.choice(able)
        if role == "employment":
            start = rng.choice(planting_months("employment"))
            spell = _new_spell(rng, p, month_start(county.year, start))
            for i in range(start, N_PERIODS):
                p.work[i] = spell
                pl.protect(p, i)
        elif role == "training":
            index = rng.choice(planting_months("training"))
            courses = sorted(
                {
                    id(t.course): t.course for t in county.trainees if t.course.period == index
                }.values(),
                key=lambda c: c.project,
            )
            course = rng.choice(courses)
            at = max(k for k, t in enumerate(county.trainees) if t.course is course) + 1
            county.trainees.insert(at, Trainee(p, course, True, rng.random() < 0.6))
            pl.protect(p, index)
        else:
            _outsider_loan(pl, hh, p)


def _outsider_loan(pl: Planter, hh: Household, p: Person) -> None:
    county, rng = pl.county, pl.rng
    index = rng.choice(planting_months("loans"))
    start, end = month_start(county.year, index), month_end(county.year, index)
    issued = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    prefix, bank = "XYNSH", "陕西旬邑农村商业银行股份有限公司"
    numbered = f"{prefix}-{issued.year}-{county.shard.tag}"
    taken = [
        int(ln.contract[len(numbered) :]) for ln in county.loans if ln.contract.startswith(numbered)
    ]
    amount = Decimal(rng.choice((20000, 30000, 50000))).quantize(Decimal("0.01"))
    loan = Loan(
        contract=f"{prefix}-{issued.year}-{county.serial(max(taken, default=0) + 1, 5)}",
        bank=bank,
        household=hh,
        borrower=p,
        issued=issued,
        due=_add_years(issued, 3),
        amount=amount,
        balance=amount,
        repaid_on=None,
        defaulted=False,
    )
    county.loans = sorted([*county.loans, loan], key=lambda ln: ln.contract)
    for i in range(index, N_PERIODS):
        pl.protect(p, i)


# --------------------------------------------------------------------------- places


def _moved(pl: Planter) -> None:
    """The 人社 ledger writes another village than the roster's, from a month on: a move
    within the township, or resettlement (易地搬迁) in a 城关街道 community."""
    county, rng, d = pl.county, pl.rng, pl.d
    gaz = county.gazetteer
    chengguan = next(t for t in gaz.townships if t.name == "城关街道")
    communities = [v for v in chengguan.villages if v.kind == "社区"]
    n = max(1, round(MOVED * county.scale))
    for k in range(n):
        index = rng.choice(planting_months("employment"))
        taken = {p for p, _ in pl.used}
        (p,) = rng.sample([p for p in pl.working[index] if p not in taken], 1)
        home = p.household.village
        if k % 3 == 2 and p.household.town is not chengguan:
            village = rng.choice(communities)
        else:
            village = rng.choice([v for v in p.household.town.villages if v is not home])
        for i in range(index, N_PERIODS):
            if p.works_at(i):
                d.moved[(p, i)] = village
                pl.protect(p, i)


# --------------------------------------------------------------------------- 务工状态


def _statuses(pl: Planter) -> None:
    d = pl.d
    months = planting_months("employment", "roster")
    idle = [
        [p for p in pl.present[i] if p.work[i] is None and p.ability == "有劳动能力"]
        for i in range(N_PERIODS)
    ]
    cases = (
        # (rate, who, what the system says instead of its own 务工)
        ("says_not_working", lambda i: [p for p in pl.working[i] if p.system_work[i]], "未务工"),
        ("says_nothing", lambda i: [p for p in pl.working[i] if p.system_work[i]], None),
        # ... or 务工 for someone of working age the 人社 ledger does not have
        (
            "says_working",
            lambda i: [p for p in idle[i] if not p.system_work[i] and 16 <= p.age <= 64],
            "务工",
        ),
    )
    for rate, pool, says in cases:
        for i, n in pl.counts(RATES[rate], lambda i: len(pl.working[i]), months).items():
            if n:
                for p in pl.pick(pool(i), n, i):
                    d.status[(p, i)] = says


# --------------------------------------------------------------------------- repeats


def _repeats(pl: Planter) -> None:
    county, rng, d = pl.county, pl.rng, pl.d
    year = county.year

    def add(source: str, i: int, keys: list) -> None:
        if keys:
            d.repeated.setdefault((source, i), []).extend(keys)

    # roster: a member (never the 户主: one household, one head) listed twice
    months = planting_months("roster")
    for i, n in pl.counts(RATES["roster_twice"], lambda i: len(pl.present[i]), months).items():
        if n:
            add("roster", i, pl.pick([p for p in pl.present[i] if p.relation != "户主"], n, i))

    # employment: a person listed twice (none paid the transport subsidy that month)
    def employment_pool(i: int) -> list[Person]:
        return [p for p in pl.working[i] if p.subsidy_period != i and (p, i) not in d.moved]

    months = planting_months("employment")
    sizes = {i: len(pl.working[i]) for i in months}
    for i, n in pl.counts(RATES["employment_twice"], sizes.__getitem__, months).items():
        if n:
            add("employment", i, pl.pick(employment_pool(i), n, i))
    # Once a year the second copy is quarantined: only one row loads, no U01 failure.
    i = rng.choice(months)
    (p,) = pl.pick(employment_pool(i), 1, i)
    add("employment", i, [p])
    d.faulty_copy.add(("employment", i, id(p)))
    # Once a year a person is listed by two villages of their township, the other village's
    # row first: it fails X06, moves X05's counts and holds the person's A4-MIGRANT village.
    i = rng.choice(months)
    (p,) = pl.pick(employment_pool(i), 1, i)
    add("employment", i, [p])
    village = rng.choice([v for v in p.household.town.villages if v is not p.household.village])
    d.copy_values[("employment", i, id(p))] = {"行政村": village}
    d.copy_first.add(("employment", i, id(p)))

    # training: one trainee entered twice for the same class
    months = planting_months("training")
    sizes = {i: sum(1 for t in county.trainees if t.course.period == i) for i in months}
    for i, n in pl.counts(RATES["training_twice"], sizes.__getitem__, months).items():
        if n:
            pool = [t for t in county.trainees if t.course.period == i]
            add("training", i, pl.pick(pool, n, i, person=lambda t: t.person))

    # loans: a contract's row repeated by the bank; the first one chosen is in arrears, so
    # counting it twice would move the overdue rate
    months = planting_months("loans")

    ends = {i: month_end(year, i) for i in months}
    outstanding = {i: [ln for ln in county.loans if ln.outstanding_at(ends[i])] for i in months}
    in_arrears = {
        i: [ln for ln in outstanding[i] if ln.overdue_at(i, ends[i])[0] > 0] for i in months
    }
    borrower = lambda ln: ln.borrower  # noqa: E731
    # A loan in arrears whose repeated row (below it) shows the arrears settled: counted
    # twice, or with the later row, it would move the overdue rate.
    i = rng.choice([i for i in months if in_arrears[i]])
    (loan,) = pl.pick(in_arrears[i], 1, i, person=borrower)
    add("loans", i, [loan])
    d.copy_values[("loans", i, id(loan))] = {
        "逾期金额": Decimal("0.00"),
        "逾期天数": 0,
        "是否风险补偿": False,
    }
    sizes = {i: len(outstanding[i]) for i in months}
    for i, n in pl.counts(RATES["loans_twice"], sizes.__getitem__, months).items():
        if n:
            add("loans", i, pl.pick(outstanding[i], n, i, person=borrower))


# --------------------------------------------------------------------------- roster


ROSTER_RATES = {
    "dates_swapped": 0.00003,  # U02
    "no_category": 0.00003,  # U04
    "cleared_no_date": 0.00002,  # U04
    "member_elsewhere": 0.00002,  # U05
    "second_head": 0.00002,  # U05
    "two_households": 0.00002,  # X21 (and U01)
}


def _wrong(pl: Planter, source: str, index: int, key: object, values: dict) -> None:
    pl.d.values.setdefault((source, index, id(key)), {}).update(values)


def _roster_cases(pl: Planter) -> None:
    """Within the roster: dates out of order (U02), a 监测户 without its category or a
    cleared risk without its date (U04), a member listed in another village or a second
    户主 (U05), a person listed in two households (X21, U01); and at least one 监测户
    identified late among the year's new entries (X13)."""
    county, rng = pl.county, pl.rng
    year = county.year
    months = planting_months("roster")
    size = lambda i: len(pl.present[i])  # noqa: E731

    def monitored(i: int, entered_elsewhere: bool = True) -> list[Person]:
        out = []
        for p in pl.present[i]:
            m = p.household.monitoring
            if p.household.kind_at(i) != "监测户" or m is None:
                continue
            if entered_elsewhere and month_start(year, i) <= m.entered <= month_end(year, i):
                continue  # a new entry of the month is X13's to judge
            out.append(p)
        return out

    for i, n in pl.counts(ROSTER_RATES["dates_swapped"], size, months).items():
        for p in pl.pick(monitored(i), n, i):
            m = p.household.monitoring
            _wrong(pl, "roster", i, p, {"风险发现日期": m.identified, "识别认定日期": m.found})
    for i, n in pl.counts(ROSTER_RATES["no_category"], size, months).items():
        for p in pl.pick(monitored(i, entered_elsewhere=False), n, i):
            _wrong(pl, "roster", i, p, {"监测对象类别": None})
    end = {i: month_end(year, i) for i in months}
    cleared = {
        i: [
            p
            for p in monitored(i, False)
            if p.household.monitoring.cleared is not None
            and p.household.monitoring.cleared <= end[i]
        ]
        for i in months
    }
    candidates = [i for i in months if cleared[i]]
    if candidates:
        for i, n in pl.counts(ROSTER_RATES["cleared_no_date"], size, candidates).items():
            for p in pl.pick(cleared[i], n, i):
                _wrong(pl, "roster", i, p, {"风险消除日期": None})

    members = {i: [p for p in pl.present[i] if p.relation != "户主"] for i in months}
    for i, n in pl.counts(ROSTER_RATES["member_elsewhere"], size, months).items():
        for p in pl.pick(members[i], n, i):
            village = rng.choice(
                [v for v in p.household.town.villages if v is not p.household.village]
            )
            _wrong(pl, "roster", i, p, {"镇（街道）": p.household.town, "行政村": village})
            for other in p.household.members:  # the household's other rows show the case
                pl.d.protected.add((other, i))
    for i, n in pl.counts(ROSTER_RATES["second_head"], size, months).items():
        for p in pl.pick([p for p in members[i] if p.relation in ("子女", "配偶")], n, i):
            _wrong(pl, "roster", i, p, {"与户主关系": "户主"})
            for other in p.household.members:
                pl.d.protected.add((other, i))

    households = [h for h in county.households if h.first_period == 0]
    for i, n in pl.counts(ROSTER_RATES["two_households"], size, months).items():
        for p in pl.pick(members[i], n, i):
            other = rng.choice(households)
            while other is p.household:
                other = rng.choice(households)
            pl.d.repeated.setdefault(("roster", i), []).append(p)
            pl.d.copy_values[("roster", i, id(p))] = {
                "户编号": other.hh_id,
                "镇（街道）": other.town,
                "行政村": other.village,
                "与户主关系": "其他",
            }
            for q in other.members:
                pl.d.protected.add((q, i))

    _late_identification(pl)


def _late_identification(pl: Planter) -> None:
    """X13 is natural (≈ 3 % of new 监测户 are identified or entered late); at small scales
    the year may show none: then one new household's clue was found 20 days before."""
    county, year = pl.county, pl.county.year
    new = []
    for hh in county.households:
        m = hh.monitoring
        if m is None:
            continue
        for i in planting_months("roster"):
            if (
                month_start(year, i) <= m.entered <= month_end(year, i)
                and hh.kind_at(i) == "监测户"
            ):
                new.append((hh, i))
    late = [
        hh
        for hh, _ in new
        if (hh.monitoring.identified - hh.monitoring.found).days > 15
        or (hh.monitoring.entered - hh.monitoring.identified).days > 10
    ]
    if late or not new:
        return
    hh, i = pl.rng.choice(new)
    hh.monitoring.found = hh.monitoring.identified - dt.timedelta(days=20)
    for p in hh.members:
        pl.protect(p, i)


# --------------------------------------------------------------------------- employment: X19

SUBSIDY_RATES = {"wrong_amount": 0.00004, "paid_again": 0.00004, "not_out_of_province": 0.00004}


def _subsidy_cases(pl: Planter) -> None:
    """The 500-yuan transport subsidy paid wrong (X19): another amount, a second payment in
    a later month, or paid to someone not working outside the province."""
    months = planting_months("employment")
    size = lambda i: len(pl.working[i])  # noqa: E731

    def out_of_province(p: Person, i: int) -> bool:
        return p.work[i] is not None and p.work[i].form == "省外务工"

    cases = (
        (
            "wrong_amount",
            lambda i: [p for p in pl.working[i] if p.subsidy_period == i],
            Decimal("300.00"),
        ),
        (
            "paid_again",
            lambda i: [
                p
                for p in pl.working[i]
                if p.subsidy_period is not None and p.subsidy_period < i and out_of_province(p, i)
            ],
            Decimal("500.00"),
        ),
        (
            "not_out_of_province",
            lambda i: [
                p for p in pl.working[i] if not out_of_province(p, i) and p.subsidy_period != i
            ],
            Decimal("500.00"),
        ),
    )
    for name, pool, amount in cases:
        able = [i for i in months if pool(i)]
        for i, n in pl.counts(SUBSIDY_RATES[name], size, able).items():
            for p in pl.pick(pool(i), n, i):
                _wrong(pl, "employment", i, p, {"跨省交通补助": amount})


# --------------------------------------------------------------------------- loans: U02, U03

LOAN_RATES = {
    "due_before_issue": 0.0003,
    "balance_above_amount": 0.0003,
    "overdue_above_balance": 0.0002,
}


def _loan_cases(pl: Planter) -> None:
    """The bank's typos: a 到期日期 not after the 放款日期 (U02), a 贷款余额 above the
    贷款金额 or a 逾期金额 above the 贷款余额 (U03)."""
    county = pl.county
    year = county.year
    months = planting_months("loans")
    ends = {i: month_end(year, i) for i in months}
    outstanding = {i: [ln for ln in county.loans if ln.outstanding_at(ends[i])] for i in months}
    size = lambda i: len(outstanding[i])  # noqa: E731
    borrower = lambda ln: ln.borrower  # noqa: E731
    for i, n in pl.counts(LOAN_RATES["due_before_issue"], size, months).items():
        for ln in pl.pick(outstanding[i], n, i, person=borrower):
            _wrong(pl, "loans", i, ln, {"到期日期": ln.issued})
    for i, n in pl.counts(LOAN_RATES["balance_above_amount"], size, months).items():
        for ln in pl.pick(outstanding[i], n, i, person=borrower):
            _wrong(pl, "loans", i, ln, {"贷款余额": ln.amount + Decimal("10000.00")})
    arrears = {i: [ln for ln in outstanding[i] if ln.overdue_at(i, ends[i])[0] > 0] for i in months}
    able = [i for i in months if arrears[i]]
    for i, n in pl.counts(LOAN_RATES["overdue_above_balance"], size, able).items():
        for ln in pl.pick(arrears[i], n, i, person=borrower):
            overdue, _days = ln.overdue_at(i, ends[i])
            _wrong(pl, "loans", i, ln, {"逾期金额": ln.balance + overdue})


# --------------------------------------------------------------------------- X08

RELOCATED_IDLE = 0.004  # of relocated households with labour, a month


def _relocated_idle(pl: Planter) -> None:
    """A relocated (易地搬迁) household whose workers all lost their jobs for a month
    (X08): the 人社 ledger and the system agree they are idle, and the household fails."""
    county = pl.county
    months = [
        i for i in planting_months("employment", "roster", "public_jobs") if i < N_PERIODS - 1
    ]

    def idle_able(i: int) -> list[Household]:
        out = []
        for hh in county.households:
            if not hh.relocated or not hh.present_at(i):
                continue
            workers = [p for p in hh.members if p.work[i] is not None]
            if workers and all(p.work[i].form != "公益性岗位" for p in workers):
                out.append(hh)
        return out

    sizes = {i: len(idle_able(i)) for i in months}
    for i, n in pl.counts(RELOCATED_IDLE, sizes.__getitem__, months).items():
        pool = [hh for hh in idle_able(i) if all((p, i) not in pl.used for p in hh.members)]
        for hh in pl.rng.sample(pool, min(n, len(pool))):
            for p in hh.members:
                pl.protect(p, i)
                p.work[i] = None
                p.system_work[i] = False
                if p.subsidy_period == i:
                    p.subsidy_period = None
