"""数据 — what came in and what failed, for data officers.

The month's data checks (failed first) and, for one check, every failing row with the file
and row a clerk can find; the load log of every file offered; the cells quarantined at load
time with their reasons. Every table downloads as .xlsx, masked, with every row. Last, the
blank template of each source, to hand out to the departments (offered without data too).
"""

from __future__ import annotations

from pathlib import PurePosixPath

import streamlit as st

from dashboard import filters, labels, templates, ui
from dashboard.navigation import ACTION, CHECKS

# The templates are offered even before any data: a county starts by handing them out.
warehouse = ui.require_warehouse(before_stop=templates.section)

st.title("数据：文件加载与数据核查")
months = warehouse.months()
if not months:
    st.info("数据仓库中还没有任何月份的数据。", icon=":material/hourglass_empty:")
    templates.section()
    st.stop()
selection = ui.month_and_place(warehouse, months)
month, place, place_name = selection.month, selection.place, selection.place_name
town = place.town

left, right = st.columns(2)
left.page_link(
    ACTION.path,
    label="返回行动详情（各项指标）",
    icon=":material/monitoring:",
    query_params=filters.current(["month", "town", "village"]),
)
right.page_link(
    CHECKS.path,
    label="到核查页处理问题：部门待办、整改清单、上传更正、例外、核查历史",
    icon=":material/task_alt:",
    query_params=filters.current(["month"]),
)

# -- Checks ------------------------------------------------------------------------------

st.header("数据核查", divider="gray")
results = warehouse.check_results(month, place)
if results.is_empty():
    st.info(
        f"{labels.month_name(month)}还没有核查结果（运行 `python -m etl validate` 后显示）。",
        icon=":material/pending:",
    )
else:
    failed = results.filter(results["check_status"] == "failed")
    st.markdown(
        f"{labels.month_name(month)}共 {results.height} 项核查，"
        f"**{failed.height} 项未通过**"
        + (f"（{place_name}的问题数见表中“所选地区”一列）" if town else "")
    )
    ui.table(
        warehouse.check_results_table(month, place),
        file_name=f"数据核查结果_{month}.xlsx",
        key="download_check_results",
    )

    entries = {row["check_id"]: row for row in results.to_dicts()}
    default_check = failed["check_id"][0] if failed.height else results["check_id"][0]
    check = filters.select(
        "查看核查项的问题行",
        "check",
        list(entries),
        default=default_check,
        format_func=lambda cid: (
            f"{cid} {entries[cid]['check_title']}"
            f"（{labels.WORDS['check_status'][entries[cid]['check_status']]}）"
        ),
    )
    ui.check_entry(check, entries[check])
    if ui.personal_rows_shown(warehouse, entries[check].get("failing_rows")):
        failures = warehouse.check_failures(check, month, place)
        ui.table(
            failures,
            file_name=f"核查问题行_{check}_{month}.xlsx",
            key="download_check_failures",
            empty=f"{place_name}在{labels.month_name(month)}没有这项核查的问题行。",
        )

# -- Files -------------------------------------------------------------------------------

st.header("文件加载记录", divider="gray")
all_months = st.toggle(
    "显示所有月份的文件",
    key="all_months",
    help="默认只显示本月、本季度、本年度的文件，以及无法确定统计期而被拒收的文件",
)
ui.table(
    warehouse.load_log(month, all_months),
    file_name=f"文件加载记录_{'全部' if all_months else month}.xlsx",
    key="download_load_log",
)

st.header("隔离的单元格（未入库）", divider="gray")
st.caption(
    "加载时不符合填报规则的单元格：所在行没有入库。按文件和行号找到原表更正后重新报送。"
    + (
        "身份证号与姓名按原样显示（您的角色可查看）。"
        if warehouse.scope.unmask
        else "身份证号只显示前 6 位和后 4 位，姓名只显示姓。"
    )
)
files = warehouse.quarantine_files(month, all_months)
if files.is_empty():
    st.caption(":material/check: 所选范围内的文件没有被隔离的单元格。")
elif ui.personal_rows_shown(warehouse, int(files["bad_rows"].sum())):  # a 领导 sees the count
    described = {
        row[
            "file_name"
        ]: f"{row['source_title']}｜{row['period']}｜{row['file_name']}｜{row['bad_rows']} 行"
        for row in files.to_dicts()
    }
    chosen = st.selectbox(
        "文件",
        [filters.ALL, *described],
        key="quarantine_file",
        format_func=lambda name: described.get(name, f"全部 {len(described)} 个文件"),
        help="选择一个文件，可以单独下载它的隔离单元格，发给报送这个文件的经办人更正",
    )
    quarantined = warehouse.quarantine(month, all_months, chosen or None)
    if chosen and quarantined.total and quarantined.downloadable:
        st.download_button(
            f"下载此文件的隔离单元格（{quarantined.total} 个），发给报送人更正",
            data=quarantined.excel,
            file_name=f"隔离单元格_{PurePosixPath(chosen).stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key="download_quarantine_file",
            on_click="ignore",
            type="primary",
        )
    else:
        st.caption(":material/touch_app: 选择一个文件，可单独下载它的隔离单元格发给报送人。")
    ui.table(
        quarantined,
        file_name=f"隔离单元格_{'全部' if all_months else month}.xlsx",
        key="download_quarantine",
    )

# -- Templates ---------------------------------------------------------------------------

templates.section()
