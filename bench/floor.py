"""The raw floor for loading an inbox: polars reads each file as text, DuckDB stores it.

No header search, no rules, no quarantine, no publishing: the header row of each file is
found beforehand (outside the timing) and handed to the reader; each frame goes into a
table of a DuckDB file, checkpointed at the end, as the loader's must. `python -m
bench.floor DIR` prints `rows <n> seconds <s>`.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from etl.declarations import sources
from etl.extract import FileRejected, find_header
from etl.load import inbox_of, offered_files
from etl.workbook import Unreadable, decode_csv, read_grid


def plan(directory: Path) -> list[tuple[Path, str | None, int]]:
    """(file, sheet, header row index) for every file the loader would read."""
    jobs = []
    for offer in offered_files(inbox_of(directory)):
        source = sources().get(offer.folder)
        if source is None:
            continue
        try:
            grid = read_grid(offer.path, source.title)
        except (Unreadable, FileRejected):
            continue
        header = find_header(grid, source)
        if header is not None:
            jobs.append((offer.path, grid.sheet_name, header[0]))
    return jobs


def read_text_frame(path: Path, sheet: str | None, header_index: int) -> pl.DataFrame:
    if path.suffix.lower() == ".csv":
        data = decode_csv(path.read_bytes()).encode("utf-8")
        return pl.read_csv(
            io.BytesIO(data), skip_rows=header_index, infer_schema=False, truncate_ragged_lines=True
        )
    return pl.read_excel(
        path,
        engine="calamine",
        sheet_name=sheet,
        infer_schema_length=0,
        read_options={"header_row": header_index},
    )


def run(directory: Path, database: Path) -> tuple[int, float]:
    jobs = plan(directory)
    con = duckdb.connect(str(database))
    start = time.perf_counter()
    rows = 0
    for i, (path, sheet, header_index) in enumerate(jobs):
        frame = read_text_frame(path, sheet, header_index)
        frame = frame.rename({c: f"c{j}" for j, c in enumerate(frame.columns)})
        con.register("incoming", frame)
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM incoming")
        con.unregister("incoming")
        rows += frame.height
    con.execute("CHECKPOINT")
    con.close()
    return rows, time.perf_counter() - start


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as scratch:
        rows, seconds = run(Path(sys.argv[1]), Path(scratch) / "floor.duckdb")
    print(f"rows {rows} seconds {seconds:.3f}", flush=True)
