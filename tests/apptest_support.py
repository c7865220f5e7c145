"""Support for the dashboard's AppTest tests (tests/test_dashboard.py, tests/test_checks_page.py):
opening a page as a browser would, reading what it shows (tables, metrics, chart specs, all
its text), capturing its downloads, and which test covers which page.

Coverage: a test marks the pages it exercises with `@covers(PAGE)`; `covered_pages()` reads
those marks from the source of every tests/test_*.py, so the meta-test in test_dashboard.py
sees the marks of every file whether or not it was imported in this session.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from dashboard import harness, navigation
from dashboard.navigation import OVERVIEW, PageSpec

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
APP = str(REPO / "dashboard" / "app.py")

# -- Which test covers which page ------------------------------------------------------------


def covers(page: PageSpec) -> Callable:
    """Mark a test as an AppTest test of `page` (read back by `covered_pages`)."""

    def mark(test: Callable) -> Callable:
        test.covers = (*getattr(test, "covers", ()), page.path)
        return test

    return mark


def covered_pages(directory: Path = TESTS) -> dict[str, list[str]]:
    """Page path → the tests marked `@covers(PAGE)` in `directory`'s test_*.py files.

    PAGE is a name of dashboard/navigation.py (`CHECKS`, or `navigation.CHECKS`); a name it
    does not declare is listed under `<unknown NAME>`, a mark on a function that pytest
    does not collect (not test_*) under `<not a test: …>`, so the meta-test fails on both.
    """
    found: dict[str, list[str]] = {}
    for path in sorted(directory.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Name)
                    and decorator.func.id == "covers"
                ):
                    continue
                (arg,) = decorator.args
                name = arg.id if isinstance(arg, ast.Name) else getattr(arg, "attr", "?")
                page = getattr(navigation, name, None)
                key = page.path if isinstance(page, PageSpec) else f"<unknown {name}>"
                if not node.name.startswith("test_"):
                    key = f"<not a test: {node.name}>"
                found.setdefault(key, []).append(f"{path.name}::{node.name}")
    return found


# -- Opening pages ---------------------------------------------------------------------------


# The township of the 乡镇专员 the tests sign in as (城关街道).
OFFICER_TOWN = harness.OFFICER_TOWN


def make_accounts(monkeypatch) -> Path:
    """An accounts file of its own for this test, with one account per role (username =
    role code, password `password-<role>`: dashboard/harness.py), named by $XUNYI_ACCOUNTS."""
    path = Path(tempfile.mkdtemp(prefix="xunyi-accounts-")) / "accounts.toml"
    monkeypatch.setenv("XUNYI_ACCOUNTS", str(path))
    return harness.role_accounts(path)


sign_in = harness.sign_in_apptest


def opener(warehouse: Path, monkeypatch, role: str = "analyst") -> Callable[..., AppTest]:
    """`open_page(page, **params)`: the app on `warehouse`, signed in as `role` (a test
    account), after a first run on the default page (as a browser would), then on `page`,
    with URL params."""
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(warehouse))
    make_accounts(monkeypatch)

    def open_page(page: PageSpec = OVERVIEW, *, as_role: str | None = None, **params: str):
        at = sign_in(AppTest.from_file(APP, default_timeout=60), as_role or role)
        at.query_params.update(params)
        at.run()
        if not page.default:
            at.switch_page(page.path).run()
        assert not at.exception, at.exception
        return at

    return open_page


def capture_downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """File name → the callable a download button would run when clicked."""
    registered: dict[str, Callable[[], bytes]] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        registered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return registered


# -- Reading the warehouse -------------------------------------------------------------------


def sql(warehouse: Path, query: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


# -- Reading the page ------------------------------------------------------------------------


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly specs by the chart's key (trend_A4-TRAINED, towns_chart, villages_chart, …)."""
    return {chart_key(c): json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def chart_key(chart) -> str:
    """The key a page gave a chart (an element id is `$$ID-<hash>-<key>`)."""
    return user_key_from_element_id(chart.proto.id)


def trace(spec: dict, name: str) -> dict | None:
    return next((t for t in spec["data"] if t.get("name") == name), None)


def table(at: AppTest, column: str):
    """The table on the page that has `column` (pandas, as AppTest gives it)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables with a column {column!r}"
    return found[0]


def cells(column) -> list:
    """A column of a page's table as plain values, a missing one (NaN, NA, None) as None."""
    return [None if pd.isna(v) else v for v in column.tolist()]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


INTERNAL_IDS = re.compile(r'^\s*\w*(id|hash|url): ".*"$', re.MULTILINE)


def page_text(at: AppTest) -> str:
    """Everything the page sends to the browser, as text (tables in full)."""
    parts = [json.dumps(dict(at.query_params), ensure_ascii=False)]

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children is not None:
            for child in children.values():
                walk(child)
            return
        if getattr(node, "type", None) == "dataframe":
            parts.append(node.value.to_csv())
        proto = getattr(node, "proto", None)
        if proto is not None:
            # Streamlit's own random hex ids and hashes are not content (and can hold 18 digits)
            parts.append(INTERNAL_IDS.sub("", str(proto)))

    walk(at._tree)
    return "\n".join(parts)


def workbook(content: bytes) -> pl.DataFrame:
    return pl.read_excel(io.BytesIO(content), engine="calamine")
