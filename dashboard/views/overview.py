"""十大行动 — the leaders' page for the dispatch meeting: where each of the ten actions stands
as of a month, what moved, what data is missing, and what needs a decision.

Each action is a tile coloured by its headline indicators (the rule is on the page); the
decision list links each off-track indicator to its action's page and each failing
error-level check to the 核查 page. The month travels in the URL. This is the default page.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import charts, filters, labels, ui
from dashboard.navigation import ACTION, CHECKS

TILES_PER_ROW = 5
RULE = (
    "颜色规则：主要指标中有一项**滞后**为红，有一项**有风险**为橙，均达标或进度正常为绿，"
    "本月没有数据或不设目标为灰。“演示”表示计划未给出、暂用演示值的目标。"
)
TILE_COLOURS = {"off_track": "red", "at_risk": "orange", "on_track": "green", None: "gray"}
TILE_WORDS = {"off_track": "滞后", "at_risk": "有风险", "on_track": "正常", None: "无数据或无目标"}

warehouse = ui.require_warehouse()

st.title("十大提升行动：进展一览")
months = warehouse.months()
if not months:
    st.info("数据仓库中还没有任何月份的指标。", icon=":material/hourglass_empty:")
    st.stop()
month = filters.select(
    "截至月份", "month", months, default=months[0], format_func=labels.month_name
)
st.caption(RULE)
meeting = warehouse.last_meeting(month)
presented = meeting is not None and warehouse.presented(meeting) is not None
if presented:
    st.caption(
        f"“较{labels.month_name(meeting)}调度”与名次变化按当时存档的季调度材料所载数字计算。",
        help="每次生成季调度材料都会存档；同一个月生成多次的，以最后一次为准。",
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def ranking_figure(scores: pl.DataFrame, title: str) -> go.Figure:
    """The 擂台赛 chart, built once per distinct scores and shared by every session showing
    them (keyed on the figures themselves, so never across viewers who see different ones);
    Streamlit only reads it."""
    return charts.ranking(scores, title=title)


# -- 季调度材料 and 月通报: made from this month's figures, kept in the archive ----------------


def pack_box() -> None:
    """The button that makes the month's pack and circulars, and their downloads once made
    (kept for the session: the same version and month need not be made twice)."""
    made_key = (warehouse.version, month)
    with st.container(border=True, key="pack_box"):
        left, right = st.columns([3, 2], vertical_alignment="center")
        towns = (
            "全县及本镇（街道）的月通报" if warehouse.pack_towns else "全县及各镇（街道）的月通报"
        )
        left.markdown(
            f"**季调度材料和月通报**（截至{labels.month_name(month)}）：季调度材料（PDF）与{towns}"
            "（Word，可编辑），数字与本页一致；每次生成都会存档。"
        )
        if right.button(
            "生成季调度材料和月通报",
            icon=":material/picture_as_pdf:",
            key="make_pack",
            width="stretch",
        ):
            bar = st.progress(0.0, text="正在生成季调度材料……")
            made = warehouse.make_pack(month, lambda label, share: bar.progress(share, text=label))
            bar.empty()
            st.session_state["_pack"] = (made_key, made.month, made.pdf, made.circulars_zip())
        stored = st.session_state.get("_pack")
        if stored is None or stored[0] != made_key:
            return
        _, made_month, pdf, circulars = stored
        first, second = st.columns(2)
        first.download_button(
            "下载季调度材料（PDF）",
            data=pdf,
            file_name=f"季调度材料_{made_month}.pdf",
            mime="application/pdf",
            icon=":material/download:",
            key="download_pack",
            on_click="ignore",
            width="stretch",
        )
        second.download_button(
            "下载月通报（Word，压缩包）",
            data=circulars,
            file_name=f"月通报_{made_month}.zip",
            mime="application/zip",
            icon=":material/download:",
            key="download_circulars",
            on_click="ignore",
            width="stretch",
        )


pack_box()

tiles = warehouse.action_tiles(month)


def tile_status(statuses: list[str | None]) -> str | None:
    for worst in ("off_track", "at_risk", "on_track"):
        if worst in statuses:
            return worst
    return None


actions = tiles.partition_by("action", maintain_order=True, as_dict=False)
for start in range(0, len(actions), TILES_PER_ROW):
    for column, action in zip(
        st.columns(TILES_PER_ROW), actions[start : start + TILES_PER_ROW], strict=False
    ):
        rows = [r for r in action.to_dicts() if r["kpi_code"] is not None]
        first = action.row(0, named=True)
        status = tile_status([r["status"] for r in rows])
        with column.container(border=True, key=f"action_{first['action']}"):
            # One markdown element per tile, not four per indicator: each element costs the
            # server and every browser (README, "The dashboard under a crowd").
            colour = TILE_COLOURS[status]
            lines = [
                f":{colour}-badge[{TILE_WORDS[status]}] **{first['action']}. {first['action_title']}**"
            ]
            for r in rows:
                demo = " :gray-badge[演示]" if r["is_demo_value"] else ""
                lines.append(f"{r['kpi_name']}{demo}")
                if r["value"] is None:
                    lines.append("**—** :gray[本月暂无数据]")
                else:
                    badge = labels.status_badge(r["status"], None)
                    lines.append(f"**{labels.number(r['value'], r['unit'])}** · {badge}")
                notes = [
                    f"目标 {labels.number(r['target'], r['unit'])}"
                    if r["target"] is not None
                    else "",
                    f"应达 {labels.number(r['expected'], r['unit'])}"
                    if r["expected"] is not None and r["expected"] != r["target"]
                    else "",
                    labels.since(r["value"], r["previous_value"], r["unit"], "上月"),
                    labels.since_meeting(r),
                ]
                lines.append(f":small[:gray[{'；'.join(n for n in notes if n) or '—'}]]")
            st.markdown("\n\n".join(lines))
            st.page_link(
                ACTION.path,
                label="查看本行动的全部指标",
                icon=":material/arrow_forward:",
                query_params={"month": month, "action": str(first["action"])},
            )

st.subheader(f"{labels.month_name(month)}需要决策的事项")
decisions = warehouse.decisions(month)
if decisions.is_empty():
    st.success("本月没有滞后的指标，也没有未通过的错误级核查。", icon=":material/check_circle:")
for d in decisions.iter_rows(named=True):
    left, right = st.columns([4, 1], vertical_alignment="center")
    if d["item"] == "indicator":
        left.markdown(
            f":red-badge[指标滞后] **{d['title']}**（{d['code']}，第{d['action']}项行动）："
            f"{labels.number(d['value'], d['unit'])}，应达 {labels.number(d['expected'], d['unit'])}；"
            f"牵头：{d['department']}"
        )
        right.page_link(
            ACTION.path,
            label="查看指标",
            icon=":material/monitoring:",
            query_params={"month": month, "action": str(d["action"]), "kpi": d["code"]},
        )
    else:
        left.markdown(
            f":orange-badge[核查未通过] **{d['code']} {d['title']}**：{d['failing_rows']} 个问题对象；"
            f"{d['department']}"
        )
        right.page_link(
            CHECKS.path,
            label="查看问题行",
            icon=":material/fact_check:",
            query_params={"month": month, "check": d["code"]},
        )

st.subheader(f"{labels.month_name(month)}的数据完整性")
gaps = warehouse.completeness(month)
if gaps.is_empty():
    st.success("本月各部门的月报台账都已按时报送入库。", icon=":material/check_circle:")
else:
    for g in gaps.iter_rows(named=True):
        if g["problem"] == "rejected":
            reason = labels.WORDS["reject_reason"].get(g["reason_code"], g["reason_code"] or "")
            st.markdown(f":red-badge[被拒收] {g['department']}：{g['source_title']}（{reason}）")
        else:
            st.markdown(f":orange-badge[未报送] {g['department']}：{g['source_title']}")

# -- 乡镇擂台赛 ---------------------------------------------------------------------------------

st.subheader(f"乡镇擂台赛（{labels.month_name(month)}）")
attainment = warehouse.township_attainment(month)
st.caption(
    "得分 = 各项参评指标完成度的平均数 × 100。完成度：有目标的比例指标为 实际 ÷ 目标（不超过 1；"
    "“不高于”的目标，达到为 1，超出为 目标 ÷ 实际）；“为 0”的指标为 0 时 1、否则 0；"
    "参评的数量指标为 实际 ÷（全县按序时应达 × 本镇分配比例），不超过 1。"
    + (
        "分配比例为演示值（计划未分解到镇，暂按登记户数分配）。"
        if attainment["demo_share"].any()
        else ""
    )
    + (f"名次变化与{labels.month_name(meeting)}季调度相比。" if meeting else "")
)
scores = warehouse.township_scores(month, meeting)
if scores.is_empty():
    st.caption("本月还没有可参评的镇级指标。")
else:
    st.plotly_chart(
        ranking_figure(scores, f"各镇（街道）得分（{labels.month_name(month)}）"),
        config=charts.CONFIG,
        key="contest_chart",
    )
    ui.table(
        warehouse.as_table(labels.contest_table(scores)),
        file_name=f"乡镇擂台赛_{month}.xlsx",
        key="download_contest",
    )
