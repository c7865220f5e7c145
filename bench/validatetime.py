"""`validate`'s own time on a loaded warehouse, beside the checks' SQL run directly.

`python -m bench.validatetime WAREHOUSE` prints the great-expectations import time, the
validate time (after the import), and the direct SQL time for the same checks and months.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from etl.warehouse import publishing, sql_text
from expectations.catalog import checks
from expectations.validate import validate

if __name__ == "__main__":
    source = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as scratch:
        warehouse = Path(scratch) / "xunyi.duckdb"
        shutil.copy(source, warehouse)

        start = time.perf_counter()
        import great_expectations  # noqa: F401  (once per process)

        imported = time.perf_counter() - start
        start = time.perf_counter()
        with publishing(warehouse, say=lambda _: None) as build:
            result = validate(build)
        validated = time.perf_counter() - start

        con = duckdb.connect(str(warehouse), read_only=True)
        start = time.perf_counter()
        for check in checks():
            con.execute(f"SELECT count(*) FROM ({sql_text(check.sql)}) AS failing").fetchall()
        direct = time.perf_counter() - start
        con.close()
    print(
        f"gx_import {imported:.3f} validate {validated:.3f} direct {direct:.3f} "
        f"checks {len(checks())} months {len(result.months)}",
        flush=True,
    )
