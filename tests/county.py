"""A hand-made miniature county: a few people, their ledgers, month by month.

Tests describe people and what each ledger says about them; this writes the real files
(one small .xlsx per ledger and month) into an inbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from files import BASE_ROWS, make_id, write_xlsx

# Places used below (codes from the gazetteer).
TUQIAO = ("土桥镇", "程家咀村")  # 610429101 / 610429101201
TUQIAO_2 = ("土桥镇", "新峁村")  # 610429101 / 610429101202
CHENGGUAN = ("城关街道", "邓家沟")  # 610429001 / 610429001207
DIMIAO = ("底庙镇", "店子河村")  # 610429107 / 610429107201


@dataclass
class Person:
    name: str
    id_number: str
    place: tuple[str, str] = TUQIAO
    household: str = "6104291012010001"
    relation: str = "户主"
    household_type: str = "脱贫户"


def person(n: int, place=TUQIAO, **kw) -> Person:
    return Person(
        name=f"测试{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{n}",
        id_number=make_id("19800101", f"{n:03d}"),
        place=place,
        household=f"61042910120100{n:02d}",
        **kw,
    )


@dataclass
class Month:
    """What each ledger holds in one month; None: no file for that ledger."""

    period: str
    roster: list[tuple[Person, str]] | None = None  # (person, 务工状态)
    employment: list[tuple[Person, tuple[str, str]]] | None = None  # (person, place written)
    training: list[tuple[Person, bool]] | None = None  # (person, 是否结业)
    loans: list[tuple[str, Person, int, int]] | None = None  # (合同号, person, 余额, 逾期金额)
    extra: dict = field(default_factory=dict)


def write_month(inbox: Path, month: Month) -> None:
    p = month.period
    if month.roster is not None:
        rows = [
            {
                "户编号": who.household,
                "姓名": who.name,
                "身份证号": who.id_number,
                "镇（街道）": who.place[0],
                "行政村": who.place[1],
                "与户主关系": who.relation,
                "户类型": who.household_type,
                "务工状态": status,
            }
            for who, status in month.roster
        ]
        _write(inbox / "roster" / f"roster_{p}.xlsx", "roster", rows)
    if month.employment is not None:
        rows = [
            {
                "序号": i,
                "姓名": who.name,
                "身份证号": who.id_number,
                "镇（街道）": place[0],
                "行政村": place[1],
                "户类型": who.household_type,
            }
            for i, (who, place) in enumerate(month.employment, start=1)
        ]
        _write(inbox / "employment" / f"employment_{p}.xlsx", "employment", rows)
    if month.training is not None:
        rows = [
            {
                "姓名": who.name,
                "身份证号": who.id_number,
                "镇（街道）": who.place[0],
                "行政村": who.place[1],
                "户类型": who.household_type,
                "是否结业": "是" if done else "否",
                "培训项目": f"培训班{i}",
                "开班日期": f"{p}-02",
                "结业日期": f"{p}-10",
            }
            for i, (who, done) in enumerate(month.training, start=1)
        ]
        _write(inbox / "training" / f"training_{p}.xlsx", "training", rows)
    if month.loans is not None:
        rows = [
            {
                "贷款合同号": contract,
                "借款人姓名": who.name,
                "身份证号": who.id_number,
                "镇（街道）": who.place[0],
                "行政村": who.place[1],
                "户类型": who.household_type,
                "贷款余额（元）": str(balance),
                "逾期金额（元）": str(overdue),
                "贷款金额（元）": str(max(balance, 50000)),
            }
            for contract, who, balance, overdue in month.loans
        ]
        _write(inbox / "loans" / f"loans_{p}.xlsx", "loans", rows)


def _write(path: Path, source: str, rows: list[dict]) -> None:
    header = list(BASE_ROWS[source])
    body = []
    for changes in rows:
        row = dict(BASE_ROWS[source])
        row.update(changes)
        body.append([row[h] for h in header])
    write_xlsx(path, [header, *body])


def write_county(inbox: Path, months: list[Month]) -> None:
    for month in months:
        write_month(inbox, month)
