"""Publishing: readers see a whole version or the one before, never half a load.

Real processes: a loader killed with SIGKILL mid-load, a reader reconnecting for every query
while loads publish, a second writer waiting for the first.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import REPO, load
from filelock import FileLock
from files import EMPLOYMENT_HEADER, employment_row, write_xlsx

from etl.warehouse import connect_read_only, lock_path, publishing


def employment_files(inbox: Path, months: list[str], rows: int = 50) -> None:
    for month in months:
        body = [employment_row(n) for n in range(1, rows + 1)]
        write_xlsx(inbox / "employment" / f"{month}.xlsx", [EMPLOYMENT_HEADER, *body])


def reader_digest(warehouse: Path) -> str:
    """A hash of everything a reader sees."""
    con = connect_read_only(warehouse)
    try:
        digest = hashlib.sha256()
        for table in ("load_log", "quarantine", "ledger_employment"):
            digest.update(repr(con.sql(f"SELECT * FROM {table} ORDER BY ALL").fetchall()).encode())
        return digest.hexdigest()
    finally:
        con.close()


def leftovers(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.parent.iterdir() if ".building" in p.name)


def etl_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_sigkill_mid_load_changes_nothing(tmp_path, warehouse):
    first = tmp_path / "first" / "inbox"
    employment_files(first, ["2024-03"])
    load(first, warehouse)
    before = reader_digest(warehouse)

    second = tmp_path / "second" / "inbox"
    employment_files(second, [f"2024-{m:02d}" for m in range(4, 13)], rows=3000)
    loader = etl_process("load", str(second), "--warehouse", str(warehouse))
    line = loader.stdout.readline()
    assert line.startswith("[1/9] "), line + loader.stderr.read()
    loader.send_signal(signal.SIGKILL)
    assert loader.wait() == -signal.SIGKILL  # killed mid-load, not finished

    assert reader_digest(warehouse) == before
    lock = FileLock(str(lock_path(warehouse)))
    lock.acquire(timeout=0)  # free: raises Timeout if a dead writer still held it
    lock.release()
    deadline = time.monotonic() + 10
    while leftovers(warehouse) and time.monotonic() < deadline:
        time.sleep(0.05)  # the watchdog removes the dead writer's copy
    assert leftovers(warehouse) == []

    outcomes = load(second, warehouse)
    assert [o.status for o in outcomes] == ["loaded"] * 9
    assert reader_digest(warehouse) != before


READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from etl.warehouse import connect_read_only
    warehouse, stop = Path(sys.argv[1]), Path(sys.argv[2])
    while not stop.exists():
        try:
            con = connect_read_only(warehouse)
            n = con.execute("SELECT count(*) FROM load_log").fetchone()[0]
            rows = con.execute("SELECT count(*) FROM ledger_employment").fetchone()[0]
            con.close()
            print(f"version {n} {rows}", flush=True)
        except Exception as e:
            print(f"error {type(e).__name__}: {e}", flush=True)
        time.sleep(0.005)
    """
)


def test_reader_reconnecting_during_publishes_sees_every_version(tmp_path, warehouse):
    inbox = tmp_path / "county" / "inbox"
    employment_files(inbox, ["2024-03"])
    load(inbox, warehouse)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    seen: list[str] = []

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = reader.stdout.readline().strip()
            seen.append(line)
            if line == text:
                return
        pytest.fail(f"the reader never saw {text!r}; it saw {seen[-5:]}")

    try:
        wait_for("version 1 50")
        for n, month in enumerate(["2024-04", "2024-05", "2024-06", "2024-07"], start=2):
            employment_files(inbox, [month])
            load(inbox, warehouse)  # unchanged files are logged too: one log row per file
            files = n
            wait_for(f"version {sum(range(1, files + 1))} {50 * files}")
    finally:
        stop.touch()
        reader.wait(timeout=30)
    errors = [line for line in seen if line.startswith("error")]
    assert errors == []
    assert reader.returncode == 0, reader.stderr.read()


def test_second_writer_waits_for_the_first(tmp_path, warehouse):
    inbox = tmp_path / "county" / "inbox"
    employment_files(inbox, ["2024-03"])
    with publishing(warehouse, say=lambda _: None) as build:
        build.con.execute("CREATE TABLE written_by_the_first (x INTEGER)")
        waiting = etl_process("load", str(inbox), "--warehouse", str(warehouse))
        first_line = waiting.stdout.readline()
        assert "等待" in first_line
        assert waiting.poll() is None
    assert waiting.wait(timeout=60) == 0, waiting.stderr.read()
    # it started from what the first writer published
    con = connect_read_only(warehouse)
    assert con.execute("SELECT count(*) FROM written_by_the_first").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM ledger_employment").fetchone() == (50,)
    con.close()


def test_a_writer_bounds_duckdbs_memory_and_checks_may_hold_more(tmp_path, monkeypatch):
    """Left alone DuckDB keeps every block a load wrote (12.8 GiB for 100 counties' inbox)."""
    from expectations.validate import validate

    monkeypatch.setenv("XUNYI_DUCKDB_MEMORY_MB", "300")
    monkeypatch.setenv("XUNYI_DUCKDB_CHECK_MEMORY_MB", "600")

    def limit(build) -> str:
        return build.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]

    with publishing(tmp_path / "w.duckdb") as build:
        assert limit(build) == "300.0 MiB"
        validate(build)  # an empty warehouse: no month to judge, the limit is raised all the same
        assert limit(build) == "600.0 MiB"
        with build.released():
            pass
        assert limit(build) == "600.0 MiB"  # the connection great-expectations gave back
    monkeypatch.setenv("XUNYI_DUCKDB_MEMORY_MB", "viel")
    with pytest.raises(ValueError, match="XUNYI_DUCKDB_MEMORY_MB"):
        with publishing(tmp_path / "w.duckdb"):
            pass
