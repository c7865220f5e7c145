"""`make run`'s build on a clean copy of the repository: the demo county is generated and
`run`, a warehouse is published even though the demo holds rejected files on purpose, and
the dashboard can serve it. A second `make` finds it and builds nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_copy, query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    copy = clean_copy(tmp_path_factory.mktemp("clone"))
    venv = Path(sys.executable).parent.parent  # this suite's venv, already holding requirements.txt
    env = {k: v for k, v in os.environ.items() if k not in ("XUNYI_WAREHOUSE", "XUNYI_ACCOUNTS")}
    make = [
        "make",
        "--no-print-directory",
        "warehouse",
        "demo-accounts",
        f"VENV={venv}",
        "DEMO_SCALE=0.05",
    ]
    first = subprocess.run(make, cwd=copy, capture_output=True, text=True, env=env, timeout=1200)
    second = subprocess.run(make, cwd=copy, capture_output=True, text=True, env=env, timeout=300)
    return copy, first, second


def test_first_make_builds_and_publishes_the_demo_warehouse(built):
    copy, first, _ = built
    assert first.returncode == 0, first.stdout + first.stderr
    assert "已拒收" in first.stdout  # the demo's rejected files were reported ...
    warehouse = copy / "data" / "xunyi.duckdb"
    assert warehouse.exists()  # ... and the warehouse was published all the same
    assert query(warehouse, "SELECT count(DISTINCT period) FROM v_kpi") == [(10,)]
    assert query(warehouse, "SELECT count(*) > 0 FROM v_check_results WHERE status = 'failed'") == [
        (True,)
    ]
    assert not list((copy / "data").glob(".*.building*"))


def test_make_prints_one_demo_account_per_role(built):
    _, first, second = built
    for out in (first.stdout, second.stdout):  # made once, printed every time
        for title in ("领导", "分析员", "乡镇专员", "数据专员", "管理员"):
            assert title in out
        assert "demo-leader" in out and "xunyi-demo-leader" in out and "演示" in out


def test_second_make_builds_nothing(built):
    _, _, second = built
    assert second.returncode == 0, second.stderr
    assert "数据仓库已存在" in second.stdout
    assert "generate" not in second.stdout


def test_the_dashboard_serves_the_built_warehouse(built, monkeypatch):
    """The copy's own dashboard, under AppTest, reads what `make` published."""
    from streamlit.testing.v1 import AppTest

    copy, _, _ = built
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(copy / "data" / "xunyi.duckdb"))
    monkeypatch.setenv("XUNYI_ACCOUNTS", str(copy / "data" / "accounts.toml"))
    at = AppTest.from_file(str(copy / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    # the login form first; the demo leader's account, as `make` printed it
    at.text_input(key="login_username").input("demo-leader")
    at.text_input(key="login_password").input("xunyi-demo-leader")
    at.button(key="FormSubmitter:login-登录").click().run()
    assert not at.exception, at.exception
    tiles = " ".join(m.value for m in at.markdown)
    assert "稳岗就业提升行动" in tiles and "务工" in tiles  # the ten actions' tiles
    assert at.get("plotly_chart"), "no chart on the overview"  # the township comparison
