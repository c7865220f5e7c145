"""The 核查 page's sections (dashboard/views/checks_page.py lays them out in tabs).

Each section is a function of the warehouse version and the month; the numbers come from
`dashboard.data`, which also records and withdraws exceptions in the journal. Only the
open tab runs (Streamlit's stateful tabs), so a tab's queries cost nothing until it is
opened. A widget of a closed tab loses its state, so choices that should survive a switch
of tab (the department) are kept under keys of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

import polars as pl
import streamlit as st

from dashboard import charts, data, filters, labels, ui

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TAB_KEY = "checks_tab"
OVERVIEW, ROWS, TODO, UPLOAD, EXCEPTIONS, HISTORY = (
    "核查概况",
    "问题行",
    "部门待办",
    "上传更正",
    "例外",
    "核查历史",
)
TABS = (OVERVIEW, ROWS, TODO, UPLOAD, EXCEPTIONS, HISTORY)

FLASH_KEY = "checks_flash"
DEPARTMENT_KEY = "todo_department"  # remembered across tabs
COUNTY = data.Place()


def tabs() -> list:
    """The page's tabs. A link that names a check (`check=X04`) opens on its failing rows."""
    if TAB_KEY not in st.session_state and st.query_params.get("check"):
        st.session_state[TAB_KEY] = ROWS
    return st.tabs(list(TABS), key=TAB_KEY, on_change="rerun")


def open_tab(tab: str, **params: str) -> None:
    """A button's callback: switch to `tab`, with URL parameters (a check) set first."""
    for name, value in params.items():
        st.query_params[name] = value
    st.session_state[TAB_KEY] = tab


def flash(message: str) -> None:
    """A message for the next run (a form that wrote to the journal reruns the page)."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def _download(label: str, table: data.Table, file_name: str, key: str, sheet: str) -> None:
    if not table.downloadable:
        return
    st.download_button(
        label,
        data=lambda: table.excel(sheet),  # built when clicked
        file_name=file_name,
        mime=XLSX,
        icon=":material/download:",
        key=key,
        on_click="ignore",
        type="primary",
    )


def _remembered(key: str, options: list[str], default: str | None) -> None:
    """Put the remembered choice (or `default`) in the widget `key` before it is drawn."""
    kept = st.session_state.get(f"_{key}")
    st.session_state[key] = kept if kept in options else default


def _remember(key: str) -> None:
    st.session_state[f"_{key}"] = st.session_state[key]


# -- 核查概况 -----------------------------------------------------------------------------


def overview(warehouse: data.Warehouse, month: str) -> None:
    results = warehouse.check_results(month, COUNTY)
    name = labels.month_name(month)
    if results.is_empty():
        st.info(
            f"{name}还没有核查结果（运行 `python -m etl validate` 后显示）。",
            icon=":material/pending:",
        )
    else:
        failed = results.filter(pl.col("check_status") == "failed")
        errors = failed.filter(pl.col("severity") == "error").height
        columns = st.columns(4)
        columns[0].metric("核查项", f"{results.height} 项")
        columns[1].metric(
            "未通过",
            f"{failed.height} 项",
            help=f"错误 {errors} 项，提醒 {failed.height - errors} 项",
        )
        columns[2].metric(
            "未通过的问题对象",
            f"{int(results['failing_rows'].fill_null(0).sum()):,} 个",
            help="各项核查的问题对象（人、户、村、合同……）之和；同一对象在两项核查中计两次",
        )
        columns[3].metric(
            "已接受为例外",
            f"{int(results['accepted_rows'].sum()):,} 个",
            help="已说明原因、不再报为问题的对象（见“例外”）",
        )
        if failed.height:
            st.markdown(f"**{name}未通过的核查**（点击查看问题行）")
            buttons = st.columns(3)
            for i, row in enumerate(failed.iter_rows(named=True)):
                buttons[i % 3].button(
                    f"{row['check_id']} {row['check_title']}（{row['failing_rows']} 个）",
                    key=f"open_check_{row['check_id']}",
                    on_click=open_tab,
                    args=(ROWS,),
                    kwargs={"check": row["check_id"]},
                    icon=":material/error:" if row["severity"] == "error" else ":material/warning:",
                    width="stretch",
                )
        else:
            st.success(f"{name}的核查全部通过。", icon=":material/check_circle:")
        st.subheader(f"{name}的每项核查：规则与由谁更正")
        ui.table(
            warehouse.check_results_table(month, COUNTY),
            file_name=f"核查结果_{month}.xlsx",
            key="download_checks_month",
        )
        st.subheader(f"{name}各部门待整改的问题行")
        st.caption(
            "问题行由它所在台账的报送部门更正（如务工台账的由县人社局、花名册的由县乡村振兴局）；"
            "涉及两个台账的一行（如到村的人数核对）两个部门都计入。"
        )
        ui.table(
            warehouse.departments_table(month),
            file_name=f"各部门待整改_{month}.xlsx",
            key="download_departments_month",
        )

    st.subheader("各月未通过的问题数")
    trend = warehouse.check_trend()
    if trend.is_empty():
        st.caption("还没有核查结果。")
        return
    st.plotly_chart(
        charts.failures_trend(trend, title="各月未通过的问题对象（按级别）"),
        config=charts.CONFIG,
        key="failures_trend_chart",
    )
    st.markdown("**每项核查各月的结果**（括号内为问题对象数）")
    ui.table(
        warehouse.check_matrix(),
        file_name="各月核查结果.xlsx",
        key="download_check_matrix",
    )


# -- 问题行 -------------------------------------------------------------------------------


def failing_rows(warehouse: data.Warehouse, month: str) -> None:
    results = warehouse.check_results(month, COUNTY)
    name = labels.month_name(month)
    if results.is_empty():
        st.info(f"{name}还没有核查结果。", icon=":material/pending:")
        return
    entries = {row["check_id"]: row for row in results.to_dicts()}
    failed = [c for c, e in entries.items() if e["check_status"] == "failed"]
    check = filters.select(
        "核查项",
        "check",
        list(entries),
        default=failed[0] if failed else next(iter(entries)),
        format_func=lambda cid: (
            f"{cid} {entries[cid]['check_title']}"
            f"（{labels.WORDS['check_status'][entries[cid]['check_status']]}"
            + (f"，{entries[cid]['failing_rows']} 个问题对象" if cid in failed else "")
            + "）"
        ),
    )
    entry = entries[check]
    ui.check_entry(check, entry)
    if entry["check_status"] == "passed":
        st.success(f"{check} 在{name}已通过。", icon=":material/check_circle:")
    if not ui.personal_rows_shown(warehouse, entry.get("failing_rows")):
        return
    failures = warehouse.check_failures(check, month, COUNTY)
    if failures.total:
        st.caption(
            "同一对象的各行排在一起（对象序号相同），如同一人在花名册的一行和在务工台账的一行："
            "对照“问题说明”看哪里不一致，按文件和行号找到原表更正。"
        )
    ui.table(
        failures,
        file_name=f"核查问题行_{check}_{month}.xlsx",
        key="download_check_rows",
        empty=f"{name}没有这项核查的问题行。",
    )
    if failures.total and warehouse.may_change:
        _accept_form(warehouse, check, month, months=warehouse.months())


def exception_months(month: str, latest: str) -> list[str]:
    """The months an exception found in `month` may hold up to: that month through the
    December of the later of its year and the latest month's year."""
    year, first = int(month[:4]), int(month[5:])
    last_year = max(year, int(latest[:4]))
    found = []
    for y in range(year, last_year + 1):
        for m in range(first if y == year else 1, 13):
            found.append(f"{y}-{m:02d}")
    return found


ACCEPT_FIELDS = ("accept_reason",)


def _accept_form(warehouse: data.Warehouse, check: str, month: str, months: list[str]) -> None:
    if st.session_state.pop("accept_clear", False):
        for key in ACCEPT_FIELDS:
            st.session_state.pop(key, None)
    candidates = warehouse.exception_candidates(check, month)
    with st.form("accept_form", border=True):
        st.markdown("**记录为可接受的例外**")
        st.caption(
            "问题确有合理原因（如异地参保、已核实凭证）时记录为例外：记录后这个对象在"
            "这项核查中、在有效期内的各月不再报为问题，随时可以在“例外”中撤销。"
        )
        entity = st.selectbox(
            "问题对象（按对象序号）",
            list(candidates),
            format_func=candidates.get,
            key="accept_entity",
        )
        up_to = st.selectbox(
            "有效至（含该月）",
            exception_months(month, months[0]),
            format_func=labels.month_name,
            key="accept_up_to",
        )
        reason = st.text_area(
            "接受理由",
            placeholder="如：异地参保，已核实参保凭证",
            max_chars=500,
            key="accept_reason",
        )
        st.caption(f"记录人：{warehouse.viewer.display_name}（{warehouse.viewer.username}）")
        submitted = st.form_submit_button(
            "记录例外", type="primary", icon=":material/verified:", key="accept_submit"
        )
    if not submitted:
        return
    try:
        with st.spinner("正在记录……（如有数据加载正在进行，需等它完成）"):
            accepted = warehouse.accept_exception(check, month, entity, up_to, reason)
    except data.ExceptionError as error:
        st.error(str(error), icon=":material/error:")
        return
    st.session_state["accept_clear"] = True
    flash(
        f"已记录例外（编号 {accepted.exception_id}）：这个对象在 {check} 中"
        f"至{labels.month_name(up_to)}不再报为问题。"
    )
    st.rerun()


# -- 部门待办 -----------------------------------------------------------------------------


def department_todo(warehouse: data.Warehouse, month: str) -> None:
    departments = warehouse.departments(None)
    rows = {r["department"]: r for r in departments.to_dicts()}
    names = list(rows)
    _remembered(DEPARTMENT_KEY, names, names[0] if names else None)
    department = st.selectbox(
        "部门",
        names,
        format_func=lambda d: f"{d}（待整改 {rows[d]['open_rows']} 行）",
        key=DEPARTMENT_KEY,
        on_change=_remember,
        args=(DEPARTMENT_KEY,),
    )
    if department is None:
        st.caption("还没有部门。")
        return
    row = rows[department]
    st.caption(
        "所有月份中仍未通过的问题行（不受上方月份的限制），最新月份在前。问题行由它所在台账的"
        "报送部门更正；涉及两个台账的一行两个部门都列出。更正后重新报送文件（或在“上传更正”"
        "中上传），核查通过后问题行自动消失。"
    )
    columns = st.columns(4)
    columns[0].metric("待整改问题行", f"{row['open_rows']:,} 行")
    columns[1].metric("其中错误", f"{row['error_rows']:,} 行")
    columns[2].metric("涉及核查项", f"{row['checks']} 项")
    columns[3].metric(
        "最近月份", labels.month_name(row["latest_period"]) if row["latest_period"] else "—"
    )
    if row["open_rows"] and ui.personal_rows_shown(warehouse, row["open_rows"]):
        _download(
            f"下载{department}的整改清单（Excel，{row['open_rows']} 行）",
            warehouse.fix_sheet(department),
            f"整改清单_{department}.xlsx",
            "download_fix_sheet",
            sheet="整改清单",
        )
        st.markdown("**按月份和核查项统计**")
        ui.table(
            warehouse.todo_counts(department),
            file_name=f"待整改统计_{department}.xlsx",
            key="download_todo_counts",
        )
        st.markdown("**待整改的问题行**")
        ui.table(
            warehouse.todo(department),
            file_name=f"整改清单_{department}.xlsx",
            key="download_todo",
            downloadable=False,  # the fix sheet above is this list, with the rules
        )
    else:
        st.success(f"{department}没有待整改的问题行。", icon=":material/check_circle:")
    st.button(
        "上传更正后的文件",
        icon=":material/upload_file:",
        key="todo_to_upload",
        on_click=open_tab,
        args=(UPLOAD,),
    )
    _quarantined_files(warehouse, department, month)


def _quarantined_files(warehouse: data.Warehouse, department: str, month: str) -> None:
    files = warehouse.quarantine_files_of(department)
    st.markdown(f"**{department}被隔离的文件**（加载时不符合填报规则、没有入库的行）")
    if files.is_empty():
        st.caption(":material/check: 没有被隔离的单元格。")
        return
    st.caption("每个文件的隔离单元格可以单独下载，发给报送这个文件的经办人更正。")
    for i, row in enumerate(files.iter_rows(named=True)):
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(
            f"{row['source_title']}｜{row['period']}｜`{row['file_name']}`｜"
            f"{row['bad_rows']} 行、{row['bad_cells']} 个单元格"
        )
        cells = warehouse.quarantine(month, True, row["file_name"])
        if not (cells.total and cells.downloadable):
            continue
        with right:
            st.download_button(
                "下载隔离单元格",
                data=cells.excel,
                file_name=f"隔离单元格_{PurePosixPath(row['file_name']).stem}.xlsx",
                mime=XLSX,
                icon=":material/download:",
                key=f"download_quarantine_{i}",
                on_click="ignore",
                width="stretch",
            )


# -- 上传更正 -----------------------------------------------------------------------------


UPLOAD_RESULT_KEY = "upload_result"  # the last upload's result, shown after the rerun
UPLOAD_SOURCE_KEY = "upload_source"


def upload(warehouse: data.Warehouse, month: str) -> None:
    if not warehouse.may_change:
        st.info(
            f"上传更正后的台账由数据专员办理；您的角色（{warehouse.viewer.title}）可以查看核查结果。",
            icon=":material/lock:",
        )
        return
    sources = warehouse.sources()
    st.caption(
        "部门更正后的文件在这里上传：按与命令行相同的填报规则加载（不符合规则的行被隔离），"
        "原文件存档，受影响的月份重新核查后发布，并列出哪些核查变绿、哪些变红。"
        f"文件须为 .xlsx、.xls 或 .csv，不超过 {data.upload_limit()}。"
    )
    # the department chosen in 部门待办 proposes its first ledger
    department = st.session_state.get(f"_{DEPARTMENT_KEY}")
    proposed = next((n for n, (_, d) in sources.items() if d == department), None)
    if UPLOAD_SOURCE_KEY not in st.session_state and proposed:
        st.session_state[UPLOAD_SOURCE_KEY] = proposed
    with st.form("upload_form", border=True):
        source = st.selectbox(
            "台账",
            list(sources),
            format_func=lambda n: f"{sources[n][0]}（{sources[n][1]}）",
            key=UPLOAD_SOURCE_KEY,
        )
        uploaded = st.file_uploader("更正后的文件", type=["xlsx", "xls", "csv"], key="upload_file")
        st.caption(f"上传人：{warehouse.viewer.display_name}（{warehouse.viewer.username}）")
        submitted = st.form_submit_button(
            "上传并核查", type="primary", icon=":material/upload_file:", key="upload_submit"
        )
    if submitted:
        if uploaded is None:
            st.error("请先选择要上传的文件", icon=":material/error:")
        else:
            try:
                with st.spinner("正在检查、加载、核查并发布……（如有数据加载正在进行，需等它完成）"):
                    result = warehouse.upload(source, uploaded.name, uploaded.getvalue())
            except data.ExceptionError as error:
                st.error(str(error), icon=":material/error:")
            else:
                st.session_state[UPLOAD_RESULT_KEY] = result
                st.rerun()  # read the warehouse the upload published
    result = st.session_state.get(UPLOAD_RESULT_KEY)
    if result is not None:
        _upload_result(warehouse, result)


def _upload_result(warehouse: data.Warehouse, result) -> None:
    title = warehouse.sources()[result.source][0]
    named = f"{title}｜`{result.file_name}`" if result.file_name else title
    if result.status == "loaded":
        st.success(f"{named}：{result.message}", icon=":material/check_circle:")
    elif result.status == "unchanged":
        st.info(f"{named}：{result.message}", icon=":material/info:")
    else:
        st.error(f"{named}：文件未加载。{result.message}", icon=":material/block:")
        st.caption("数据仓库未作改动。请按提示修改文件后重新上传。")
        return
    if result.faults:
        st.warning(
            "以下核查未能执行，请联系平台维护人员：" + "、".join(result.faults),
            icon=":material/warning:",
        )
    if result.rows_quarantined:
        st.download_button(
            f"下载这个文件被隔离的单元格（{result.rows_quarantined} 行）",
            data=warehouse.quarantine("", True, result.file_name).excel,
            file_name=f"隔离单元格_{PurePosixPath(result.file_name).stem}.xlsx",
            mime=XLSX,
            icon=":material/download:",
            key="download_upload_quarantine",
            on_click="ignore",
        )
    if not result.months:
        return
    months = "、".join(labels.month_name(m) for m in result.months)
    green, red = result.turned_green, result.turned_red
    st.markdown(
        f"重新核查了{months}：**{len(green)} 项变绿**（转为通过），**{len(red)} 项变红**（新出现问题）。"
    )
    for heading, changes in (("变绿", green), ("变红", red)):
        if changes:
            st.markdown(f"**{heading}**")
            ui.table(
                warehouse.as_table(_changes_frame(changes)),
                file_name=f"上传后核查{heading}.xlsx",
                key=f"download_upload_{'green' if heading == '变绿' else 'red'}",
            )
    others = [c for c in result.checks if c.changed and c.turned is None]
    if others:
        st.markdown("**问题数有变化的其他核查**")
        ui.table(
            warehouse.as_table(_changes_frame(others)),
            file_name="上传后核查变化.xlsx",
            key="download_upload_changed",
        )


def _changes_frame(changes) -> pl.DataFrame:
    words = labels.WORDS["check_status"]

    def status(value: str | None, failing: int | None) -> str:
        if value is None:
            return "无结果"
        return words[value] + (f"（{failing} 个）" if value == "failed" and failing else "")

    return pl.DataFrame(
        {
            "月份": [labels.month_name(c.period) for c in changes],
            "核查编号": [c.check_id for c in changes],
            "核查名称": [c.title for c in changes],
            "级别": [labels.WORDS["severity"][c.severity] for c in changes],
            "上传前": [status(c.before, c.failing_before) for c in changes],
            "上传后": [status(c.after, c.failing_after) for c in changes],
        }
    )


# -- 例外 ---------------------------------------------------------------------------------


def exceptions(warehouse: data.Warehouse, month: str) -> None:
    st.caption(
        "例外：数据官核实后接受的问题（谁、何时、为什么、有效至哪个月）。有效的例外使对应问题"
        "不再报错；撤销后问题重新出现。在“问题行”中记录新的例外。"
    )
    if not ui.personal_rows_shown(warehouse):
        return
    active = warehouse.exceptions_table(active=True)
    st.subheader(f"有效的例外（{active.total} 条）")
    ui.table(
        active,
        file_name="有效的例外.xlsx",
        key="download_exceptions_active",
        empty="还没有有效的例外。",
    )
    if active.total and warehouse.may_change:
        _withdraw_form(warehouse)
    withdrawn = warehouse.exceptions_table(active=False)
    st.subheader(f"已撤销的例外（{withdrawn.total} 条）")
    ui.table(
        withdrawn,
        file_name="已撤销的例外.xlsx",
        key="download_exceptions_withdrawn",
        empty="没有撤销过的例外。",
    )


WITHDRAW_FIELDS = ("withdraw_reason",)


def _withdraw_form(warehouse: data.Warehouse) -> None:
    if st.session_state.pop("withdraw_clear", False):
        for key in WITHDRAW_FIELDS:
            st.session_state.pop(key, None)
    frame = warehouse.exceptions().filter(pl.col("exception_status") == "active")
    described = {
        r["exception_id"]: (
            f"编号 {r['exception_id']}｜{r['check_id']} {r['check_title']}｜"
            f"{r['exception_entity']}{' ' + r['person_name'] if r['person_name'] else ''}｜"
            f"至{labels.month_name(r['up_to_period'])}｜{r['accepted_by']} 记录"
        )
        for r in frame.iter_rows(named=True)
    }
    with st.form("withdraw_form", border=True):
        st.markdown("**撤销一条例外**")
        exception_id = st.selectbox(
            "例外", list(described), format_func=described.get, key="withdraw_id"
        )
        reason = st.text_area(
            "撤销原因", placeholder="如：复核发现凭证无效", max_chars=500, key="withdraw_reason"
        )
        st.caption(f"撤销人：{warehouse.viewer.display_name}（{warehouse.viewer.username}）")
        submitted = st.form_submit_button("撤销例外", icon=":material/undo:", key="withdraw_submit")
    if not submitted:
        return
    try:
        with st.spinner("正在撤销……"):
            warehouse.withdraw_exception(exception_id, reason)
    except data.ExceptionError as error:
        st.error(str(error), icon=":material/error:")
        return
    st.session_state["withdraw_clear"] = True
    flash(f"已撤销例外（编号 {exception_id}）：对应的问题重新报为问题。")
    st.rerun()


# -- 核查历史 -----------------------------------------------------------------------------


def history(warehouse: data.Warehouse, month: str) -> None:
    runs = warehouse.validation_runs()
    if runs.is_empty():
        st.info(
            "还没有核查记录（`python -m etl run` 或 `python -m etl validate` 之后显示）。",
            icon=":material/history:",
        )
        return
    by_id = {r["run_id"]: r for r in runs.to_dicts()}

    def described(run_id: int) -> str:
        run = by_id[run_id]
        when = run["started_at"].strftime("%Y-%m-%d %H:%M")
        return f"第 {run_id} 次核查｜{when}｜{labels.WORDS['command'].get(run['command'], run['command'])}"

    run_id = st.selectbox("核查批次", list(by_id), format_func=described, key="history_run")
    earlier = [r for r in by_id if r < run_id]
    if not earlier:
        st.info("这是第一次核查，没有可以比较的上一次。", icon=":material/info:")
    else:
        st.caption(f"与上一次（{described(max(earlier))}）相比，结果有变化的核查项：")
        red = warehouse.validation_changes_table(run_id, "red")
        green = warehouse.validation_changes_table(run_id, "green")
        grey = warehouse.validation_changes_table(run_id, "grey")
        st.subheader(f"变红：{red.total} 项")
        ui.table(
            red,
            file_name=f"核查变红_第{run_id}次.xlsx",
            key="download_turned_red",
            empty="没有新出现问题的核查项。",
        )
        st.subheader(f"变绿：{green.total} 项")
        ui.table(
            green,
            file_name=f"核查变绿_第{run_id}次.xlsx",
            key="download_turned_green",
            empty="没有转为通过的核查项。",
        )
        if grey.total:
            st.markdown(f"**转为未核查：{grey.total} 项**")
            ui.table(
                grey, file_name=f"核查转为未核查_第{run_id}次.xlsx", key="download_turned_grey"
            )
    st.subheader("每次核查")
    ui.table(
        warehouse.validation_runs_table(),
        file_name="核查历史.xlsx",
        key="download_validation_runs",
    )


SECTIONS: tuple[Callable[[data.Warehouse, str], None], ...] = (
    overview,
    failing_rows,
    department_todo,
    upload,
    exceptions,
    history,
)
