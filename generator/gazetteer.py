"""The county's townships and villages, read from the project's reference gazetteer.

The generator places every household in a real village of ``etl/reference/gazetteer.csv``
(a data file, not code: the generator imports nothing from ``etl``). Besides the plain
lists it offers what the writers need to be messy *correctly*: the spellings of a village
that still resolve within its township (with or without the trailing 村), and villages of
other townships that cannot resolve in a given one (for ``village_not_in_town`` faults).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

GAZETTEER_PATH = Path(__file__).resolve().parent.parent / "etl" / "reference" / "gazetteer.csv"
COUNTY_CODE = "610429"


@dataclass(frozen=True)
class Village:
    code: str  # 12 digits, text
    name: str
    kind: str  # 村 or 社区
    town_code: str
    registered_households: int


@dataclass
class Township:
    code: str  # 9 digits, text
    name: str
    villages: list[Village] = field(default_factory=list)

    @property
    def short(self) -> str:
        """The form clerks write: 土桥 for 土桥镇, 城关 for 城关街道."""
        for suffix in ("街道", "镇"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


# A township cell that says 全县 (projects, indicators): the county itself, stored as its code.
COUNTY = Township(COUNTY_CODE, "全县")


class Gazetteer:
    def __init__(self, townships: list[Township]):
        self.townships = townships
        self.town_by_code = {t.code: t for t in townships}
        self.villages = [v for t in townships for v in t.villages]
        self.village_by_code = {v.code: v for v in self.villages}

    def town_of(self, village: Village) -> Township:
        return self.town_by_code[village.town_code]

    @staticmethod
    def _variants(name: str) -> set[str]:
        return {name, name[:-1]} if name.endswith("村") else {name, name + "村"}

    def resolving_names(self, town: Township) -> set[str]:
        """Every spelling that resolves to some village of ``town`` (name ± 村)."""
        names: set[str] = set()
        for v in town.villages:
            names |= self._variants(v.name)
        return names

    def alternate_spelling(self, village: Village) -> str | None:
        """The village's name with the trailing 村 dropped or added, if that is still
        unambiguous inside its township (communities, 社区, are never respelt)."""
        if village.kind != "村":
            return None
        other = village.name[:-1] if village.name.endswith("村") else village.name + "村"
        for v in self.town_of(village).villages:
            if v is not village and other in self._variants(v.name):
                return None
        return other

    def foreign_villages(self, town: Township) -> list[Village]:
        """Villages of other townships whose every spelling fails to resolve in ``town``."""
        taken = self.resolving_names(town)
        return [
            v
            for v in self.villages
            if v.town_code != town.code and not (self._variants(v.name) & taken)
        ]


def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    townships: dict[str, Township] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            town = townships.setdefault(
                row["town_code"], Township(row["town_code"], row["town_name"])
            )
            town.villages.append(
                Village(
                    code=row["village_code"],
                    name=row["village_name"],
                    kind=row["village_kind"],
                    town_code=row["town_code"],
                    registered_households=int(row["registered_households"]),
                )
            )
    return Gazetteer(list(townships.values()))
