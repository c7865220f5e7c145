"""The county's townships and villages (reference/gazetteer.csv), and name → code lookup.

Villages are keyed by code: names repeat across townships, so a village name is only ever
looked up within its row's township.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache

from etl.settings import GAZETTEER_FILE

COUNTY_WORD = "全县"


def fold(text: str) -> str:
    """NFKC-fold and drop every whitespace character: how names are compared."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    town_code: str
    kind: str
    registered_households: int


@dataclass(frozen=True)
class Town:
    code: str
    name: str


class Gazetteer:
    def __init__(self, rows: list[dict]):
        self.towns: dict[str, Town] = {}
        self.villages: dict[str, Village] = {}
        for r in rows:
            self.towns.setdefault(r["town_code"], Town(r["town_code"], r["town_name"]))
            self.villages[r["village_code"]] = Village(
                r["village_code"],
                r["village_name"],
                r["town_code"],
                r["village_kind"],
                int(r["registered_households"]),
            )
        self.town_lookup = self._town_lookup()
        self.village_lookup = self._village_lookup()

    def _town_lookup(self) -> dict[str, str]:
        """Every accepted spelling of a township → its code: name, short form, code."""
        lookup = {}
        for t in self.towns.values():
            short = t.name.removesuffix("街道").removesuffix("镇")
            for key in (t.name, short, t.code):
                lookup[fold(key)] = t.code
        return lookup

    def _village_lookup(self) -> dict[str, str]:
        """`town_code|spelling` → village code; a missing or extra 村 resolves both ways."""
        lookup = {}
        for v in self.villages.values():
            bare = v.name.removesuffix("村")
            for key in (v.name, bare, bare + "村", v.code):
                lookup[f"{v.town_code}|{fold(key)}"] = v.code
        return lookup

    def villages_of(self, town_code: str) -> list[Village]:
        return [v for v in self.villages.values() if v.town_code == town_code]


@cache
def gazetteer() -> Gazetteer:
    with GAZETTEER_FILE.open(encoding="utf-8", newline="") as f:
        return Gazetteer(list(csv.DictReader(f)))
