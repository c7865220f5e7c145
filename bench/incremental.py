"""`run`'s validation of one new month, on the demo county: everything but December loaded
and validated, then December's files of every source arrive and `run` validates what they
changed (the (check, month) pairs whose inputs moved; the rest are kept).

`python -m bench.incremental COUNTY` prints the seconds of the incremental validation (after
great-expectations' one-off import), the pairs it evaluated and kept, and the full
validation of the same warehouse for comparison.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from etl.load import load_directory
from etl.progress import Progress
from etl.warehouse import publishing
from expectations.validate import validate

LAST_MONTH = ("2024-12", "202412", "2024年12月", "2024-Q4", "2024年第四季度", "2024年第4季度")


def _is_last(path: Path) -> bool:
    return any(p in path.name for p in LAST_MONTH)


if __name__ == "__main__":
    county = Path(sys.argv[1])
    inbox = county / "inbox"
    with tempfile.TemporaryDirectory() as scratch, open("/dev/null", "w") as quiet:
        scratch = Path(scratch)
        early = scratch / "early" / "inbox"
        for path in inbox.rglob("*"):
            if path.is_file() and not _is_last(path):
                target = early / path.relative_to(inbox)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        warehouse = scratch / "xunyi.duckdb"
        import great_expectations  # noqa: F401  (once per process)

        with publishing(warehouse, say=lambda _: None) as build:
            load_directory(build.con, early, Progress(0, "", stream=quiet))
            validate(build, incremental=True)
        with publishing(warehouse, say=lambda _: None) as build:
            load_directory(build.con, inbox, Progress(0, "", stream=quiet))
            start = time.perf_counter()
            result = validate(build, incremental=True)
            incremental = time.perf_counter() - start
        with publishing(warehouse, say=lambda _: None) as build:
            start = time.perf_counter()
            validate(build)
            full = time.perf_counter() - start
    print(
        f"incremental {incremental:.3f} evaluated {len(result.results)} kept {result.kept} "
        f"full {full:.3f}",
        flush=True,
    )
