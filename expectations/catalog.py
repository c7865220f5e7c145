"""The checks, as declared in `checks.toml` (one place: id, severity, rule, ledgers, SQL)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CHECKS_FILE = Path(__file__).with_name("checks.toml")
# The relations a check may take its months from: great-expectations' monthly batch, the
# months `validate` runs on, every evaluated month (the check_<id> views).
SCOPES = ("{batch}", "check_months", "core_months")


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

    @property
    def ledgers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.requires + self.requires_any))

    @property
    def view(self) -> str:
        """The warehouse view holding this check's failing rows."""
        return f"check_{self.id.lower()}"

    def scoped(self, months_relation: str) -> str:
        """The check's SQL over the months of `months_relation` (a table, or GX's `{batch}`).

        Every check reads the months it checks from a relation named `check_scope`: the same
        SQL text runs per month under great-expectations and over all months directly.
        """
        from etl.warehouse import sql_text

        if months_relation not in SCOPES:
            raise ValueError(f"not a months relation: {months_relation!r}")
        return (
            f"WITH check_scope AS (SELECT period FROM {months_relation})\n"
            f"SELECT * FROM (\n{sql_text(self.sql)}\n) AS failing"
        )

    def evaluated(self, ledgers_with_data: set[str]) -> bool:
        """Whether a month with data for `ledgers_with_data` is evaluated (else not_evaluated)."""
        if not set(self.requires) <= ledgers_with_data:
            return False
        return not self.requires_any or bool(set(self.requires_any) & ledgers_with_data)


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
        )
        if check.severity not in ("error", "warning"):
            raise ValueError(f"{check.id}: severity must be error or warning")
        result.append(check)
    return tuple(result)
