"""The 核查 page's 上传更正 tab under AppTest, on the data officer's county: a corrected file
uploaded from the page is loaded, re-validated and published, and the page names exactly the
checks the warehouse turned green; a bad upload gets a Chinese answer and changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from apptest_support import covers, make_accounts, sign_in
from browser_support import FULL_ID, copy_warehouse, write_officer_may_fix
from conftest import query
from streamlit.testing.v1 import AppTest

from dashboard.checks import TAB_KEY, UPLOAD
from dashboard.navigation import CHECKS
from etl import audit
from etl.journal import reading

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "dashboard" / "app.py")
CORRECTED = "旬邑县2024年5月务工台账（更正）.xlsx"


@pytest.fixture
def warehouse(officer_county, tmp_path, monkeypatch) -> Path:
    copy = copy_warehouse(officer_county, tmp_path / "wh")
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(copy))
    make_accounts(monkeypatch)
    return copy


def upload_tab(role: str = "data_officer") -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=120), role)
    at.run()
    at.switch_page(CHECKS.path).run()
    at.session_state[TAB_KEY] = UPLOAD
    at.run()
    assert not at.exception, at.exception
    return at


def submit(at: AppTest, source: str, name: str, content: bytes) -> AppTest:
    at.selectbox(key="upload_source").set_value(source)
    at.file_uploader(key="upload_file").set_value((name, content, "application/octet-stream"))
    at.button(key="upload_submit").click().run()
    assert not at.exception, at.exception
    return at


def statuses(warehouse: Path) -> dict[tuple[str, str], str]:
    return {
        (c, p): s
        for c, p, s in query(warehouse, "SELECT check_id, period, status FROM v_check_results")
    }


def load_log(warehouse: Path) -> list[tuple]:
    return query(
        warehouse, "SELECT file_name, status FROM v_load_log ORDER BY loaded_at, file_name"
    )


@covers(CHECKS)
def test_a_corrected_file_turns_its_checks_green_as_the_warehouse_says(warehouse, tmp_path):
    before = statuses(warehouse)
    fix = write_officer_may_fix(tmp_path / "fix" / "employment.xlsx")
    at = submit(upload_tab(), "employment", CORRECTED, fix.read_bytes())

    assert [e.value for e in at.error] == []
    success = " ".join(e.value for e in at.success)
    assert f"employment/{CORRECTED}" in success and "已加载" in success
    after = statuses(warehouse)
    green = sorted(
        (c, p) for (c, p), s in after.items() if s == "passed" and before.get((c, p)) != "passed"
    )
    assert ("X06", "2024-05") in green
    summary = next(m.value for m in at.markdown if "项变绿" in m.value)
    assert f"**{len(green)} 项变绿**" in summary
    shown = at.dataframe[0].value  # the 变绿 table
    assert sorted(zip(shown["核查编号"], shown["月份"], strict=True)) == sorted(
        (c, f"{p[:4]}年{int(p[5:])}月") for c, p in green
    )
    assert (f"employment/{CORRECTED}", "loaded") in load_log(warehouse)
    with reading(warehouse) as con:
        commands = [r[0] for r in con.execute("SELECT command FROM validation_runs").fetchall()]
    assert commands[-1] == "upload"

    # the same bytes again: said so, nothing re-validated
    at = submit(at, "employment", CORRECTED, fix.read_bytes())
    assert any("与已加载的文件相同" in e.value for e in at.info)
    assert statuses(warehouse) == after


@covers(CHECKS)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_changes(warehouse):
    before, logged = statuses(warehouse), load_log(warehouse)
    at = submit(upload_tab(), "employment", CORRECTED, b"\xe5\xa7\x93\xe5\x90\x8d,x\n")
    refused = " ".join(e.value for e in at.error)
    assert "文件未加载" in refused
    assert statuses(warehouse) == before and load_log(warehouse) == logged


@covers(CHECKS)
def test_an_upload_needs_a_file_and_is_signed_by_the_account(warehouse, tmp_path):
    logged = load_log(warehouse)
    at = upload_tab()
    at.button(key="upload_submit").click().run()
    assert [e.value for e in at.error] == ["请先选择要上传的文件"]
    assert load_log(warehouse) == logged
    assert os.listdir(warehouse.parent).count("archive") == 0  # nothing archived

    fix = write_officer_may_fix(tmp_path / "fix" / "employment.xlsx")
    submit(upload_tab(), "employment", CORRECTED, fix.read_bytes())
    (entry,) = [e for e in audit.entries(warehouse) if e["action"] == "upload"]
    assert entry["who"] == "data_officer" and "已加载" in entry["what"]
    assert not FULL_ID.search(json.dumps(entry, ensure_ascii=False))


@covers(CHECKS)
def test_only_a_data_officer_has_the_upload_form(warehouse):
    for role in ("leader", "analyst", "town_officer", "admin"):
        at = upload_tab(role)
        assert not at.get("form"), role
        assert "数据专员" in at.info[0].value
