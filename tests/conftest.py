"""Shared fixtures: a scratch inbox and warehouse per test, and the real loader on them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


# pytest explains a failed `==` with difflib, quadratic in the length: on two lists of
# thousands of truth rows that took longer than CI's whole budget. Above this many items
# the explanation names the first difference instead.
LONG_COMPARISON = 200


def pytest_assertrepr_compare(op, left, right):
    sized = (list, tuple, dict, set, frozenset)
    if op != "==" or not (isinstance(left, sized) and isinstance(right, sized)):
        return None
    if max(len(left), len(right)) <= LONG_COMPARISON:
        return None
    lines = [f"{type(left).__name__} of {len(left)} == {type(right).__name__} of {len(right)}"]
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(left.keys() ^ right.keys(), key=repr)[:5]:
            lines.append(f"only {'left' if key in left else 'right'}: {key!r}"[:300])
        lines += [
            f"at {k!r}: {left[k]!r} != {right[k]!r}"[:300]
            for k in sorted(left.keys() & right.keys(), key=repr)
            if left[k] != right[k]
        ][:5]
    elif isinstance(left, (set, frozenset)) or isinstance(right, (set, frozenset)):
        lines += [f"only left: {x!r}"[:300] for x in sorted(set(left) - set(right), key=repr)[:5]]
        lines += [f"only right: {x!r}"[:300] for x in sorted(set(right) - set(left), key=repr)[:5]]
    else:
        first = next(
            (i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b),
            min(len(left), len(right)),
        )
        lines.append(f"first difference at index {first}:")
        lines.append(f"  left:  {left[first]!r}"[:300] if first < len(left) else "  left:  (ends)")
        lines.append(
            f"  right: {right[first]!r}"[:300] if first < len(right) else "  right: (ends)"
        )
    return lines


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "county" / "inbox"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "wh" / "xunyi.duckdb"


def run_etl(
    *args: str,
    warehouse: Path | None = None,
    check: bool = False,
    env_today: str | None = None,
    **kwargs,
):
    """Run `python -m etl …` as a user would, in a subprocess (on `env_today`, YYYY-MM-DD,
    as its clock's today when given)."""
    command = [sys.executable, "-m", "etl", *args]
    if warehouse is not None:
        command += ["--warehouse", str(warehouse)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if env_today is not None:
        env["XUNYI_TODAY"] = env_today
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def load(directory: Path, warehouse: Path):
    """Load `directory` into `warehouse` in this process, through the real publishing path."""
    from etl.load import load_directory
    from etl.progress import Progress
    from etl.warehouse import publishing

    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        return load_directory(build.con, directory, Progress(0, "加载", stream=quiet))


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def loaded_and_planted(warehouse: Path, truth: dict) -> dict[str, tuple[Counter, Counter]]:
    """What the warehouse quarantined and rejected beside what the generator planted
    (truth.json): {"quarantine": (got, expected), "rejected": (got, expected)}."""
    cells = ("source", "period", "file_name", "row_number", "column_name", "reason_code")
    files = ("source", "file_name", "reason_code")
    return {
        "quarantine": (
            Counter(query(warehouse, f"SELECT {', '.join(cells)} FROM v_quarantine")),
            Counter(tuple(q[c] for c in cells) for q in truth["quarantine"]),
        ),
        "rejected": (
            Counter(
                query(
                    warehouse,
                    f"SELECT {', '.join(files)} FROM v_load_log WHERE status = 'rejected'",
                )
            ),
            Counter(tuple(r[c] for c in files) for r in truth["rejected_files"]),
        ),
    }


def clean_copy(target: Path) -> Path:
    """The repository's files (tracked and new, not ignored) in `target`, as a fresh clone has them."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in files:
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory):
    """The whole demo county (seed 1, scale 1) generated and `run` once for the session:
    every test that needs it shares it. (root, warehouse, truth, the `run` result)."""
    root = tmp_path_factory.mktemp("demo")
    run_etl("generate", "--out", str(root / "county"), "--seed", "1", check=True, timeout=1800)
    warehouse = root / "xunyi.duckdb"
    result = run_etl("run", str(root / "county"), warehouse=warehouse, timeout=1800)
    truth = json.loads((root / "county" / "truth.json").read_text(encoding="utf-8"))
    return root, warehouse, truth, result


# A county-year simulated in two shards (generator/shards.py), small enough for the suite.
SHARDED = ("--seed", "4", "--scale", "0.06", "--shard-scale", "0.03")


def generate_sharded(out: Path) -> subprocess.CompletedProcess:
    """`python -m generator` writing the small sharded county-year into `out`."""
    command = [sys.executable, "-m", "generator", "--out", str(out), *SHARDED]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def sharded_county(tmp_path_factory):
    """As `demo_county`, for the small county-year simulated in two shards."""
    root = tmp_path_factory.mktemp("sharded")
    generate_sharded(root / "county")
    warehouse = root / "xunyi.duckdb"
    result = run_etl("run", str(root / "county"), warehouse=warehouse, timeout=1800)
    truth = json.loads((root / "county" / "truth.json").read_text(encoding="utf-8"))
    return root, warehouse, truth, result


@pytest.fixture(scope="session")
def officer_county(tmp_path_factory) -> Path:
    """The county a data officer works on (browser_support.build_officer_warehouse: two
    `run`s, so its journal holds two validations), built once for the session; a test that
    writes to it (an exception, an upload) works on a copy (browser_support.copy_warehouse)."""
    from browser_support import build_officer_warehouse

    return build_officer_warehouse(tmp_path_factory.mktemp("officer"))


# -- Headless Chromium (the browser tests) --------------------------------------------------

BROWSER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    from browser_support import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A fresh browser context; afterwards, no request may have left the host (usage
    statistics, icon fonts: dashboard/.streamlit/config.toml and a local favicon)."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True
    )
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()
    outside = [url for url in requested if urlsplit(url).hostname != "127.0.0.1"]
    assert not outside, outside
