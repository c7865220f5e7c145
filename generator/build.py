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
from .sources import SOURCES
from .truth import CountyYear, FileOutcome, truth_json
from .world import DOMAINS
from .writers import write_csv, write_xls, write_xlsx

# Set before the worker pool forks; workers read it instead of receiving the county.
_WORLD: dict = {}
# Below this many ledger rows, forking workers costs more than it saves.
PARALLEL_MIN_ROWS = 20_000


def _file_rng(layout: Layout) -> random.Random:
    w = _WORLD
    return random.Random(
        f"xunyi/{w['seed']}/{w['county'].year}/{w['county'].scale}/file/{layout.file_name}"
    )


def _write_file(layout: Layout) -> FileOutcome:
    county: County = _WORLD["county"]
    inbox: Path = _WORLD["inbox"]
    records = ledgers.records(county, layout.source, layout.index)
    composed = compose(layout, records, county.gazetteer, _file_rng(layout))
    path = inbox / layout.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    if layout.fmt == "xlsx":
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
    )


def _row_counts(county: County) -> dict[tuple[str, int], int]:
    return {
        (source, fp.index): ledgers.row_count(county, source, fp.index)
        for source in SOURCES
        for fp in file_periods(source, county.year)
    }


def _check_forced(outcomes: list[FileOutcome]) -> None:
    """Every showcase fault and form must have found a row: fail loudly otherwise."""
    for out in outcomes:
        wanted = list(out.layout.forced_faults) + list(out.layout.forced_forms)
        done = list(out.forced_done)
        for item in wanted:
            if item in done:
                done.remove(item)
            else:
                raise RuntimeError(f"{out.file_name}: could not plant {item} (scale too small?)")


def generate(
    out_dir: Path,
    year: int = 2024,
    seed: int = 1,
    scale: float = 1.0,
    progress: Callable[[str], object] = print,
    file_format: str = "mixed",
) -> dict:
    """Write ``out_dir/inbox/<source>/…`` and ``out_dir/truth.json``; return the truth.
    ``file_format`` "csv": every file CSV but the deliberately unreadable workbook."""
    return generate_county_year(out_dir, year, seed, scale, progress, file_format).truth()


def generate_county_year(
    out_dir: Path,
    year: int = 2024,
    seed: int = 1,
    scale: float = 1.0,
    progress: Callable[[str], object] = print,
    file_format: str = "mixed",
) -> CountyYear:
    """As ``generate``, returning the generator's full record (``truth.CountyYear``)."""
    out_dir = Path(out_dir)
    inbox = out_dir / "inbox"
    if inbox.exists():  # a previous run's files would otherwise mix with this one's
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)

    progress(f"simulating the county: year {year}, seed {seed}, scale {scale}")
    county = build_county(load_gazetteer(), year, seed, scale)
    for domain in DOMAINS:
        domain.simulate(county, lambda name: random.Random(f"xunyi/{seed}/{year}/{scale}/{name}"))
    plant_defects(
        county,
        random.Random(f"xunyi/{seed}/{year}/{scale}/defects"),
        lambda name: random.Random(f"xunyi/{seed}/{year}/{scale}/defects/{name}"),
    )
    rows = _row_counts(county)
    layouts = plan_layouts(year, seed, rows, file_format)
    _WORLD.update(county=county, inbox=inbox, seed=seed)

    # Biggest files first, so two workers finish together.
    order = sorted(layouts, key=lambda lo: -rows[(lo.source, lo.index)])
    workers = min(4, os.cpu_count() or 1)
    outcomes: dict[str, FileOutcome] = {}
    if (
        workers > 1
        and "fork" in get_all_start_methods()
        and sum(rows.values()) >= PARALLEL_MIN_ROWS
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
    files = [outcomes[lo.file_name] for lo in layouts]
    _check_forced(files)

    rng = random.Random(f"xunyi/{seed}/{year}/{scale}/extras")
    name, grid = extras.unknown_source_file(county, rng)
    (inbox / name).parent.mkdir(parents=True, exist_ok=True)
    extras.write_unknown_source(inbox / name, grid)
    (inbox / extras.STRAY_DOCUMENT).write_bytes(extras.docx_bytes())
    other = [
        {"source": name.split("/")[0], "file_name": name, "reason_code": "unknown_source"},
        {"source": "roster", "file_name": extras.STRAY_DOCUMENT, "reason_code": "unreadable"},
    ]
    progress(f"wrote {name} and {extras.STRAY_DOCUMENT} (to be rejected)")

    world = CountyYear(county, seed, files, other)
    truth = world.truth()
    (out_dir / "truth.json").write_text(truth_json(truth), encoding="utf-8")
    progress(
        f"wrote truth.json: {len(truth['quarantine'])} bad cells, "
        f"{len(truth['rejected_files'])} rejected files"
    )
    _WORLD.clear()
    return world


def _report(progress, out: FileOutcome) -> None:
    n = len(out.row_numbers)
    bad = sum(len(v) for v in out.bad.values())
    note = f", rejected: {out.layout.rejection}" if out.layout.rejection else ""
    progress(f"wrote {out.file_name} ({n} rows, {bad} bad cells{note})")
