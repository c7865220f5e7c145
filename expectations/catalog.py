"""The checks, as declared in `checks.toml` (one place: id, severity, rule, ledgers, SQL)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CHECKS_FILE = Path(__file__).with_name("checks.toml")
# The relations a check may take its months from: its pairs of this validation, every
# evaluated month (the check_<id> views).
SCOPES = ("check_pairs", "core_months")
CHECK_ID = re.compile(r"[UX]\d{2}")
LOOKBACKS = ("month", "year_to_date", "year_end")


@dataclass(frozen=True)
class Check:
    id: str
    severity: str  # error | warning
    title: str
    rule: str  # plain Chinese
    requires: tuple[str, ...]  # every one must have data for the month
    requires_any: tuple[str, ...]  # at least one must
    department: str
    entity: str
    sql: str  # path under warehouse/
    # A completeness check (X16–X18): the ledger whose missing file is itself the failure,
    # once the month has ended (before that, a missing file leaves it not evaluated).
    completeness: str | None = None
    # Evaluated from the first month this setting lists on (X17: the survey's rounds).
    from_setting: str | None = None
    # Which months of its ledgers a month's result reads: its own (month), every month of
    # the year so far (year_to_date: X11, X17, X19), or so in the year's last month only
    # (year_end: X16's analyses). Quarterly and yearly ledgers: the period the month sees.
    lookback: str = "month"
    # Settings naming months whose end changes the result (X10's deadlines).
    deadlines: tuple[str, ...] = ()

    @property
    def ledgers(self) -> tuple[str, ...]:
        extra = (self.completeness,) if self.completeness else ()
        return tuple(dict.fromkeys(self.requires + self.requires_any + extra))

    @property
    def view(self) -> str:
        """The warehouse view holding this check's failing rows."""
        return f"check_{self.id.lower()}"

    def scoped(self, months_relation: str) -> str:
        """The check's SQL over the months of `months_relation`: every evaluated month
        (`core_months`, the check_<id> views), or the months `validate` evaluates this check
        for (`check_pairs`). Every check reads the months it checks from a relation named
        `check_scope`.
        """
        if months_relation not in SCOPES:
            raise ValueError(f"not a months relation: {months_relation!r}")
        if months_relation == "core_months":
            scope = "SELECT period FROM core_months"
        else:  # the check's pairs (its id is a declared, checked identifier)
            scope = f"SELECT period FROM check_pairs WHERE check_id = '{self.id}'"
        return f"WITH check_scope AS ({scope})\nSELECT * FROM (\n{self.sql_source()}\n) AS failing"

    def sql_source(self) -> str:
        from etl.warehouse import sql_text

        return sql_text(self.sql)

    def evaluated(self, ledgers_with_data: set[str]) -> bool:
        """Whether a month with data for `ledgers_with_data` is evaluated, as far as its
        ledgers decide (`unevaluated` adds the clock and the first month)."""
        return self.unevaluated(ledgers_with_data, "", ended=True, first=None) is None

    def unevaluated(
        self, present: set[str], month: str, ended: bool, first: str | None
    ) -> str | None:
        """Why `month` is not evaluated — `missing` (a ledger it needs has no data),
        `not_ended` (a completeness check's file is missing and its month has not ended),
        `before_first` (before the first month of `from_setting`) — or None."""
        if first is not None and month < first:
            return "before_first"
        if not set(self.requires) <= present:
            return "missing"
        if self.requires_any and not set(self.requires_any) & present:
            return "missing"
        if self.completeness and self.completeness not in present and not ended:
            return "not_ended"
        return None


@cache
def checks() -> tuple[Check, ...]:
    raw = tomllib.loads(CHECKS_FILE.read_text(encoding="utf-8"))
    result = []
    for spec in raw["check"]:
        check = Check(
            id=spec["id"],
            severity=spec["severity"],
            title=spec["title"],
            rule=spec["rule"],
            requires=tuple(spec.get("requires", ())),
            requires_any=tuple(spec.get("requires_any", ())),
            department=spec["department"],
            entity=spec["entity"],
            sql=spec["sql"],
            completeness=spec.get("completeness"),
            from_setting=spec.get("from_setting"),
            lookback=spec.get("lookback", "month"),
            deadlines=tuple(spec.get("deadlines", ())),
        )
        if not CHECK_ID.fullmatch(check.id):
            raise ValueError(f"{check.id!r}: a check id is U or X and two digits")
        if check.severity not in ("error", "warning"):
            raise ValueError(f"{check.id}: severity must be error or warning")
        if check.lookback not in LOOKBACKS:
            raise ValueError(f"{check.id}: lookback must be one of {LOOKBACKS}")
        result.append(check)
    return tuple(result)
