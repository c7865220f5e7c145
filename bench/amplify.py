"""A county-year at `copies` times its volume, from a generated CSV inbox: the bench's 100×.

`python -m bench.amplify COUNTY OUT COPIES` writes `OUT/inbox/` from `COUNTY/inbox/` (a
county generated with `--format csv`): every ledger's data rows `COPIES` times, copy 0 as
generated and copy k with its people, households, settlements, testing points, contracts
and projects renamed so that no copy meets another — the same county's year lived by
`COPIES` disjoint populations in the same 179 villages. Within a copy every relation holds
(a person's ID is renamed alike in every ledger), so each check fails `COPIES` times where
the generated county fails once, and the loader meets the same mix of bad cells, summary
rows and layouts, at scale.

Renaming: a valid 18-digit ID gets region code `7kk` + its last three digits (no generated
ID starts with 7) and its check digit recomputed; a 15-digit one the same region; an
invalid one stays as it is (its row is quarantined in every copy). A text key gets `-kk`
(a summary row's 合计 in a key column stays 合计).

Not multiplied (one copy each): the reported indicators (key: indicator × township) and the
water survey (key: village × round), whose keys are places, not people; and the files that
are not CSV (the unreadable workbook, the unknown source's workbook, the stray .docx),
copied as they are. Files are written in UTF-8 with minimal quoting; cells the loader would
clean (an ID's apostrophe or spaces) are written clean in the copies k ≥ 1.

Why not `generate --scale 100`: the generator holds the whole county in memory (about
13 KB a person) — see issue 12's note. This is a measuring tool: it has no truth of its own.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import polars as pl

from etl.declarations import sources
from etl.extract import SKIP_PREFIXES, find_header
from etl.rules import ID_CHECK_CHARS, ID_WEIGHTS, check_char
from etl.workbook import csv_grids

# Sources keyed by places, not people: multiplying them would only duplicate their keys.
ONCE = {"indicators", "water_survey"}
TEXT_KEYS = ("household_id", "settlement_id", "point_id", "contract_id", "project_id")
FULL_WIDTH, HALF_WIDTH = "０１２３４５６７８９Ｘｘ", "0123456789XX"


def id_parts(cell: pl.Expr, name: str) -> list[pl.Expr]:
    """What copy-independent work renaming an ID cell needs, computed once per file: the
    cleaned text, whether it is a valid 18-digit or a 15-digit ID, and the weighted sum of
    the digits a copy keeps (positions 3–16)."""
    clean = (
        cell.str.replace_all(r"[\s'‘]", "")
        .str.replace_many(list(FULL_WIDTH), list(HALF_WIDTH))
        .str.to_uppercase()
    )
    kept = sum(
        clean.str.slice(i, 1).cast(pl.Int32, strict=False) * w
        for i, w in enumerate(ID_WEIGHTS)
        if i >= 3
    )
    valid18 = clean.str.contains(r"^\d{17}[0-9X]$") & (
        check_char(clean.str.slice(0, 17)) == clean.str.slice(17, 1)
    )
    return [
        clean.alias(f"{name}.clean"),
        kept.alias(f"{name}.kept"),
        valid18.alias(f"{name}.valid18"),
        clean.str.contains(r"^\d{15}$").alias(f"{name}.old15"),
    ]


def renamed_id(name: str, copy: int) -> pl.Expr:
    """Copy `copy`'s ID for grid column `name` (its `id_parts` beside it)."""
    region = f"7{copy:02d}"
    total = sum(int(d) * w for d, w in zip(region, ID_WEIGHTS, strict=False))
    check = pl.lit(ID_CHECK_CHARS).str.slice((pl.col(f"{name}.kept") + total) % 11, 1)
    clean = pl.col(f"{name}.clean")
    return (
        pl.when(pl.col(f"{name}.valid18"))
        .then(region + clean.str.slice(3, 14) + check)
        .when(pl.col(f"{name}.old15"))
        .then(region + clean.str.slice(3, 12))
        .otherwise(pl.col(name))
        .alias(name)
    )


def renamed(keys: dict[str, str], copy: int) -> list[pl.Expr]:
    """{grid column: declared field} → the expressions renaming copy `copy`'s keys."""
    out = []
    for name, field in keys.items():
        if field == "id_number":
            out.append(renamed_id(name, copy))
        elif field in TEXT_KEYS:
            summary = pl.any_horizontal(pl.col(name).str.starts_with(p) for p in SKIP_PREFIXES)
            renamed_key = (
                pl.when(summary).then(pl.col(name)).otherwise(pl.col(name) + f"-{copy:02d}")
            )
            out.append(renamed_key.alias(name))
    return out


def amplify_file(path: Path, target: Path, source: str, copies: int) -> int:
    """Write `target` from the CSV `path`: its preamble once, its body `copies` times.
    Returns the data rows written."""
    (grid,) = list(csv_grids(path))
    found = find_header(grid, sources()[source])
    if found is None:
        raise SystemExit(f"{path}: no header found (amplify needs a generated inbox)")
    last, (columns, _unknown, _repeated) = found
    cells = grid.cells.drop("row")
    keys = {
        f"c{c.index}": c.field
        for c in columns.values()
        if c.field == "id_number" or c.field in TEXT_KEYS
    }
    head, body = cells.head(last + 1), cells.slice(last + 1)
    ids = [n for n, f in keys.items() if f == "id_number"]
    prepared = body.with_columns([e for n in ids for e in id_parts(pl.col(n), n)])
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        head.write_csv(out, include_header=False)
        for copy in range(copies):
            part = (
                body
                if copy == 0
                else prepared.select(
                    [c for c in body.columns if c not in keys] + renamed(keys, copy)
                ).select(body.columns)
            )
            part.write_csv(out, include_header=False)
    return body.height * copies


def amplify(county: Path, out: Path, copies: int, say=print) -> int:
    inbox, target = Path(county) / "inbox", Path(out) / "inbox"
    if target.exists():
        shutil.rmtree(target)
    rows, start = 0, time.perf_counter()
    files = sorted(p for p in inbox.rglob("*") if p.is_file())
    for i, path in enumerate(files, 1):
        relative = path.relative_to(inbox)
        source = relative.parts[0]
        dest = target / relative
        if path.suffix.lower() != ".csv" or source not in sources() or source in ONCE:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest)
            continue
        rows += amplify_file(path, dest, source, copies)
        say(
            f"[{i}/{len(files)}] {relative}: {rows:,} rows so far, {time.perf_counter() - start:.0f} s"
        )
    return rows


if __name__ == "__main__":
    county, out, copies = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    total = amplify(county, out, copies)
    print(f"rows {total}")
