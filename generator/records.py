"""A ledger row as the department means it, and the helpers every ledger builds rows with.

A ledger row is what the department *means* to report: the values the loader should end
up with once it has normalised every spelling. ``compose.py`` turns these rows into the
messy cells of a file (and breaks a few of them on purpose); the truth about what loads
is "these rows, minus the quarantined ones".

Values are keyed by the contract's Chinese column name and typed: ``Township`` /
``Village`` objects for places (``gazetteer.COUNTY`` for 全县), ``datetime.date`` for dates
and months (first of the month), ``Decimal`` for money in the column's declared unit,
``bool`` for yes/no, ``int`` for integers and years, ``Decimal`` for numbers, ``str``
otherwise, ``None`` for an empty cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .population import County, Loan, Person


@dataclass(eq=False, slots=True)
class Record:
    values: dict[str, object]
    person: Person | None  # whose row it is (the borrower for a loan; None: no person)
    loan: Loan | None = None
    protected: bool = False  # shows a planted case (defects): no random bad cell
    fault: str | None = None  # a bad cell this row must carry (reason), whatever the file
    subject: object = None  # what the row is about when it is not a person (point, project)


def person_place(p: Person) -> dict[str, object]:
    hh = p.household
    return {"姓名": p.name, "身份证号": p.id_number, "镇（街道）": hh.town, "行政村": hh.village}


def protect(county: County, rows: list[Record], index: int) -> list[Record]:
    """Mark the rows showing a planted case this month (no random bad cell on them)."""
    protected = county.defects.protected
    if protected:
        for r in rows:
            if not r.protected:
                r.protected = (r.person, index) in protected or (r.subject, index) in protected
    return rows


def amend(county: County, source: str, index: int, rows: list[Record], key) -> list[Record]:
    """Rows whose values a clerk got wrong this month (defects): those values replaced."""
    changes = county.defects.values
    if changes:
        for r in rows:
            wrong = changes.get((source, index, id(key(r))))
            if wrong:
                r.values.update(wrong)
    return rows


def repeat(county: County, source: str, index: int, rows: list[Record], key) -> list[Record]:
    """Rows listed twice (defects): the copy right below the original (or above)."""
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
            subject=r.subject,
        )
        out += [copy, r] if which in d.copy_first else [r, copy]
    return out
