"""`validate`'s own time on a loaded warehouse, beside the checks' SQL run directly.

`python -m bench.validatetime WAREHOUSE` prints the great-expectations import time, the
validate time (after the import), and the time of the same checks' SQL run directly over
the same months, every failing row fetched.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from etl.warehouse import publishing
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
            con.execute(check.scoped("core_months")).fetchall()
        direct = time.perf_counter() - start
        con.close()
    print(
        f"gx_import {imported:.3f} validate {validated:.3f} direct {direct:.3f} "
        f"checks {len(checks())} months {len(result.months)}",
        flush=True,
    )
