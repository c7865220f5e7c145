"""Pieces every page uses: the warehouse or a clear message, and tables with their download."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from dashboard import data, filters, labels


def require_warehouse(before_stop: Callable[[], None] | None = None) -> data.Warehouse:
    """The published warehouse; without one, say what to do (then `before_stop`) and stop."""
    warehouse = data.warehouse()
    if warehouse is None:
        st.warning(
            f"尚未找到已发布的数据仓库（{data.warehouse_path()}）。\n\n"
            "请先加载台账：`python -m etl run <台账目录>`（或 `make run` 生成演示数据），"
            "也可以用环境变量 XUNYI_WAREHOUSE 指定数据仓库文件。数据发布后刷新本页即可。",
            icon=":material/database_off:",
        )
        if before_stop is not None:
            before_stop()
        st.stop()
    return warehouse


def table(
    table: data.Table,
    *,
    file_name: str,
    key: str,
    empty: str = "没有数据。",
    height: int | str = "auto",
    downloadable: bool = True,
) -> None:
    """A table on screen (capped, and saying so) with its .xlsx download (every row) —
    unless the page offers the download another way (`downloadable=False`)."""
    if table.total == 0:
        st.caption(f":material/check: {empty}")
        return
    column_config = {
        column: st.column_config.NumberColumn(column, format="percent")
        for column in table.percent_columns
    }
    st.dataframe(
        table.shown, hide_index=True, column_config=column_config, height=height, placeholder="—"
    )
    note = table.cap_note
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(f":material/info: {note}" if note else f"共 {table.total:,} 行")
    if not downloadable:
        return
    if not table.downloadable:
        right.caption(":material/lock: 您的角色不能下载个人明细")
        return
    right.download_button(
        "下载 Excel",
        data=table.excel,  # built when clicked: a page view never pays for the workbook
        file_name=file_name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=key,
        on_click="ignore",
        width="stretch",
    )


def personal_rows_shown(warehouse: data.Warehouse, count: int | None = None) -> bool:
    """Does the viewer's role see personal rows? If not, say so (with the count, if any)."""
    viewer = warehouse.viewer
    if warehouse.scope.see_rows:
        if warehouse.scope.town:
            from etl.gazetteer import gazetteer

            town = gazetteer().towns[warehouse.scope.town].name
            st.caption(
                f":material/location_on: 只显示{town}的明细（您的辖区），身份证号与姓名不脱敏。"
            )
        return True
    counted = f"（{count:,} 个对象）" if count else ""
    st.info(
        f"您的角色（{viewer.title}）只查看汇总数字，不查看个人明细{counted}。",
        icon=":material/visibility_off:",
    )
    return False


@dataclass(frozen=True)
class Selection:
    """The month and place a page shows (from the URL, through the three selectors)."""

    month: str
    place: data.Place
    towns: dict[str, str]  # code → name
    villages: dict[str, str]  # the chosen township's villages, code → name

    @property
    def place_name(self) -> str:
        if self.place.village:
            return self.towns[self.place.town] + self.villages[self.place.village]
        return self.towns.get(self.place.town, "全县")


def month_and_place(warehouse: data.Warehouse, months: list[str]) -> Selection:
    """The month, township and village selectors in a row (URL parameters month, town, village)."""
    towns = warehouse.towns()
    left, middle, right = st.columns(3)
    with left:
        month = filters.select(
            "月份", "month", months, default=months[0], format_func=labels.month_name
        )
    with middle:
        town = filters.select(
            "镇（街道）",
            "town",
            [filters.ALL, *towns],
            default=filters.ALL,
            format_func=lambda code: towns.get(code, "全县"),
        )
    villages = warehouse.villages(town) if town else {}
    with right:
        village = filters.select(
            "行政村",
            "village",
            [filters.ALL, *villages],
            default=filters.ALL,
            format_func=lambda code: villages.get(code, "全镇（街道）"),
            disabled=not town,
            help="先选择镇（街道）",
        )
    return Selection(month, data.Place(town or None, village or None), towns, villages)


def check_entry(check: str, entry: dict) -> None:
    """One check's catalog entry and verdict: its rule, ledgers and who corrects it, and why
    it was not evaluated or is stale."""
    with st.container(border=True, key="check_entry"):
        st.markdown(
            f"**{check} {entry['check_title']}** · "
            f"{labels.WORDS['severity'][entry['severity']]} · "
            f"{labels.WORDS['check_status'][entry['check_status']]}"
        )
        st.markdown(f"核查规则：{entry['rule']}")
        st.markdown(f"涉及台账：{entry['ledgers']}")
        st.markdown(f"由谁更正：{entry['responsible']}")
        if entry.get("accepted_rows"):
            st.markdown(f"已接受为例外：{entry['accepted_rows']} 个对象（不再报为问题）")
        if entry["note"]:
            st.info(f"未核查的原因：{entry['note']}", icon=":material/info:")
        if entry["stale"]:
            st.warning(
                "这项核查是在本月最新文件加载之前做的，结果已过期：请重新运行核查。",
                icon=":material/history:",
            )
