"""The great-expectations compatibility layer: it is needed, it works, and it is for this version.

These fail loudly when an upgrade of great-expectations (or duckdb_engine, SQLAlchemy,
DuckDB) breaks the layer — or fixes the bug it works around, so it can go.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import duckdb
from conftest import REPO

PROBE = textwrap.dedent(
    """
    import logging, sys
    logging.disable(logging.CRITICAL)
    import duckdb, great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    if sys.argv[2] == "patched":
        from expectations import gx_compat
    path = sys.argv[1]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_sql(name="w", connection_string="duckdb:///" + path)
    batch = source.add_table_asset(name="t", table_name="t").add_batch_definition_whole_table("all").get_batch()
    expectation = gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query="SELECT * FROM {batch} WHERE x > 1")
    result = batch.validate(expectation)
    print(result.success, result.result.get("observed_value"))
    """
)


def probe(tmp_path, mode: str) -> str:
    path = tmp_path / "probe.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT * FROM range(5) r(x)")
    con.close()
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_great_expectations_fails_on_duckdb_without_the_layer(tmp_path):
    """If this fails, great-expectations fixed DuckDB: remove expectations/gx_compat.py."""
    assert probe(tmp_path, "plain") == "False None"


def test_the_layer_makes_it_work(tmp_path):
    assert probe(tmp_path, "patched") == "False 3"


def test_written_for_this_version():
    import great_expectations

    from expectations import gx_compat

    assert gx_compat.is_applied()
    assert great_expectations.__version__ == gx_compat.GX_VERSION_WRITTEN_FOR, (
        "great-expectations moved: re-check expectations/gx_compat.py against the new version, then update "
        "GX_VERSION_WRITTEN_FOR"
    )


def test_each_query_sees_fresh_data(tmp_path):
    """The kept connection commits before every query: a write between runs is seen."""
    import great_expectations as gx

    from expectations import gx_compat

    path = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT * FROM range(5) r(x)")
    con.close()
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(name="w", connection_string=f"duckdb:///{path}")
    batch_definition = source.add_table_asset(
        name="t", table_name="t"
    ).add_batch_definition_whole_table("all")
    expectation = gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query="SELECT * FROM {batch} WHERE x > 1"
    )
    with gx_compat.released(source):
        assert batch_definition.get_batch().validate(expectation).result["observed_value"] == 3
    con = duckdb.connect(str(path))  # the file is free again: a writer can open it
    con.execute("INSERT INTO t VALUES (10), (11)")
    con.close()
    with gx_compat.released(source):
        assert batch_definition.get_batch().validate(expectation).result["observed_value"] == 5
