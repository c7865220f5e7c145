"""The sources, as declared in `sources.toml`: what each department sends.

A new ledger is a new `[sources.<name>]` table there (and its tests), not new code here.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SOURCES_FILE = Path(__file__).with_name("sources.toml")

COLUMN_TYPES = {
    "text",
    "id_number",
    "name",
    "town",
    "village",
    "date",
    "month",
    "money",
    "integer",
    "number",
    "yes_no",
    "code",
    "year",
}
# Columns every source may carry: they name the period, or number the rows.
PERIOD_HEADERS = ("统计月份", "统计期")
ROW_NUMBER_HEADER = "序号"
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def normalise_header(text: str) -> str:
    """The form headers are compared in: NFKC, no whitespace, no required-marker, no unit.

    `贷款金额（元）`, ` 贷款\\n金额 `, `＊贷款金额` all become `贷款金额`.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(folded.split())
    folded = folded.lstrip("*✱")
    base, _unit = split_unit(folded)
    return base


def split_unit(folded: str) -> tuple[str, str | None]:
    """Split a trailing `(元)` / `(万元)` off an NFKC-folded, whitespace-free header."""
    for unit in ("万元", "元"):
        suffix = f"({unit})"
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return folded[: -len(suffix)], unit
    return folded, None


def header_unit(text: str) -> str | None:
    """The unit a header cell states, if any (`贷款金额（万元）` → `万元`)."""
    folded = "".join(unicodedata.normalize("NFKC", text).split()).lstrip("*✱")
    return split_unit(folded)[1]


@dataclass(frozen=True)
class Column:
    field: str
    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    unit: str = "元"
    min: int | None = None
    county_allowed: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header that names this column, normalised."""
        return tuple(dict.fromkeys(normalise_header(h) for h in (self.name, *self.aliases)))


@dataclass(frozen=True)
class NilReport:
    """A row saying 'nothing to report' (housing_monitor): loaded, not quarantined."""

    marker_field: str
    marker: str
    empty_fields: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    department: str
    frequency: str  # monthly | quarterly | yearly
    kind: str  # snapshot | events
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    nil_report: NilReport | None = None
    entity_field: str | None = None

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def table(self) -> str:
        """The warehouse table holding this source's loaded rows."""
        return f"ledger_{self.name}"


def _column(spec: dict, common: dict, code_lists: dict) -> Column:
    base = dict(common.get(spec["field"], {}))
    aliases = tuple(base.get("aliases", ())) + tuple(spec.get("aliases", ()))
    merged = {**base, **spec}
    values = merged.get("values", ())
    if "values_from" in merged:
        values = code_lists[merged["values_from"]]
    column = Column(
        field=merged["field"],
        name=merged["name"],
        type=merged["type"],
        required=bool(merged.get("required", False)),
        aliases=aliases,
        values=tuple(unicodedata.normalize("NFKC", v) for v in values),
        unit=merged.get("unit", "元"),
        min=merged.get("min"),
        county_allowed=bool(merged.get("county_allowed", False)),
    )
    if column.type not in COLUMN_TYPES:
        raise ValueError(f"{column.field}: unknown column type {column.type!r}")
    if column.type == "code" and not column.values:
        raise ValueError(f"{column.field}: a code column needs its values")
    return column


def _code_lists() -> dict[str, tuple[str, ...]]:
    # The indicators extract's 指标编码 are the indicators marked "reported" in the
    # year's targets; imported here so the two can never disagree.
    from etl.targets import reported_kpi_codes

    return {"reported_kpis": reported_kpi_codes()}


@cache
def sources() -> dict[str, Source]:
    """Every declared source by name, in declaration order."""
    raw = tomllib.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    common = raw["common"]
    for fld, spec in common.items():
        spec["field"] = fld
    code_lists = _code_lists()
    result = {}
    for name, spec in raw["sources"].items():
        nil = spec.get("nil_report")
        source = Source(
            name=name,
            title=spec["title"],
            department=spec["department"],
            frequency=spec["frequency"],
            kind=spec["kind"],
            key=tuple(spec["key"]),
            columns=tuple(_column(c, common, code_lists) for c in spec["columns"]),
            nil_report=NilReport(nil["marker_field"], nil["marker"], tuple(nil["empty_fields"]))
            if nil
            else None,
            entity_field=spec.get("entity_field"),
        )
        fields = [c.field for c in source.columns]
        # Source and field names become table and column names in SQL: identifiers only.
        for identifier in (name, *fields):
            if not IDENTIFIER.fullmatch(identifier):
                raise ValueError(f"{name}: {identifier!r} is not a plain lower-case identifier")
        if len(set(fields)) != len(fields):
            raise ValueError(f"{name}: a field is declared twice")
        if not set(source.key) <= set(fields):
            raise ValueError(f"{name}: key {source.key} names an undeclared field")
        result[name] = source
    return result


def source(name: str) -> Source:
    return sources()[name]
