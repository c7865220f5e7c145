"""What people read: Chinese headers and words for the warehouse's codes, and number formats.

Queries return English column names and codes; `present()` turns a result into the table a
person reads (on screen and in downloads) with the headers and words below. A column with
no Chinese header is a mistake (a test runs every table query and checks).
"""

from __future__ import annotations

import math

import polars as pl

# Column → header, in the order people expect to read them.
HEADERS: dict[str, str] = {
    # rankings
    "town_rank": "名次",
    "village_rank": "名次",
    # places
    "town_name": "镇（街道）",
    "town_code": "镇（街道）代码",
    "village_name": "行政村",
    "village_code": "行政村代码",
    # indicators
    "value": "数值",
    "target": "目标",
    "expected": "应达进度",
    "kpi_status": "状态",
    "kpi_name": "指标",
    "kpi_code": "指标编码",
    "reporter": "填报单位",
    "remark": "备注",
    # files
    "source_title": "台账",
    "department": "报送部门",
    "period": "统计期",
    "file_name": "文件",
    "load_status": "加载结果",
    "reject_reason": "拒收原因",
    "rows_read": "读取行数",
    "rows_loaded": "入库行数",
    "rows_quarantined": "隔离行数",
    "rows_skipped": "跳过行数（合计、签字等）",
    "message": "说明",
    "loaded_at": "加载时间",
    "sha256": "文件指纹（SHA-256）",
    # quarantined cells
    "row_number": "行号",
    "column_name": "列名",
    "raw_value": "原始内容（已脱敏）",
    "reason": "问题",
    # checks
    "check_id": "核查编号",
    "check_title": "核查内容",
    "severity": "级别",
    "check_status": "结果",
    "failing_rows": "问题数（全县）",
    "place_failing_rows": "问题数（所选地区）",
    "accepted_rows": "已接受为例外",
    "rule": "核查规则",
    "ledgers": "涉及台账",
    "responsible": "责任单位",
    "evaluated_at": "核查时间",
    "note": "未核查的原因",
    "stale": "是否过期",
    # failing rows
    "entity_no": "对象序号",
    "entity_key": "问题对象编号（非个人时）",
    "id_number": "身份证号（已脱敏）",
    "person_name": "姓名（花名册，已脱敏）",
    "household_id": "户编号",
    "ledger_title": "所在台账",
    "detail": "问题说明",
    # a department's to-do
    "open_rows": "待整改问题行",
    "error_rows": "其中错误",
    "warning_rows": "其中提醒",
    "checks": "涉及核查项",
    "months": "涉及月份数",
    "latest_period": "最近月份",
    # accepted exceptions
    "exception_id": "例外编号",
    "exception_status": "例外状态",
    "exception_entity": "问题对象（已脱敏）",
    "up_to_period": "有效至（含该月）",
    "exception_reason": "接受理由",
    "accepted_by": "记录人",
    "accepted_at": "记录时间",
    "covered_rows": "目前不再报错的问题行",
    "covered_months": "涉及月份数",
    "withdrawn_by": "撤销人",
    "withdrawn_at": "撤销时间",
    "withdrawn_reason": "撤销原因",
    # validation history
    "run_id": "核查批次",
    "started_at": "开始时间",
    "finished_at": "完成时间",
    "command": "由什么触发",
    "run_months": "核查的月份",
    "evaluated": "重新核查（核查项×月份）",
    "kept": "输入未变、沿用上次结果",
    "failed_pairs": "核查后未通过（核查项×月份）",
    "turned": "变化",
    "status_before": "上次结果",
    "status_after": "本次结果",
    "failing_before": "上次问题数",
    "failing_after": "本次问题数",
}

# Codes → words, per column.
WORDS: dict[str, dict[str, str]] = {
    "load_status": {
        "loaded": "已入库",
        "unchanged": "未变化（与已入库文件相同）",
        "rejected": "拒收",
    },
    "reject_reason": {
        "no_period": "无法确定统计期",
        "missing_column": "缺少必填列",
        "duplicate_period": "同一统计期收到多个文件",
        "unknown_source": "文件夹不对应任何台账",
        "unreadable": "文件无法读取",
    },
    "severity": {"error": "错误", "warning": "提醒"},
    "check_status": {"failed": "未通过", "passed": "通过", "not_evaluated": "未核查"},
    "kpi_status": {
        "on_track": "达标",
        "at_risk": "有风险",
        "off_track": "滞后",
        "info": "仅供参考",
    },
    "stale": {"true": "已过期：核查后又加载了新文件", "false": ""},
    "exception_status": {"active": "有效", "withdrawn": "已撤销"},
    "command": {
        "validate": "重新核查（python -m etl validate）",
        "run": "加载并核查（python -m etl run）",
        "upload": "看板上传更正文件",
    },
    "turned": {"red": "变红：新出现问题", "green": "变绿：已通过", "grey": "未核查"},
}
WORDS["status_before"] = WORDS["status_after"] = WORDS["check_status"]

# Indicator status → (word, badge colour). A cumulative target that is on track is "进度正常"
# (on schedule), not yet "达标" (reached).
STATUS_COLOURS = {"on_track": "green", "at_risk": "orange", "off_track": "red", "info": "gray"}
STATUS_HEX = {
    "on_track": "#2e7d32",
    "at_risk": "#ef8f00",
    "off_track": "#c62828",
    "info": "#9e9e9e",
    None: "#9e9e9e",
}
STATUS_ICONS = {
    "on_track": ":material/check_circle:",
    "at_risk": ":material/warning:",
    "off_track": ":material/error:",
    "info": ":material/info:",
}


def status_word(status: str | None, progress: str | None) -> str:
    if status == "on_track" and progress in ("cumulative", "milestones"):
        return "进度正常"
    if status is None:
        return "无目标"
    return WORDS["kpi_status"].get(status, status)


def status_badge(status: str | None, progress: str | None) -> str:
    """Streamlit markdown for a coloured status badge."""
    colour = STATUS_COLOURS.get(status, "gray")
    icon = STATUS_ICONS.get(status, ":material/remove:")
    return f":{colour}-badge[{icon} {status_word(status, progress)}]"


DIRECTION_SIGNS = {"at_least": "≥ ", "at_most": "≤ ", "exactly": "= ", "info": ""}


# Units of things counted one by one: an expected value of 558.17 persons reads as 558.
COUNTED_UNITS = {"人", "户", "个", "次", "处", "村", "镇", "项", "家", "人次", "座"}


def is_rate(unit: str | None) -> bool:
    return unit == "比例"


def number(value: float | None, unit: str | None, *, with_unit: bool = True) -> str:
    """A figure as a leader reads it: 19,000 人; 0.19%; — when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if is_rate(unit):
        # Small rates (an overdue rate of 0.19 %) need two decimals, large ones one.
        return f"{value * 100:.2f}%" if abs(value) < 0.1 else f"{value * 100:.1f}%"
    whole = float(value).is_integer() or unit in COUNTED_UNITS  # 558.17 expected persons: 558
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    return f"{text} {unit}" if with_unit and unit else text


def delta(value: float | None, previous: float | None, unit: str | None) -> str | None:
    """Change on last month, signed: +12 人, −0.03 个百分点."""
    if value is None or previous is None:
        return None
    change = value - previous
    if abs(change) < 1e-12:
        return "与上期持平"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if is_rate(unit):
        return f"{sign}{abs(change) * 100:.2f} 个百分点"
    return f"{sign}{number(abs(change), unit)}"


def metric_change(kpi: dict) -> dict:
    """st.metric's delta arguments for an indicator's change on the month before.

    st.metric reads the arrow from a leading ASCII minus; for an "at most" indicator (an
    overdue rate) a rise is bad, so its colours are inverted.
    """
    text = delta(kpi["value"], kpi.get("previous_value"), kpi["unit"])
    if text is None:
        return {"delta": None}
    if text == "与上期持平":
        return {"delta": text, "delta_color": "off", "delta_arrow": "off"}
    return {
        "delta": text.replace("−", "-"),
        "delta_color": "inverse" if kpi.get("direction") == "at_most" else "normal",
    }


def contest_table(scores) -> pl.DataFrame:
    """The township ranking for people: 名次, 镇（街道）, 得分, 参评指标, and the movement."""

    def moved(now, then) -> str:
        if then is None:
            return "—"
        return (
            "持平"
            if now == then
            else (f"上升 {then - now} 名" if now < then else f"下降 {now - then} 名")
        )

    return pl.DataFrame(
        {
            "名次": scores["rank"].to_list(),
            "镇（街道）": scores["town_name"].to_list(),
            "得分": [round(v, 1) for v in scores["score"].to_list()],
            "参评指标数": scores["scored"].to_list(),
            "上次季调度得分": [
                None if v is None else round(v, 1) for v in scores["score_before"].to_list()
            ],
            "名次变化": [
                moved(n, t)
                for n, t in zip(
                    scores["rank"].to_list(), scores["rank_before"].to_list(), strict=True
                )
            ],
        }
    )


FORECAST_METHOD = {
    "pace": "预测方法：按计划开始以来的平均月进度推算到截止月；80%区间按各月增量的波动推算。",
    "milestones": "预测方法：按目前达到计划进度的比例，推算到最后一个节点；80%区间按各月增量的波动推算。",
    "trend": "预测方法：按近三个月的平均变化（打折后）推算到截止月；80%区间按各月变化的波动推算。",
}
OUTLOOK_WORDS = {"likely": "可望达到", "uncertain": "能否达到尚难判断", "unlikely": "难以达到"}


def forecast_sentence(forecast: dict, unit: str | None) -> str:
    """The forecast in words: 按当前进度，预计12月底达到 20 人（80%区间 16–24 人），低于目标 1,400 人。"""
    due = int(forecast["due_period"][5:])
    text = f"按当前进度，预计{due}月底达到 {number(forecast['forecast'], unit)}"
    if forecast["low"] is None:
        text += "（已报月份太少，暂无80%区间）"
    else:
        low = number(forecast["low"], unit, with_unit=False)
        text += f"（80%区间 {low}–{number(forecast['high'], unit)}）"
    target = forecast["target"]
    if target is None:
        return text + "。"
    gap = forecast["forecast"] - target
    if abs(gap) < 1e-9:
        side = "与目标持平"
    else:
        side = f"{'低于' if gap < 0 else '高于'}目标 {number(target, unit)}"
    outlook = OUTLOOK_WORDS.get(forecast["outlook"] or "", "")
    return f"{text}，{side}" + (f"，{outlook}" if outlook else "") + "。"


def month_name(period: str) -> str:
    """2024-06 → 2024年6月."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def since(value: float | None, then: float | None, unit: str | None, then_label: str) -> str:
    """较上月 +12 人 — empty when either figure is missing."""
    change = delta(value, then, unit)
    return f"较{then_label} {change}" if change else ""


def since_meeting(kpi: dict) -> str:
    """The change since the last dispatch meeting before the month (较5月调度 +120 人)."""
    if not kpi.get("meeting_period"):
        return ""
    label = f"{month_name(kpi['meeting_period'])}调度"
    return since(kpi["value"], kpi.get("meeting_value"), kpi["unit"], label)


def previous_note(kpi: dict) -> str:
    if kpi.get("previous_period") is None:
        return f"指标编码 {kpi['kpi_code']}；没有更早月份的数据"
    return (
        f"指标编码 {kpi['kpi_code']}；上期（{month_name(kpi['previous_period'])}）："
        f"{number(kpi['previous_value'], kpi['unit'])}"
    )


def target_note(kpi: dict, level: str) -> str:
    """Target and expected-by-now in a line: 目标 ≥ 1,400 人（12月31日前）· 按序时应达 558 人."""
    unit = kpi["unit"]
    if kpi["target"] is None:
        if level != "county" and kpi.get("direction") not in (None, "info"):
            return "目标只设到全县，镇村不分解"
        return "不设目标"
    text = f"目标 {DIRECTION_SIGNS.get(kpi.get('direction'), '')}{number(kpi['target'], unit)}"
    due = kpi.get("due")
    if due is not None and kpi.get("progress") in ("cumulative", "milestones"):
        text += f"（{due.month}月{due.day}日前）"
    elif kpi.get("progress") == "level":
        text += "（每月）"
    expected = kpi.get("expected")
    if expected is not None and abs(expected - kpi["target"]) > 1e-12:
        text += f" · 按序时应达 {number(expected, unit)}"
    return text


def present(frame: pl.DataFrame) -> pl.DataFrame:
    """Chinese headers and words; whole-number floats as integers."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if name in WORDS:
            words = WORDS[name]
            if series.dtype == pl.Boolean:
                series = series.cast(pl.String).str.to_lowercase()
            series = series.replace_strict(words, default=series, return_dtype=pl.String)
        elif series.dtype.is_float() and _whole(series):
            series = series.cast(pl.Int64)
        if name not in HEADERS:
            raise KeyError(f"column {name!r} has no Chinese header (dashboard/labels.py)")
        columns.append(series.alias(HEADERS[name]))
    return pl.DataFrame(columns) if columns else frame


def _whole(series: pl.Series) -> bool:
    values = series.drop_nulls()
    return (
        values.len() > 0 and bool((values == values.round(0)).all()) and values.abs().max() < 2**53
    )
