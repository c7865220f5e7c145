"""`status`: per source and month, which file stands, how its rows fared, and when."""

from __future__ import annotations

import sys
from pathlib import Path

from etl.declarations import sources
from etl.warehouse import connect_read_only, sql_text

STATUS_WORDS = {"loaded": "已加载", "unchanged": "未变化", "rejected": "已拒收"}
HEADERS = ["台账", "期间", "文件", "状态", "加载行数", "隔离行数", "跳过行数", "时间", "说明"]


def status_rows(warehouse: Path) -> list[list[str]]:
    con = connect_read_only(warehouse)
    try:
        rows = con.sql(sql_text("queries/load_status.sql")).fetchall()
    finally:
        con.close()
    titles = {name: s.title for name, s in sources().items()}
    out = []
    for source, period, file_name, status, loaded, quarantined, skipped, when, message in rows:
        out.append(
            [
                titles.get(source, source),
                period or "—",
                file_name,
                STATUS_WORDS.get(status, status),
                _n(loaded),
                _n(quarantined),
                _n(skipped),
                when.strftime("%Y-%m-%d %H:%M") if when else "—",
                message or "",
            ]
        )
    return out


def _n(value) -> str:
    return "—" if value is None else f"{value:,}"


def print_status(warehouse: Path, stream=None) -> int:
    stream = stream or sys.stdout
    if not warehouse.exists():
        print(f"还没有数据仓库：{warehouse}（先运行 python -m etl load 目录）", file=stream)
        return 0
    rows = status_rows(warehouse)
    if not rows:
        print("数据仓库中还没有加载任何文件。", file=stream)
        return 0
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*HEADERS, title="台账加载情况")
        for r in rows:
            table.add_row(*r)
        Console(file=stream).print(table)
    else:
        print("\t".join(HEADERS), file=stream)
        for r in rows:
            print("\t".join(r), file=stream)
    return 0
