"""The dispatch-meeting pack as a PDF: A4, Simplified Chinese, fonts embedded, charts as
vectors — HTML and CSS (pack/templates/pack.html, pack.css) printed by WeasyPrint.

Every figure is formatted here by the dashboard's own functions (dashboard/labels.py), so
the pack reads as the pages do; the template only lays the rows out.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import jinja2
import polars as pl

from dashboard import data, labels
from pack import charts
from pack.figures import due_date, status_counts

TEMPLATES = Path(__file__).with_name("templates")
STATUS_CLASSES = {"on_track": "ok", "at_risk": "risk", "off_track": "late", "info": "info"}
STATUS_ORDER = ("on_track", "at_risk", "off_track", "info", None)


def change(value, then, unit) -> str:
    return labels.delta(value, then, unit) or "—"


def target_text(kpi: dict) -> str:
    if kpi["target"] is None:
        return "不设目标"
    sign = labels.DIRECTION_SIGNS.get(kpi.get("direction"), "")
    return f"{sign}{labels.number(kpi['target'], kpi['unit'])}"


def expected_text(kpi: dict) -> str:
    if kpi["expected"] is None or kpi["target"] is None:
        return "—"
    return labels.number(kpi["expected"], kpi["unit"])


def forecast_text(kpi: dict) -> tuple[str, str]:
    """The year-end forecast's figure and its outlook in words (可望达到 …), or — ."""
    outlook = kpi.get("forecast")
    if outlook is None or outlook["months_ahead"] <= 0:
        return "—", ""
    word = labels.OUTLOOK_WORDS.get(outlook["outlook"] or "", "")
    return labels.number(outlook["forecast"], kpi["unit"]), word


def indicator_row(kpi: dict) -> dict:
    """One indicator as the pack's tables show it."""
    kpi = due_date(kpi)
    return {
        "code": kpi["kpi_code"],
        "name": kpi["name"],
        "demo": kpi["is_demo_value"],
        "value": labels.number(kpi["value"], kpi["unit"]),
        "target": target_text(kpi),
        "expected": expected_text(kpi),
        "status": labels.status_word(kpi["status"], kpi["progress"]),
        "status_class": STATUS_CLASSES.get(kpi["status"], "info"),
        "since_month": change(kpi["value"], kpi["previous_value"], kpi["unit"]),
        "since_meeting": change(kpi["value"], kpi["meeting_value"], kpi["unit"]),
        "forecast": forecast_text(kpi)[0],
        "outlook": forecast_text(kpi)[1],
        "lead": kpi["lead"] or "—",
        "note": labels.target_note(kpi, "county"),
    }


def scores_frame(ranking: list[dict]) -> pl.DataFrame:
    schema = data.SCORES_SCHEMA | {"score_before": pl.Float64, "rank_before": pl.UInt32}
    return pl.DataFrame([{c: r[c] for c in schema} for r in ranking], schema=schema)


def summary(indicators: list[dict]) -> str:
    """全县 57 项指标中：达标或进度正常 30 项、有风险 8 项、滞后 12 项、……"""
    counts = status_counts(indicators)
    words = {
        "on_track": "达标或进度正常",
        "at_risk": "有风险",
        "off_track": "滞后",
        "info": "仅供参考",
        None: "无目标",
    }
    parts = [f"{words[s]} {counts[s]} 项" for s in STATUS_ORDER if counts.get(s)]
    return f"本月有数据的 {len(indicators)} 项指标中：" + "、".join(parts) + "。"


def status_rule(month: str) -> str:
    """How a status is decided, in words, with the year's share (config [status])."""
    from etl.targets import plan

    share = plan(int(month[:4]))["status"]["at_risk_share"]
    return (
        "状态：达到目标（累计类指标：达到按计划开始以来的序时进度计算的“应达进度”）为“达标”"
        f"（累计类为“进度正常”）；未达到、但不低于应达值的 {share:.0%} 为“有风险”"
        f"（“不高于”类指标：不超过目标的 {1 / share:.2f} 倍）；其余为“滞后”。"
        "标“演示”的目标为计划未给出、暂用的演示值。"
    )


def context(figures: dict, svgs: dict[str, str]) -> dict:
    """What the template reads: the figures formatted, the charts as data URIs."""
    month = figures["month"]
    meeting = figures["meeting"]
    everything = [k for a in figures["actions"] for k in a["indicators"]]

    def uri(key: str) -> str | None:
        text = svgs.get(key)
        if text is None:
            return None
        return "data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode()

    if meeting["period"] is None:
        meeting_note = "本年度此前没有季调度，不比较。"
    elif meeting["presented_at"]:
        made = dt.datetime.fromisoformat(meeting["presented_at"]).strftime("%Y-%m-%d %H:%M")
        meeting_note = (
            f"“较上次调度”与{labels.month_name(meeting['period'])}季调度材料"
            f"（{made} 制作并存档）所载数字相比。"
        )
    else:
        meeting_note = (
            f"“较上次调度”与数据仓库中{labels.month_name(meeting['period'])}的数字相比"
            "（未找到当时季调度材料的存档）。"
        )
    scores = scores_frame(figures["ranking"])
    return {
        "month": month,
        "month_name": labels.month_name(month),
        "plan": figures["plan"],
        "made_at": dt.datetime.fromisoformat(figures["made_at"]).strftime("%Y年%m月%d日 %H:%M"),
        "made_by": figures.get("made_by", ""),
        "meeting_name": labels.month_name(meeting["period"]) if meeting["period"] else None,
        "meeting_note": meeting_note,
        "summary": summary(everything),
        "actions": [
            {
                "number": a["action"],
                "title": a["title"],
                "rows": [indicator_row(k) for k in a["indicators"]],
                "charts": [
                    {
                        "uri": uri(f"trend:{k['kpi_code']}"),
                        "sentence": labels.forecast_sentence(k["forecast"], k["unit"])
                        if k["forecast"] and k["forecast"]["months_ahead"] > 0
                        else "",
                    }
                    for k in a["indicators"]
                    if k["headline"] and uri(f"trend:{k['kpi_code']}")
                ],
            }
            for a in figures["actions"]
        ],
        "ranking_chart": uri("ranking"),
        "ranking": labels.contest_table(scores).to_dicts() if scores.height else [],
        "off_track": [
            {
                "code": d["code"],
                "title": d["title"],
                "action": d["action"],
                "value": labels.number(d["value"], d["unit"]),
                "expected": labels.number(d["expected"], d["unit"]),
                "department": d["department"] or "—",
            }
            for d in figures["off_track"]
        ],
        "departments": figures["checks_by_department"],
        "completeness": [
            {
                "department": g["department"],
                "title": g["source_title"],
                "problem": "被拒收" if g["problem"] == "rejected" else "未报送",
                "reason": labels.WORDS["reject_reason"].get(g["reason_code"], "")
                if g["reason_code"]
                else "",
            }
            for g in figures["completeness"]
        ],
        "status_rule": status_rule(month),
    }


def draw_charts(figures: dict, report: Callable[[str], None] | None = None) -> dict[str, str]:
    """Every chart of the pack as SVG: each headline indicator's trend, the ranking."""
    svgs: dict[str, str] = {}
    for action in figures["actions"]:
        for kpi in action["indicators"]:
            if kpi["headline"] and kpi.get("trend"):
                if report:
                    report(f"绘制图表：{kpi['name']}")
                svgs[f"trend:{kpi['kpi_code']}"] = charts.trend(kpi, "全县")
    scores = scores_frame(figures["ranking"])
    if scores.height:
        svgs["ranking"] = charts.ranking(scores, figures["month"])
    return svgs


def render(figures: dict, svgs: dict[str, str]) -> bytes:
    """The pack's PDF from its figures and charts."""
    import weasyprint

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    html = environment.get_template("pack.html").render(**context(figures, svgs))
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
