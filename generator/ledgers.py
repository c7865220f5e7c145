"""Each source's ledger for a month, as clean canonical rows.

A ledger row is what the department *means* to report: the values the loader should end
up with once it has normalised every spelling. ``compose.py`` turns these rows into the
messy cells of a file (and breaks a few of them on purpose); the truth about what loads
is "these rows, minus the quarantined ones".

Values are typed: ``Township`` / ``Village`` objects for places, ``datetime.date`` for
dates and months (first of the month), ``Decimal`` for money, ``bool`` for yes/no, ``int``
for integers, ``str`` otherwise, ``None`` for an empty cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from .population import (
    FIRST_MONTH,
    RELATION_ORDER,
    County,
    Loan,
    Person,
    month_end,
)


@dataclass(eq=False, slots=True)
class Record:
    values: dict[str, object]
    person: Person  # whose row it is (the borrower for a loan)
    loan: Loan | None = None
    protected: bool = False  # shows a planted case (defects.py): no random bad cell
    fault: str | None = None  # a bad cell this row must carry (reason), whatever the file


def _protect(county: County, rows: list[Record], index: int) -> list[Record]:
    protected = county.defects.protected
    if protected:
        for r in rows:
            r.protected = (r.person, index) in protected
    return rows


def _repeat(county: County, source: str, index: int, rows: list[Record], key) -> list[Record]:
    """Rows listed twice (``defects.py``): the copy right below the original (or above)."""
    wanted = county.defects.repeated.get((source, index))
    if not wanted:
        return rows
    d = county.defects
    twice = {id(k) for k in wanted}
    out = []
    for r in rows:
        k = key(r)
        if id(k) not in twice:
            out.append(r)
            continue
        which = (source, index, id(k))
        faulty = which in d.faulty_copy
        copy = Record(
            {**r.values, **d.copy_values.get(which, {})},
            r.person,
            r.loan,
            protected=not faulty,
            fault="missing_required" if faulty else None,
        )
        out += [copy, r] if which in d.copy_first else [r, copy]
    return out


def _place(p: Person) -> dict[str, object]:
    hh = p.household
    return {"姓名": p.name, "身份证号": p.id_number, "镇（街道）": hh.town, "行政村": hh.village}


def roster(county: County, index: int) -> list[Record]:
    end = month_end(county.year, index)
    says = county.defects.status
    rows = []
    for hh in county.households:  # sorted by 户编号, which starts with the village code
        if not hh.present_at(index):
            continue
        kind = hh.kind_at(index)
        m = hh.monitoring if kind == "监测户" else None
        cleared = m is not None and m.cleared is not None and m.cleared <= end
        for p in sorted(hh.members, key=lambda p: (RELATION_ORDER[p.relation], p.birth)):
            if p.system_work[index]:
                status = "务工"
            else:  # the system leaves the field empty for people who cannot work
                status = None if p.ability == "无劳动能力" else "未务工"
            if (p, index) in says:
                status = says[(p, index)]
            values = {
                "户编号": hh.hh_id,
                **_place(p),
                "与户主关系": p.relation,
                "户类型": kind,
                "监测对象类别": m.category if m else None,
                "主要风险类型": m.risk if m else None,
                "风险发现日期": m.found if m else None,
                "识别认定日期": m.identified if m else None,
                "系统录入日期": m.entered if m else None,
                "风险消除状态": ("已消除" if cleared else "未消除") if m else None,
                "风险消除日期": m.cleared if cleared else None,
                "劳动能力": p.ability,
                "是否易地搬迁": hh.relocated,
                "务工状态": status,
                "上年家庭人均纯收入": hh.income_prev,
            }
            rows.append(Record(values, p))
    _protect(county, rows, index)
    return _repeat(county, "roster", index, rows, lambda r: r.person)


SUBSIDY = Decimal("500.00")  # 跨省交通补助, once a year for 省外务工


def employment(county: County, index: int) -> list[Record]:
    rows = []
    moved = county.defects.moved
    for hh in [*county.households, *county.defects.outsiders]:
        for p in hh.members:
            spell = p.work[index]
            if spell is None:
                continue
            place = _place(p)
            if (p, index) in moved:  # the 人社 ledger knows another village
                village = moved[(p, index)]
                place["镇（街道）"] = county.gazetteer.town_of(village)
                place["行政村"] = village
            values = {
                **place,
                "户类型": hh.kind_at(index),
                "就业形式": spell.form,
                "务工地点": spell.place,
                "务工单位": spell.employer or None,
                "务工起始月份": spell.started,
                "月收入": spell.income,
                "跨省交通补助": SUBSIDY if p.subsidy_period == index else None,
                "报送日期": county.report_day[(hh.town.code, index)],
            }
            rows.append(Record(values, p))
    rows.sort(key=lambda r: (r.person.household.hh_id, RELATION_ORDER[r.person.relation]))
    _protect(county, rows, index)
    return _repeat(county, "employment", index, rows, lambda r: r.person)


def training(county: County, index: int) -> list[Record]:
    rows = []
    trainee = {}
    for t in county.trainees:
        if t.course.period != index:
            continue
        values = {
            **_place(t.person),
            "户类型": t.person.household.kind_at(index),
            "培训项目": t.course.project,
            "培训工种": t.course.trade,
            "培训方式": t.course.mode,
            "开班日期": t.course.start,
            "结业日期": t.course.end,
            "是否结业": t.completed,
            "是否取证": t.certified,
        }
        rows.append(Record(values, t.person))
        trainee[id(rows[-1])] = t
    _protect(county, rows, index)
    return _repeat(county, "training", index, rows, lambda r: trainee[id(r)])


def _interest_subsidy(loan: Loan, end: dt.date) -> Decimal | None:
    """贴息金额 so far this year: 4.35 % a year on the balance, none once overdue."""
    if loan.defaulted and loan.due < end:
        return None
    since = max(loan.issued, dt.date(end.year, 1, 1))
    months = (end.year - since.year) * 12 + end.month - since.month + 1
    return (loan.balance * Decimal("0.0435") * months / 12).quantize(Decimal("0.01"))


def loans(county: County, index: int) -> list[Record]:
    end = month_end(county.year, index)
    rows = []
    for loan in county.loans:
        if not loan.outstanding_at(end):
            continue
        overdue, days = loan.overdue_at(index, end)
        p = loan.borrower
        values = {
            "贷款合同号": loan.contract,
            "借款人姓名": p.name,
            "身份证号": p.id_number,
            "镇（街道）": loan.household.town,
            "行政村": loan.household.village,
            "户类型": loan.household.kind_at(index),
            "放款银行": loan.bank,
            "放款日期": loan.issued,
            "到期日期": loan.due,
            "贷款金额": loan.amount,
            "贷款余额": loan.balance,
            "逾期金额": overdue,
            "逾期天数": days,
            "贴息金额": _interest_subsidy(loan, end),
            # Compensation (风险补偿) is claimed once a loan is more than 90 days overdue.
            "是否风险补偿": loan.compensated and days > 90,
        }
        rows.append(Record(values, p, loan))
    rows.sort(key=lambda r: (r.loan.household.village.code, r.loan.contract))
    _protect(county, rows, index)
    return _repeat(county, "loans", index, rows, lambda r: r.loan)


def row_count(county: County, source: str, index: int) -> int:
    """``len(records(...))`` without building the rows (used to plan the files)."""
    twice = len(county.defects.repeated.get((source, index), ()))
    if source == "roster":
        return twice + sum(len(h.members) for h in county.households if h.present_at(index))
    if source == "employment":
        outsiders = [p for h in county.defects.outsiders for p in h.members]
        return twice + sum(1 for p in [*county.persons, *outsiders] if p.work[index] is not None)
    if source == "training":
        return twice + sum(1 for t in county.trainees if t.course.period == index)
    end = month_end(county.year, index)
    return twice + sum(1 for loan in county.loans if loan.outstanding_at(end))


LEDGERS: dict[str, Callable[[County, int], list[Record]]] = {
    "roster": roster,
    "employment": employment,
    "training": training,
    "loans": loans,
}


def records(county: County, source: str, index: int) -> list[Record]:
    return LEDGERS[source](county, index)


def month_of(year: int, index: int) -> int:
    return FIRST_MONTH + index
