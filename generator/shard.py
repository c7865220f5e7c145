"""Which part of a sharded county-year a simulation is (``build.generate`` above
``SHARD_SCALE``).

A county-year at scale S > ``SHARD_SCALE`` is simulated as K = ⌈S ÷ SHARD_SCALE⌉ shards of
scale S ÷ K: each a population of its own in the same 179 villages, simulated by its own
process with its own random streams, and written as its part of every file. Shards never
meet: each issues ID numbers from its own block of order codes (the 3 digits after the birth
date) and writes its shard number into every key it makes (户编号, 贷款合同号, 结算单号,
项目编号). The sources keyed by places, not people — the testing points and their tests,
the water survey, the reported indicators (``ONCE_SOURCES``) — are simulated and written by
shard 0 alone: 210 testing points or one row per township and indicator are the county's,
whatever its population.

Unsharded (K = 1) every key, stream and order code is as it always was: the same seed gives
the same bytes as before sharding existed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Above this scale a county-year is sharded: a shard's process peaks at about 0.7 GiB per
# unit of scale (its people while it writes its files, then their facts for the truth), and
# one runs per core.
SHARD_SCALE = 2.5
# The sources whose rows are places (points, villages, townships): shard 0 writes them.
ONCE_SOURCES = frozenset({"water_points", "water_tests", "water_survey", "indicators"})
# ID order codes 001–998: odd for men, even for women, so 499 of each sex (``idcard``).
ORDER_CODES = 499
# Each shard needs enough order codes per birth date and sex (``population._IdIssuer``).
MIN_CODES_PER_SHARD = 12
MAX_SHARDS = ORDER_CODES // MIN_CODES_PER_SHARD


@dataclass(frozen=True)
class Shard:
    index: int = 0
    count: int = 1

    @property
    def tag(self) -> str:
        """Written into every key the shard makes: nothing when unsharded."""
        return "" if self.count == 1 else f"{self.index:02d}"

    def stream_key(self, scale: float) -> str:
        """The part of every random stream's name that names the county-year's size (and
        the shard): ``scale`` is the whole county-year's."""
        return f"{scale}" if self.count == 1 else f"{scale}/shard{self.index}of{self.count}"

    @property
    def order_codes(self) -> tuple[int, int]:
        """[low, high) of the halved order codes this shard draws from (1–499 unsharded)."""
        size = ORDER_CODES // self.count
        low = 1 + self.index * size
        return low, low + size

    @property
    def writes_once_sources(self) -> bool:
        return self.index == 0


def shard_count(scale: float, shard_scale: float = SHARD_SCALE) -> int:
    """How many shards a county-year of ``scale`` is simulated in."""
    count = max(1, math.ceil(round(scale / shard_scale, 9)))
    if count > MAX_SHARDS:
        raise ValueError(
            f"scale {scale} needs {count} shards of {shard_scale}: at most {MAX_SHARDS} "
            "(each shard needs its own ID order codes)"
        )
    return count
