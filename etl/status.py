"""`status`: per source and month, which file stands, how its rows fared, and when."""

from __future__ import annotations

import sys
from pathlib import Path

from etl.declarations import sources
from etl.warehouse import connect_read_only, sql_text

STATUS_WORDS = {"loaded": "已加载", "unchanged": "未变化", "rejected": "已拒收"}
HEADERS = ["台账", "期间", "文件", "状态", "加载行数", "隔离行数", "跳过行数", "时间", "说明"]
CHECK_HEADERS = ["月份", "错误级未通过", "警告级未通过", "通过", "未核查", "核查时间"]


def status_rows(warehouse: Path) -> tuple[list[list[str]], list[list[str]]]:
    """(per source and period, per month's checks) as printable Chinese rows."""
    con = connect_read_only(warehouse)
    try:
        loads = con.sql(sql_text("queries/load_status.sql")).fetchall()
        months = con.sql(sql_text("queries/check_status.sql")).fetchall()
    finally:
        con.close()
    titles = {name: s.title for name, s in sources().items()}
    load_rows = [
        [
            titles.get(source, source),
            period or "—",
            file_name,
            STATUS_WORDS.get(status, status),
            _n(loaded),
            _n(quarantined),
            _n(skipped),
            _when(when),
            message or "",
        ]
        for source, period, file_name, status, loaded, quarantined, skipped, when, message in loads
    ]
    check_rows = [
        [period, _n(e), _n(w), _n(p), _n(x), _when(at)] for period, e, w, p, x, at in months
    ]
    return load_rows, check_rows


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def _n(value) -> str:
    return "—" if value is None else f"{value:,}"


def print_status(warehouse: Path, stream=None) -> int:
    stream = stream or sys.stdout
    if not warehouse.exists():
        print(f"还没有数据仓库：{warehouse}（先运行 python -m etl load 目录）", file=stream)
        return 0
    load_rows, check_rows = status_rows(warehouse)
    if not load_rows:
        print("数据仓库中还没有加载任何文件。", file=stream)
        return 0
    _table("台账加载情况", HEADERS, load_rows, stream)
    if check_rows:
        print(file=stream)
        _table("各月数据核查", CHECK_HEADERS, check_rows, stream)
    return 0


def _table(title: str, headers: list[str], rows: list[list[str]], stream) -> None:
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, title=title)
        for r in rows:
            table.add_row(*r)
        Console(file=stream).print(table)
    else:
        print(f"# {title}", file=stream)
        print("\t".join(headers), file=stream)
        for r in rows:
            print("\t".join(r), file=stream)
