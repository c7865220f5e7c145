"""核查 — from a red check to the department that fixes it, to the corrected file, to green.

For data officers, in tabs: the month's checks and their trend; one check's failing rows
with an entity's rows side by side, and recording one as an accepted exception; each
department's to-do across months with its Excel fix sheet and its quarantined files; the
upload of a corrected extract; the exceptions (and withdrawing one); what the last
validation turned red or green. The month and the check travel in the URL (a link with
`check` opens the check's failing rows). The sections are in dashboard/checks.py.
"""

from __future__ import annotations

import streamlit as st

from dashboard import checks, filters, labels, ui
from dashboard.navigation import DATA

warehouse = ui.require_warehouse()

st.title("核查：问题的发现、更正与销号")
months = warehouse.months()
if not months:
    st.info(
        "数据仓库中还没有任何月份的数据。台账加载并核查后，这里会显示核查结果。",
        icon=":material/hourglass_empty:",
    )
    st.stop()

left, right = st.columns([1, 2], vertical_alignment="bottom")
with left:
    month = filters.select(
        "月份", "month", months, default=months[0], format_func=labels.month_name
    )
right.page_link(
    DATA.path,
    label="查看本月的文件加载记录与隔离的单元格",
    icon=":material/table_view:",
    query_params=filters.current(["month"]),
)
checks.show_flash()

tabs = checks.tabs()
for tab, section in zip(tabs, checks.SECTIONS, strict=True):
    with tab:
        if tab.open:
            section(warehouse, month)
