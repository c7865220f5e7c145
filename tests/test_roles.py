"""Who sees what (issue: login, roles, township scope, personal data, audit trail).

On the data officer's county (browser_support): every query that shows people, run under
two townships' 乡镇专员 scopes, returns disjoint rows, each in its township; a 领导 gets no
personal row; each role under AppTest sees what its row of the role table allows; a
stranger sees the login form and nothing else; the login form signs in, refuses, slows
repeated failures and lands on the deep link; idle, ended and disabled sessions end; the
accounts command works; downloads are neutralised and load back unchanged; the audit trail
holds each kind of entry, with no ID, and outlives a publish.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from apptest_support import (
    APP,
    OFFICER_TOWN,
    capture_downloads,
    covers,
    make_accounts,
    opener,
    page_text,
)
from browser_support import (
    FULL_ID,
    LATEST_FIRST,
    TOWN_DIMIAO,
    TOWN_TUQIAO,
    P,
    copy_warehouse,
    write_officer_may_fix,
)
from streamlit.testing.v1 import AppTest

from dashboard import auth, checks, data
from dashboard.navigation import ADMIN, CHECKS, DATA, PAGES
from etl import accounts, audit, journal
from etl.workbook import read_grid

REPO = Path(__file__).resolve().parent.parent
PERSONAL = ("id_number", "person_name", "raw_value", "entity_key", "exception_entity")


@pytest.fixture
def live(officer_county, tmp_path, monkeypatch) -> Path:
    copy = copy_warehouse(officer_county, tmp_path / "wh")
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(copy))
    # an exception, so the exceptions query has a row in each township's scope or not
    journal.accept(copy, "X04", P[7].id_number, "2024-12", "异地务工", "测试员")
    return copy


def personal_calls() -> dict[str, dict]:
    """A call of every query that shows people, with parameters that give it rows."""
    still_open = P[8].id_number  # X04 in May (P7's is accepted by the fixture)
    return {
        "dashboard_check_failures": {
            "check": "X04",
            "month": LATEST_FIRST,
            "town": None,
            "village": None,
        },
        "dashboard_department_todo": {"department": "县人社局"},
        "dashboard_quarantine": {"month": LATEST_FIRST, "all_months": True, "file_name": None},
        "dashboard_exceptions": {},
        "dashboard_entity_key": {
            "check": "X04",
            "month": LATEST_FIRST,
            "entity_ref": hashlib.md5(f"X04|{still_open}".encode()).hexdigest(),
        },
    }


PERSONAL_QUERIES = (
    "dashboard_check_failures",
    "dashboard_department_todo",
    "dashboard_quarantine",
    "dashboard_exceptions",
    "dashboard_entity_key",
)


def run_scoped(con, name: str, params: dict, scope: data.Scope) -> pl.DataFrame:
    return data.run_query(con, name, params | data.scope_params(scope, name))


def people(frame: pl.DataFrame) -> set[tuple]:
    shown = [c for c in PERSONAL if c in frame.columns]
    return {tuple(row) for row in frame.select(shown).iter_rows()}


def test_the_personal_queries_are_those_that_read_the_scope():
    files = {p.stem for p in (REPO / "warehouse" / "queries").glob("dashboard_*.sql")}
    personal = {name for name in files - {data.OVERLAY} if data.is_personal(name)}
    # a new query showing people is added to personal_calls (and scoped); test_dashboard.py
    # checks that every query returning a personal column is one of these
    assert personal == set(PERSONAL_QUERIES)
    for name in personal:
        assert {"see_rows", "scope_town"} <= data.query_parameters(name), name


def test_two_townships_scopes_see_disjoint_personal_rows_each_in_its_township(live):
    con = data.connect(live)
    try:
        for name, params in personal_calls().items():
            everyone = run_scoped(con, name, params, data.Scope(True, True, None))
            assert everyone.height, name
            seen = {}
            for town in (TOWN_TUQIAO, TOWN_DIMIAO, OFFICER_TOWN):
                frame = run_scoped(con, name, params, data.Scope(True, True, town))
                seen[town] = people(frame)
                assert seen[town] <= people(everyone), name
            towns = list(seen)
            for i, a in enumerate(towns):
                for b in towns[i + 1 :]:
                    # a row in two townships (roster in one, ledger in the other) is the one
                    # the rule allows in both; the fixture has none
                    assert not seen[a] & seen[b], (name, a, b, seen[a] & seen[b])
            assert sum(map(len, seen.values())) > 0, name
            # a 领导 sees no personal row at all
            assert run_scoped(con, name, params, data.Scope(False, False, None)).is_empty()
            if name == "dashboard_entity_key":
                continue  # read by the data module for the journal, never shown
            # masked: no full ID anywhere
            masked = run_scoped(con, name, params, data.Scope(True, False, None))
            text = masked.write_csv()
            assert not FULL_ID.search(text), name
    finally:
        con.close()


def test_a_failing_row_is_seen_in_its_ledger_rows_township_and_its_roster_rows(live):
    """A person listed in the roster in one township and in a ledger under another: both
    townships' officers see the failing ledger row."""
    con = duckdb_connect(live)
    try:
        con.execute(
            "UPDATE check_failures SET ledger_town_code = ? WHERE entity_key = ?",
            [TOWN_DIMIAO, P[8].id_number],
        )
        (roster_town,) = con.execute(
            "SELECT DISTINCT town_code FROM check_failures WHERE entity_key = ?", [P[8].id_number]
        ).fetchone()
    finally:
        con.close()
    assert roster_town == OFFICER_TOWN
    con = data.connect(live)
    try:
        params = personal_calls()["dashboard_check_failures"]
        for town in (OFFICER_TOWN, TOWN_DIMIAO):
            frame = run_scoped(
                con, "dashboard_check_failures", params, data.Scope(True, True, town)
            )
            assert P[8].id_number in frame["id_number"].to_list(), town
        frame = run_scoped(
            con, "dashboard_check_failures", params, data.Scope(True, True, TOWN_TUQIAO)
        )
        assert P[8].id_number not in frame["id_number"].to_list()
    finally:
        con.close()


def duckdb_connect(path: Path):
    import duckdb

    return duckdb.connect(str(path))


# -- Each role under AppTest ---------------------------------------------------------------


def rows_tab(live, monkeypatch, role: str) -> AppTest:
    return opener(live, monkeypatch, role)(CHECKS, check="X04", month=LATEST_FIRST)


@covers(CHECKS)
def test_a_leader_sees_counts_and_no_personal_row(live, monkeypatch):
    at = rows_tab(live, monkeypatch, "leader")
    assert not [d for d in at.dataframe if "身份证号" in " ".join(d.value.columns)]
    assert any("只查看汇总数字" in i.value for i in at.info)
    at.session_state[checks.TAB_KEY] = checks.EXCEPTIONS
    at.run()
    assert not at.exception and not at.dataframe


@covers(CHECKS)
def test_an_analyst_sees_every_township_masked(live, monkeypatch):
    at = rows_tab(live, monkeypatch, "analyst")
    (rows,) = [d.value for d in at.dataframe if "身份证号（已脱敏）" in d.value.columns]
    # P8 (城关街道) and P9 (土桥镇): every township (P7's rows are an accepted exception)
    assert len(rows) == 2 and set(rows["镇（街道）"]) == {"城关街道", "土桥镇"}
    assert not FULL_ID.search(page_text(at))


@covers(CHECKS)
def test_a_town_officer_sees_the_townships_rows_unmasked_and_no_other(live, monkeypatch):
    at = rows_tab(live, monkeypatch, "town_officer")
    (rows,) = [d.value for d in at.dataframe if "身份证号" in d.value.columns]
    assert rows["身份证号"].tolist() == [P[8].id_number]  # 城关街道's only failing person
    assert set(rows["镇（街道）"]) == {"城关街道"}
    # a link to another township's village shows none of its people
    other = opener(live, monkeypatch, "town_officer")(
        DATA, town=TOWN_TUQIAO, check="X04", month=LATEST_FIRST
    )
    text = page_text(other)
    assert P[9].id_number not in text and P[9].id_number[-4:] not in text
    assert not [d for d in other.dataframe if "身份证号" in d.value.columns and len(d.value)]


@covers(CHECKS)
def test_a_data_officer_sees_every_row_unmasked_and_its_views_are_audited(live, monkeypatch):
    at = rows_tab(live, monkeypatch, "data_officer")
    (rows,) = [d.value for d in at.dataframe if "身份证号" in d.value.columns]
    assert P[8].id_number in rows["身份证号"].tolist()
    views = [e for e in audit.entries(live) if e["action"] == "view_personal"]
    assert views and views[-1]["who"] == "data_officer"
    assert views[-1]["details"]["filters"]["check"] == "X04"
    assert not FULL_ID.search(json.dumps(views, ensure_ascii=False))


@covers(ADMIN)
def test_an_admin_manages_accounts_and_reads_the_audit_trail(live, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    at = opener(live, monkeypatch, "admin")(ADMIN)
    assert not at.exception
    listed = at.dataframe[0].value
    assert set(listed["账号"]) == set(accounts.ROLES)
    at.text_input(key="add_username").input("wang.li")
    at.text_input(key="add_name").input("王丽")
    at.selectbox(key="add_role").set_value("town_officer")
    at.selectbox(key="add_town").set_value(TOWN_TUQIAO)
    at.button(key="add_submit").click().run()
    assert not at.exception
    (said,) = [s.value for s in at.success]
    password = said.split("初始密码：")[1].split("（")[0]
    assert accounts.verify("wang.li", password).town == TOWN_TUQIAO
    at.selectbox(key="change_username").set_value("wang.li")
    at.radio(key="change_action").set_value("disable")
    at.button(key="change_submit").click().run()
    assert accounts.verify("wang.li", password) is None
    trail = [d.value for d in at.dataframe if "操作" in d.value.columns][0]
    assert {"账号变更"} <= set(trail["操作"])
    workbook = openpyxl.load_workbook(io.BytesIO(downloads["操作记录.xlsx"]()))
    assert workbook.active["A1"].value == "时间"
    assert any(e["action"] == "export" for e in audit.entries(live))
    # an admin sees personal rows masked, and cannot download them
    at = opener(live, monkeypatch, "admin")(CHECKS, check="X04", month=LATEST_FIRST)
    assert [d for d in at.dataframe if "身份证号（已脱敏）" in d.value.columns]
    assert "download_check_rows" not in {b.key for b in at.get("download_button")}


@pytest.mark.parametrize("role", ["leader", "analyst", "town_officer", "data_officer"])
def test_only_an_admin_has_the_admin_page(live, monkeypatch, role):
    at = opener(live, monkeypatch, role)()
    with pytest.raises(ValueError):
        at.switch_page(ADMIN.path)
    viewer = auth.Viewer(role, "x", role, None, "test")
    with pytest.raises(PermissionError):
        data.Warehouse(data._stat_version(live), viewer).audit_entries()


# -- Strangers and the login form ------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_path)
def test_a_stranger_sees_the_login_form_and_nothing_else(live, monkeypatch, page):
    make_accounts(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"town": TOWN_TUQIAO, "month": LATEST_FIRST, "check": "X04"})
    at.run()
    if not page.default:
        at.switch_page(page.path).run()
    assert not at.exception
    assert at.text_input(key="login_username") and at.text_input(key="login_password")
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert not at.get("download_button")
    text = page_text(at)
    assert not FULL_ID.search(text) and "********" not in text and "城关街道" not in text


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="FormSubmitter:login-登录").click().run()
    return at


def test_the_login_form_signs_in_on_the_deep_link_and_refuses_a_wrong_password(live, monkeypatch):
    make_accounts(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"check": "X04", "month": LATEST_FIRST})
    at.run()
    log_in(at, "analyst", "wrong-password")
    assert any("账号或密码不正确" in e.value for e in at.error)
    assert not at.dataframe
    log_in(at, "analyst", "password-analyst")
    assert not at.exception
    assert at.selectbox(key="filter_month").value == LATEST_FIRST  # the link's filters
    assert at.button(key="logout")
    kinds = [(e["action"], e["who"]) for e in audit.entries(live)]
    assert ("login_failed", "analyst") in kinds and ("login", "analyst") in kinds
    # logout ends the session: the next run is the login form again
    at.button(key="logout").click().run()
    assert at.text_input(key="login_username") and not at.metric
    assert ("logout", "analyst") in [(e["action"], e["who"]) for e in audit.entries(live)]


def test_repeated_failures_are_slowed(monkeypatch, tmp_path):
    make_accounts(monkeypatch)
    assert [auth.delay_for(n) for n in range(8)] == [0, 0, 0, 2, 4, 8, 16, 30]
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(tmp_path / "xunyi.duckdb"))
    monkeypatch.setattr(auth, "delay_for", lambda n: 0.0)  # the count, not the waiting
    for _ in range(4):
        assert auth.log_in("leader", "nope-nope", "10.0.0.9")[0] is None
    assert auth.recent_failures("leader", "10.0.0.9") == 4
    assert auth.recent_failures("someone", "10.0.0.9") == 4  # by address too
    assert auth.log_in("leader", "password-leader", "10.0.0.9")[0] is not None
    assert auth.recent_failures("leader", "10.0.0.8") == 0  # a success clears the account's


def test_idle_ended_and_disabled_sessions_end(monkeypatch):
    path = make_accounts(monkeypatch)
    account = accounts.read_accounts()["analyst"]
    token = auth.start_session(account, "t")
    assert auth.resume(token).username == "analyst"
    # idle longer than the limit
    with sqlite3.connect(auth.store_path()) as con:
        con.execute("UPDATE sessions SET last_seen = ?", (time.time() - auth.idle_seconds() - 5,))
    assert auth.resume(token) is None
    assert auth.resume(token) is None  # and it stays ended
    # logged out
    token = auth.start_session(account, "t")
    auth.end_session(token)
    assert auth.resume(token) is None
    # disabled while signed in
    token = auth.start_session(account, "t")
    accounts.set_disabled("analyst", True, path)
    assert auth.resume(token) is None
    # the cookie: signed, and refused when tampered with
    cookie = auth.signed("abc")
    assert auth.unsigned(cookie) == "abc"
    assert auth.unsigned(cookie[:-2] + "xx") is None


def test_the_accounts_file_keeps_only_slow_hashes(monkeypatch):
    path = make_accounts(monkeypatch)
    text = path.read_text(encoding="utf-8")
    assert "password-analyst" not in text and "$argon2id$" in text
    assert path.stat().st_mode & 0o077 == 0
    with pytest.raises(accounts.AccountError):
        accounts.add_user("x1", "short", "analyst", path=path)
    with pytest.raises(accounts.AccountError):
        accounts.add_user("x2", "long-enough-1", "town_officer", town="999", path=path)
    assert accounts.role_code("乡镇专员") == "town_officer"


def test_the_users_command_adds_lists_disables_and_resets(tmp_path):
    env = {"XUNYI_ACCOUNTS": str(tmp_path / "a.toml"), "PATH": "/usr/bin:/bin"}
    warehouse = ["--warehouse", str(tmp_path / "xunyi.duckdb")]

    def etl(*args):
        return subprocess.run(
            [sys.executable, "-m", "etl", "users", *warehouse, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )

    added = etl("add", "li.si", "--role", "数据专员", "--name", "李四")
    assert added.returncode == 0, added.stderr
    password = added.stdout.split("初始密码：")[1].strip()
    assert accounts.verify("li.si", password, tmp_path / "a.toml").role == "data_officer"
    assert "李四" in etl("list").stdout
    assert etl("disable", "li.si").returncode == 0
    assert accounts.verify("li.si", password, tmp_path / "a.toml") is None
    assert "已停用" in etl("list").stdout
    reset = etl("reset", "li.si")
    new = reset.stdout.split("新密码：")[1].strip()
    etl("enable", "li.si")
    assert accounts.verify("li.si", new, tmp_path / "a.toml") is not None
    refused = etl("add", "li.si", "--role", "领导")
    assert refused.returncode == 2 and "已存在" in refused.stderr
    trail = audit.entries(tmp_path / "xunyi.duckdb")
    assert [e["action"] for e in trail] == ["account"] * 4  # add, disable, reset, enable


# -- Safe exports ------------------------------------------------------------------------


def test_an_export_neutralises_formulas_keeps_numbers_and_loads_back_unchanged(tmp_path):
    frame = pl.DataFrame(
        {
            "说明": ["=cmd|' /C calc'!A0", "@SUM(1+1)", "正常文字", "-需要核实", "\t+1"],
            "金额": [-5, 3, 0, 1, 2],
        }
    )
    content = data.Table(frame).excel()
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    sheet = openpyxl.load_workbook(path).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, 7)]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert cells[0].value == "'=cmd|' /C calc'!A0" and cells[1].value == "'@SUM(1+1)"
    assert cells[2].value == "正常文字"
    amount = sheet.cell(row=2, column=2)
    assert amount.data_type == "n" and amount.value == -5
    # the loader reads it back as it was sent
    grid = read_grid(path, "数据").cells
    assert grid["c0"].to_list()[1:] == frame["说明"].to_list()
    assert grid["c1"].to_list()[1:] == ["-5", "3", "0", "1", "2"]


# -- The audit trail ---------------------------------------------------------------------


def test_the_audit_trail_holds_each_kind_and_outlives_a_publish(live, monkeypatch, tmp_path):
    downloads = capture_downloads(monkeypatch)
    make_accounts(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    log_in(at, "data_officer", "password-data_officer")
    at.switch_page(CHECKS.path)
    at.query_params.update({"check": "X04", "month": LATEST_FIRST})
    at.run()
    assert not at.exception
    # an unmasked view (the rows tab), an export, an exception, an upload
    downloads["核查问题行_X04_" + LATEST_FIRST + ".xlsx"]()
    ref = hashlib.md5(f"X04|{P[8].id_number}".encode()).hexdigest()
    at.selectbox(key="accept_entity").set_value(ref)
    at.text_area(key="accept_reason").set_value("异地务工，已核实")
    at.button(key="accept_submit").click().run()
    assert not at.exception
    at.session_state[checks.TAB_KEY] = checks.UPLOAD
    at.run()
    fix = write_officer_may_fix(tmp_path / "fix" / "employment.xlsx")
    at.selectbox(key="upload_source").set_value("employment")
    at.file_uploader(key="upload_file").set_value(("更正.xlsx", fix.read_bytes(), "x"))
    at.button(key="upload_submit").click().run()  # publishes a new warehouse
    assert not at.exception
    entries = audit.entries(live)
    kinds = {e["action"] for e in entries}
    assert {"login", "view_personal", "export", "exception_accepted", "upload"} <= kinds
    for entry in entries:
        assert entry["at"] and entry["who"], entry
        assert not FULL_ID.search(json.dumps(entry, ensure_ascii=False)), entry
    # and a publish from the command line keeps them all and adds its own
    from etl.cli import main

    assert main(["validate", "--warehouse", str(live)]) in (0, 1)
    after = audit.entries(live)
    assert after[: len(entries)] == entries
    assert after[-1]["action"] == "load"
