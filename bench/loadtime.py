"""The loader's own time on an inbox, in-process: `python -m bench.loadtime DIR WAREHOUSE`.

Times what `python -m etl load DIR` does after start-up: the private copy, reading, rules,
inserting, the indicator refresh and the publish. Prints `rows <n> seconds <s>`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from etl.indicators import refresh_indicators
from etl.load import load_directory
from etl.progress import Progress
from etl.warehouse import publishing

if __name__ == "__main__":
    directory, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        outcomes = load_directory(build.con, directory, Progress(0, "加载", stream=quiet))
        refresh_indicators(build.con)
    seconds = time.perf_counter() - start
    rows = sum(o.rows_read or 0 for o in outcomes if o.status == "loaded")
    print(f"rows {rows} seconds {seconds:.3f}", flush=True)
