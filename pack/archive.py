"""What was presented is kept: every pack made, with the figures it showed.

Beside the warehouse `xunyi.duckdb`, in `xunyi.packs/<YYYY-MM>/<made at>/`: `figures.json`
(every figure of the pack and the circulars, pack/figures.py) and the files made from them.
A pack's folder is written under a temporary name and renamed into place, so a reader finds
a whole pack or none. Nothing is ever overwritten: a pack made again is a new folder.

"The pack presented at a meeting" is the last one made for that month (the one the office
finished before the meeting); `presented()` returns its figures.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import shutil
from pathlib import Path

ARCHIVE_SUFFIX = ".packs"
FIGURES = "figures.json"


def archive_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.stem + ARCHIVE_SUFFIX)


def _stamp(made_at: str) -> str:
    """A folder name that sorts as the time it was made: 20240902T101500.123456."""
    return dt.datetime.fromisoformat(made_at).strftime("%Y%m%dT%H%M%S.%f")


def save(warehouse: Path, figures: dict, files: dict[str, bytes]) -> Path:
    """Keep a pack: its figures and its files. Returns the pack's folder."""
    month_dir = archive_dir(warehouse) / figures["month"]
    month_dir.mkdir(parents=True, exist_ok=True)
    name = _stamp(figures["made_at"])
    target, n = month_dir / name, 1
    while target.exists():  # two packs in the same microsecond: keep both
        target, n = month_dir / f"{name}-{n}", n + 1
    partial = month_dir / f".{target.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    for file_name, content in {**files, FIGURES: _json(figures)}.items():
        with open(partial / file_name, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
    os.replace(partial, target)
    return target


def _json(figures: dict) -> bytes:
    return json.dumps(figures, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def packs(warehouse: Path, month: str | None = None) -> list[Path]:
    """Every archived pack's folder (of `month`, or of every month), oldest first."""
    root = archive_dir(warehouse)
    months = [root / month] if month else sorted(p for p in root.glob("*") if p.is_dir())
    return [
        folder
        for m in months
        for folder in sorted(m.glob("*"))
        if folder.is_dir() and not folder.name.startswith(".")
    ]


def figures(folder: Path) -> dict:
    """The figures an archived pack showed (read once per version of the file)."""
    path = folder / FIGURES
    return _read(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read(path: Path, _mtime_ns: int) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def presented(warehouse: Path, month: str | None) -> dict | None:
    """The figures of the pack presented for `month` (the last made), or None. Treat them
    as read-only: they are shared."""
    if month is None:
        return None
    made = packs(warehouse, month)
    return figures(made[-1]) if made else None


def shown_values(presented: dict, town: str | None = None) -> dict[str, float | None]:
    """Indicator code → the value the pack showed, for the county or one township."""
    if town is None:
        return {k["kpi_code"]: k["value"] for a in presented["actions"] for k in a["indicators"]}
    place = presented["towns"].get(town, {"indicators": []})
    return {k["kpi_code"]: k["value"] for k in place["indicators"]}


def shown_scores(presented: dict):
    """The 擂台赛 the pack showed, as dashboard.data.township_scores makes it."""
    import polars as pl

    from dashboard.data import SCORES_SCHEMA

    rows = [{k: r[k] for k in SCORES_SCHEMA} for r in presented["ranking"]]
    return pl.DataFrame(rows, schema=SCORES_SCHEMA)
