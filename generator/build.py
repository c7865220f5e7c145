"""``generate``: simulate the county-year, write every file, write ``truth.json``.

Files are independent once the county is simulated and the layouts planned, so they are
written by worker processes (forked: they inherit the county instead of receiving it).
Each file draws from its own random stream named after the file, so the bytes do not
depend on which worker writes it or in which order.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from . import extras, ledgers
from .compose import compose
from .defects import plant_defects
from .facts import fact
from .gazetteer import load_gazetteer
from .layouts import Layout, plan_layouts
from .population import County, build_county
from .schedule import file_periods
from .shard import ONCE_SOURCES, SHARD_SCALE, Shard, shard_count
from .sources import SOURCES
from .truth import CountyYear, FileOutcome, truth_json
from .world import domains_of
from .writers import csv_parts, write_csv, write_xls, write_xlsx

# Set before the worker pool forks; workers read it instead of receiving the county.
_WORLD: dict = {}
# Below this many ledger rows, forking workers costs more than it saves.
PARALLEL_MIN_ROWS = 20_000


def stream_of(seed: int, year: int, key: str):
    """The county-year's random streams by name (``key``: ``Shard.stream_key``)."""
    return lambda name: random.Random(f"xunyi/{seed}/{year}/{key}/{name}")


def simulate(year: int, seed: int, scale: float, shard: Shard | None = None, whole=None) -> County:
    """The county (or ``shard`` of it, of ``scale``; ``whole``: the sharded county-year's
    scale) simulated, every domain's world built and every case planted."""
    shard = shard or Shard()
    key = shard.stream_key(scale if whole is None else whole)
    stream = stream_of(seed, year, key)
    county = build_county(load_gazetteer(), year, seed, scale, shard, key)
    for domain in domains_of(county):
        domain.simulate(county, stream)
    whole_stream = stream_of(seed, year, f"{scale if whole is None else whole}")
    plant_defects(
        county,
        stream("defects"),
        lambda name: stream(f"defects/{name}"),
        lambda name: whole_stream(f"defects/{name}"),
    )
    return county


def _write_file(layout: Layout) -> FileOutcome:
    """Write ``layout``'s file — or, in a shard, its part: the data rows in ``<file>.body``
    and, from the first shard, the rows above and below them (``.head``, ``.tail``)."""
    county: County = _WORLD["county"]
    inbox: Path = _WORLD["inbox"]
    stream = stream_of(_WORLD["seed"], county.year, _WORLD["key"])
    records = ledgers.records(county, layout.source, layout.index)
    sharded = county.shard.count > 1
    columns = _WORLD["columns"](f"file/{layout.file_name}/columns") if sharded else None  # shared
    composed = compose(
        layout, records, county.gazetteer, stream(f"file/{layout.file_name}"), columns
    )
    path = inbox / layout.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    if split_file(layout, county.shard):
        (grid,) = composed.sheets
        head, body, tail = csv_parts(grid, layout.encoding, composed.body)
        pieces = {".body": body}
        if county.shard.index == 0:
            pieces.update({".head": head, ".tail": tail})
        for suffix, data in pieces.items():
            path.with_name(path.name + suffix).write_bytes(data)
    elif layout.fmt == "xlsx":
        write_xlsx(path, composed.sheets)
        if layout.corrupt:
            path.write_bytes(extras.corrupt(path.read_bytes()))
    elif layout.fmt == "xls":
        write_xls(path, composed.sheets)
    else:
        (grid,) = composed.sheets
        write_csv(path, grid, layout.encoding)
    facts = None
    if layout.loaded:
        rows, bad = composed.row_numbers, composed.bad
        facts = [fact(layout.source, r, rows[i]) for i, r in enumerate(records) if i not in bad]
    return FileOutcome(
        layout=layout,
        row_numbers=composed.row_numbers,
        bad=composed.bad,
        rows_read=composed.rows_read,
        rows_skipped=composed.rows_skipped,
        forced_done=composed.forced_done,
        facts=facts,
        body=composed.body,
    )


def split_file(layout: Layout, shard: Shard) -> bool:
    """Whether each shard writes its part of the file (else one process writes it whole)."""
    return shard.count > 1 and layout.fmt == "csv" and layout.source not in ONCE_SOURCES


def row_counts(county: County) -> dict[tuple[str, int], int]:
    return {
        (source, fp.index): ledgers.row_count(county, source, fp.index)
        for source in SOURCES
        for fp in file_periods(source, county.year)
        if county.shard.writes_once_sources or source not in ONCE_SOURCES
    }


def check_forced(outcomes: list[FileOutcome]) -> None:
    """Every showcase fault and form must have found a row: fail loudly otherwise."""
    for out in outcomes:
        wanted = list(out.layout.forced_faults) + list(out.layout.forced_forms)
        done = list(out.forced_done)
        for item in wanted:
            if item in done:
                done.remove(item)
            else:
                raise RuntimeError(f"{out.file_name}: could not plant {item} (scale too small?)")


def write_files(
    county: County,
    inbox: Path,
    seed: int,
    layouts: list[Layout],
    rows: dict,
    progress: Callable[[str], object],
    workers: int,
    whole: float | None = None,
) -> list[FileOutcome]:
    """Write every layout's file (``workers`` forked processes when it pays); the outcomes
    in the layouts' order."""
    whole = county.scale if whole is None else whole
    _WORLD.update(
        county=county,
        inbox=inbox,
        seed=seed,
        key=county.shard.stream_key(whole),
        columns=stream_of(seed, county.year, f"{whole}"),
    )
    # Biggest files first, so two workers finish together.
    order = sorted(layouts, key=lambda lo: -rows[(lo.source, lo.index)])
    outcomes: dict[str, FileOutcome] = {}
    try:
        if (
            workers > 1
            and "fork" in get_all_start_methods()
            and sum(rows[(lo.source, lo.index)] for lo in layouts) >= PARALLEL_MIN_ROWS
        ):
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                for out in pool.map(_write_file, order):
                    outcomes[out.file_name] = out
                    _report(progress, out)
        else:
            for lo in order:
                out = _write_file(lo)
                outcomes[out.file_name] = out
                _report(progress, out)
    finally:
        _WORLD.clear()
    return [outcomes[lo.file_name] for lo in layouts]


def write_extras(county: County, inbox: Path, seed: int, progress) -> list[dict]:
    """The unknown source's workbook and the stray document: the files rejected whole for
    reasons of their own."""
    rng = random.Random(f"xunyi/{seed}/{county.year}/{county.scale}/extras")
    name, grid = extras.unknown_source_file(county, rng)
    (inbox / name).parent.mkdir(parents=True, exist_ok=True)
    extras.write_unknown_source(inbox / name, grid)
    (inbox / extras.STRAY_DOCUMENT).write_bytes(extras.docx_bytes())
    progress(f"wrote {name} and {extras.STRAY_DOCUMENT} (to be rejected)")
    return [
        {"source": name.split("/")[0], "file_name": name, "reason_code": "unknown_source"},
        {"source": "roster", "file_name": extras.STRAY_DOCUMENT, "reason_code": "unreadable"},
    ]


def generate(
    out_dir: Path,
    year: int = 2024,
    seed: int = 1,
    scale: float = 1.0,
    progress: Callable[[str], object] = print,
    file_format: str = "mixed",
    shard_scale: float = SHARD_SCALE,
) -> dict:
    """Write ``out_dir/inbox/<source>/…`` and ``out_dir/truth.json``; return the truth.
    ``file_format`` "csv": every file CSV but the deliberately unreadable workbook. Above
    ``shard_scale`` the county-year is simulated in shards (``shards.py``), as CSV."""
    if shard_count(scale, shard_scale) > 1:
        from .shards import generate_sharded

        if file_format != "csv":
            progress(f"scale {scale} is above {shard_scale:g}: every file CSV (--format csv)")
        return generate_sharded(out_dir, year, seed, scale, progress, shard_scale)
    return generate_county_year(out_dir, year, seed, scale, progress, file_format).truth()


def fresh_inbox(out_dir: Path) -> Path:
    inbox = Path(out_dir) / "inbox"
    if inbox.exists():  # a previous run's files would otherwise mix with this one's
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    return inbox


def generate_county_year(
    out_dir: Path,
    year: int = 2024,
    seed: int = 1,
    scale: float = 1.0,
    progress: Callable[[str], object] = print,
    file_format: str = "mixed",
) -> CountyYear:
    """As ``generate`` for an unsharded county-year, returning the generator's full record
    (``truth.CountyYear``)."""
    out_dir = Path(out_dir)
    inbox = fresh_inbox(out_dir)
    progress(f"simulating the county: year {year}, seed {seed}, scale {scale}")
    county = simulate(year, seed, scale)
    rows = row_counts(county)
    layouts = plan_layouts(year, seed, rows, file_format)
    files = write_files(county, inbox, seed, layouts, rows, progress, min(4, os.cpu_count() or 1))
    check_forced(files)
    other = write_extras(county, inbox, seed, progress)
    world = CountyYear(county, seed, files, other)
    truth = world.truth()
    (out_dir / "truth.json").write_text(truth_json(truth), encoding="utf-8")
    progress(
        f"wrote truth.json: {len(truth['quarantine'])} bad cells, "
        f"{len(truth['rejected_files'])} rejected files"
    )
    return world


def _report(progress, out: FileOutcome) -> None:
    n = len(out.row_numbers)
    bad = sum(len(v) for v in out.bad.values())
    note = f", rejected: {out.layout.rejection}" if out.layout.rejection else ""
    progress(f"wrote {out.file_name} ({n} rows, {bad} bad cells{note})")
