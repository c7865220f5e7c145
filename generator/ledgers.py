"""Each source's ledger for a month, as clean canonical rows (``records.Record``).

The person ledgers of the roster's population live here; the other domains' ledgers in
their own modules, registered in ``LEDGERS`` below. A ledger function takes the county and
a month index (the month whose state the file shows, ``schedule.FilePeriod.index``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from .population import (
    RELATION_ORDER,
    County,
    Loan,
    month_end,
)
from .records import Record, amend, person_place, protect, repeat
from .sources import SOURCES
from .world import DOMAINS


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
            if not p.alive_at(index):
                continue
            if p.system_work[index]:
                status = "务工"
            else:  # the system leaves the field empty for people who cannot work
                status = None if p.ability == "无劳动能力" else "未务工"
            if (p, index) in says:
                status = says[(p, index)]
            values = {
                "户编号": hh.hh_id,
                **person_place(p),
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
    amend(county, "roster", index, rows, lambda r: r.person)
    protect(county, rows, index)
    return repeat(county, "roster", index, rows, lambda r: r.person)


SUBSIDY = Decimal("500.00")  # 跨省交通补助, once a year for 省外务工


def employment(county: County, index: int) -> list[Record]:
    rows = []
    moved = county.defects.moved
    for hh in [*county.households, *county.defects.outsiders]:
        for p in hh.members:
            spell = p.work[index]
            if spell is None:
                continue
            place = person_place(p)
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
    amend(county, "employment", index, rows, lambda r: r.person)
    protect(county, rows, index)
    return repeat(county, "employment", index, rows, lambda r: r.person)


def training(county: County, index: int) -> list[Record]:
    rows = []
    trainee = {}
    for t in county.trainees:
        if t.course.period != index:
            continue
        values = {
            **person_place(t.person),
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
    protect(county, rows, index)
    return repeat(county, "training", index, rows, lambda r: trainee[id(r)])


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
    amend(county, "loans", index, rows, lambda r: r.loan)
    protect(county, rows, index)
    return repeat(county, "loans", index, rows, lambda r: r.loan)


LEDGERS: dict[str, Callable[[County, int], list[Record]]] = {
    "roster": roster,
    "employment": employment,
    "training": training,
    "loans": loans,
}
for _domain in DOMAINS:
    LEDGERS.update(_domain.LEDGERS)
# Sources whose domain is not simulated yet send files with no data rows.
for _source in SOURCES:
    LEDGERS.setdefault(_source, lambda county, index: [])


def records(county: County, source: str, index: int) -> list[Record]:
    return LEDGERS[source](county, index)


def row_count(county: County, source: str, index: int) -> int:
    """How many rows the ledger has (used to plan the files)."""
    return len(records(county, source, index))
