"""A county-year too big for one process: simulated in shards, merged into one inbox and one
truth (``shard.py`` says what a shard is).

The first shard is simulated alone: it plans the layouts (CSV wherever a file can be) and
shows the layout cases; then the other shards, as many at once as there are cores, each in
a forked process of its own that writes its part of every file (its data rows, the layouts'
showcase cases left to the first shard) and its truth, then exits — so memory holds at most
one shard per core, whatever the scale. The merge writes each file as the first shard's
rows above the data, every shard's data rows in shard order, the first shard's rows below
(its 合计 and signatures), and adds up the truth:

* a check's failing entities are the union of the shards' (people, households, loans,
  settlements and projects never meet across shards); X05's village counts are added before
  they are compared; a township fails X18 only where no shard's rows reach it; the checks of
  the places' sources (U06, X16, X17) are the first shard's;
* an indicator's parts (numerator, denominator) are added and its value computed again;
  the reported indicators and the water bureau's are the first shard's; A2-HOUSING-REPORT
  follows from the merged X18;
* a quarantined cell's row is renumbered to where its shard's rows land in the file.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path

from .build import (
    check_forced,
    fresh_inbox,
    row_counts,
    simulate,
    split_file,
    write_extras,
    write_files,
)
from .expected import PARTS, x05_failing
from .expected_kpis import _value, housing_report
from .gazetteer import load_gazetteer
from .layouts import Layout, plan_layouts
from .population import County
from .shard import SHARD_SCALE, Shard, shard_count
from .truth import CountyYear, kpi_order, truth_json

# Merged from X18's truth, not added up (``housing_report``).
RECOMPUTED_KPIS = frozenset({"A2-HOUSING-REPORT"})


def generate_sharded(
    out_dir: Path,
    year: int,
    seed: int,
    scale: float,
    progress: Callable[[str], object] = print,
    shard_scale: float = SHARD_SCALE,
) -> dict:
    """``generate`` for a county-year of ``scale`` above ``shard_scale``: every file CSV but
    the deliberately unreadable workbook and the unknown source's."""
    out_dir = Path(out_dir)
    count = shard_count(scale, shard_scale)
    inbox = fresh_inbox(out_dir)
    parts = out_dir / ".shards"
    if parts.exists():
        shutil.rmtree(parts)
    started = time.monotonic()
    progress(
        f"simulating the county in {count} shards of scale {scale / count:g}: year {year}, "
        f"seed {seed}, scale {scale}"
    )
    cores = os.cpu_count() or 1
    job = dict(out_dir=out_dir, year=year, seed=seed, scale=scale, count=count)
    _run_shards([0], job, None, cores, progress, started)
    layouts = _result(out_dir, 0)["layouts"]
    others = [replace(lo, forced_faults=[], forced_forms=[]) for lo in layouts if _split(lo)]
    _run_shards(range(1, count), job, others, 1, progress, started, at_once=cores)
    progress(f"merging {count} shards' files and truth")
    bodies = [_result(out_dir, k)["bodies"] for k in range(count)]
    offsets = _merge_files(inbox, parts, layouts, bodies, _result(out_dir, 0)["extras"])
    merged = TruthMerger(year, seed, scale)
    for k in range(count):
        merged.add(_result(out_dir, k)["truth"], offsets[k])
    truth = merged.truth()
    shutil.rmtree(parts)
    (out_dir / "truth.json").write_text(truth_json(truth), encoding="utf-8")
    progress(
        f"wrote truth.json: {len(truth['quarantine'])} bad cells, "
        f"{len(truth['rejected_files'])} rejected files ({time.monotonic() - started:.0f} s)"
    )
    return truth


def _split(layout: Layout) -> bool:
    return split_file(layout, Shard(0, 2))


# --------------------------------------------------------------------------- shards


def _run_shards(indexes, job, layouts, workers, progress, started, at_once=1) -> None:
    """Run the shards, ``at_once`` forked processes at a time (each with ``workers`` file
    writers), each leaving its result in its folder."""
    pending = list(indexes)
    running: dict = {}
    context = get_context("fork")
    while pending or running:
        while pending and len(running) < at_once:
            index = pending.pop(0)
            proc = context.Process(target=_shard_main, args=(index, job, layouts, workers))
            proc.start()
            running[proc.sentinel] = (index, proc)
        for sentinel in wait(list(running)):
            index, proc = running.pop(sentinel)
            proc.join()
            if proc.exitcode != 0:
                for _, other in running.values():
                    other.kill()
                raise RuntimeError(f"shard {index} failed (exit code {proc.exitcode})")
            progress(f"shard {index + 1}/{job['count']} done ({time.monotonic() - started:.0f} s)")


def _shard_dir(out_dir: Path, index: int) -> Path:
    return Path(out_dir) / ".shards" / f"{index:02d}"


def _result(out_dir: Path, index: int) -> dict:
    with (_shard_dir(out_dir, index) / "result.pickle").open("rb") as f:
        return pickle.load(f)


def _shard_main(index: int, job: dict, layouts: list[Layout] | None, workers: int) -> None:
    """A shard's process: simulate, write its parts, pickle what the merge needs."""
    try:
        result = _shard(index, job, layouts, workers)
        target = _shard_dir(job["out_dir"], index) / "result.pickle"
        with target.open("wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    sys.stdout.flush()
    os._exit(0)  # no atexit work of the parent's in a forked child


def _shard(index: int, job: dict, layouts: list[Layout] | None, workers: int) -> dict:
    shard = Shard(index, job["count"])
    year, seed, scale = job["year"], job["seed"], job["scale"]
    county = simulate(year, seed, scale / shard.count, shard, whole=scale)
    if layouts is None:  # the first shard plans them (from its ledgers' lengths)
        rows = row_counts(county)
        layouts = plan_layouts(year, seed, rows, "csv")
    else:  # one writer: the order does not matter, and counting means building every ledger
        rows = {(lo.source, lo.index): 0 for lo in layouts}
    directory = _shard_dir(job["out_dir"], index)
    directory.mkdir(parents=True)
    files = write_files(county, directory, seed, layouts, rows, lambda _m: None, workers, scale)
    other = []
    if index == 0:
        check_forced(files)
        other = write_extras(county, directory, seed, lambda _m: None)
    # The truth reads the files' facts, the gazetteer and the months: the simulated people
    # can go before it is computed (half the shard's memory).
    light = County(county.year, county.scale, county.gazetteer, [], [], [], [], {}, shard=shard)
    del county
    gc.collect()
    world = CountyYear(light, seed, files, other)
    return {
        "layouts": layouts,
        "bodies": {f.file_name: f.body for f in files},
        "truth": world.shard_truth(),
        "extras": [o["file_name"] for o in other],
    }


# --------------------------------------------------------------------------- files


def _merge_files(inbox: Path, parts: Path, layouts, bodies, extras) -> list[dict[str, int]]:
    """Write every file of the inbox from the shards' parts; per shard, per file, how far
    its rows move (the data rows of the shards before it)."""
    offsets: list[dict[str, int]] = [{} for _ in bodies]
    first_dir = parts / "00"
    for name in [lo.file_name for lo in layouts if not _split(lo)] + extras:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(first_dir / name, inbox / name)
    for lo in layouts:
        if not _split(lo):
            continue
        name = lo.file_name
        target = inbox / name
        target.parent.mkdir(parents=True, exist_ok=True)
        first_start = bodies[0][name][0]
        moved = 0
        with target.open("wb") as out:
            _append(out, first_dir / f"{name}.head")
            for k, shard in enumerate(bodies):
                start, end = shard[name]
                offsets[k][name] = first_start - start + moved
                moved += end - start
                _append(out, parts / f"{k:02d}" / f"{name}.body")
            _append(out, first_dir / f"{name}.tail")
    return offsets


def _append(out, piece: Path) -> None:
    with piece.open("rb") as f:
        shutil.copyfileobj(f, out, 1 << 20)
    piece.unlink()


# --------------------------------------------------------------------------- truth


class TruthMerger:
    """The truth of a sharded county-year, one shard's ``CountyYear.shard_truth`` at a time
    (the first shard first)."""

    def __init__(self, year: int, seed: int, scale: float):
        self.year, self.seed, self.scale = year, seed, scale
        self.gazetteer = load_gazetteer()
        self.checks: dict[str, dict[str, set[str]]] = {}
        self.x05: dict[str, tuple[Counter, Counter]] = {}
        self.kpis: dict[tuple, dict] = {}
        self.quarantine: list[dict] = []
        self.rejected: list[dict] | None = None

    def add(self, shard: dict, offsets: dict[str, int]) -> None:
        first = self.rejected is None
        if first:
            self.rejected = shard["rejected_files"]
        for check, by_month in shard["checks"].items():
            merged = self.checks.setdefault(check, {})
            for month, failing in by_month.items():
                if check == "X18" and month in merged:  # failing where no shard reports
                    merged[month] &= set(failing)
                else:
                    merged.setdefault(month, set()).update(failing)
        for month, (hr, system) in shard["x05"].items():
            total = self.x05.setdefault(month, (Counter(), Counter()))
            total[0].update(hr)
            total[1].update(system)
        for row in shard["kpis"]:
            if row["kpi_code"] not in RECOMPUTED_KPIS:
                self._add_kpi(row, first)
        self.quarantine += [
            {**q, "row_number": q["row_number"] + offsets.get(q["file_name"], 0)}
            for q in shard["quarantine"]
        ]

    def _add_kpi(self, row: dict, first: bool) -> None:
        key = kpi_order(row)
        seen = self.kpis.get(key)
        if seen is None:
            self.kpis[key] = dict(row)
            return
        if PARTS not in row or PARTS not in seen:
            raise RuntimeError(f"indicator row {key}: no parts to add across shards")
        measure, *numbers = seen[PARTS]
        other, *more = row[PARTS]
        if other != measure:
            raise RuntimeError(f"indicator row {key}: {measure} and {other} across shards")
        seen[PARTS] = (measure, *(a + b for a, b in zip(numbers, more, strict=True)))

    def truth(self) -> dict:
        checks = {
            check: {month: sorted(failing) for month, failing in by_month.items()}
            for check, by_month in sorted(self.checks.items())
        }
        checks["X05"] = x05_failing(self.gazetteer, self.x05)
        kpis = []
        for row in self.kpis.values():
            row = dict(row)
            parts = row.pop(PARTS, None)
            if parts is not None:
                row["value"] = _value(*parts)
            kpis.append(row)
        kpis += housing_report(self.gazetteer, checks["X18"])
        return {
            "seed": self.seed,
            "year": self.year,
            "scale": self.scale,
            "checks": dict(sorted(checks.items())),
            "quarantine": sorted(self.quarantine, key=_quarantine_order),
            "rejected_files": self.rejected,
            "kpis": sorted(kpis, key=kpi_order),
        }


def _quarantine_order(q: dict) -> tuple:
    return (
        q["source"],
        q["period"],
        q["file_name"],
        q["row_number"],
        q["column_name"],
        q["reason_code"],
    )
