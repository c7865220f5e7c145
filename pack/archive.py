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
    """The figures an archived pack showed."""
    return json.loads((folder / FIGURES).read_text(encoding="utf-8"))


def presented(warehouse: Path, month: str | None) -> dict | None:
    """The figures of the pack presented for `month` (the last made), or None."""
    if month is None:
        return None
    made = packs(warehouse, month)
    return figures(made[-1]) if made else None
