"""Loader benchmark: `load` on the demo county beside the floor (polars read + DuckDB insert)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.__main__ import timed


def report(county: Path, scale: float) -> dict:
    floor = timed("bench.floor", str(county))
    with tempfile.TemporaryDirectory() as scratch:
        load = timed("bench.loadtime", str(county), str(Path(scratch) / "xunyi.duckdb"))
    ratio = load["seconds"] / floor["seconds"]
    print(f"\nloader, demo county ×{scale:g} ({int(load['rows']):,} rows read from the inbox)")
    print(f"  {'':28}{'seconds':>10}{'rows/s':>12}{'peak MiB':>10}")
    for name, f in (("floor: polars read + insert", floor), ("load (the contract's work)", load)):
        print(
            f"  {name:28}{f['seconds']:>10.2f}{load['rows'] / f['seconds']:>12,.0f}{f['peak_rss_kib'] / 1024:>10,.0f}"
        )
    print(f"  ratio load / floor: {ratio:.2f}× (aim ≤ 1.5×)")
    return {"floor": floor, "load": load, "ratio": ratio}
