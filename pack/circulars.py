"""The monthly circulars (月通报): one editable Word document for the county and one per
township, filled from the reviewed template `pack/templates/月通报模板.docx`.

The template is an ordinary .docx in the 公文 style (仿宋 body, 黑体 headings); the office
edits its wording in Word, keeping the `{{ … }}` fields and the `{%tr for … %}` table rows
(docxtpl's Jinja tags), and the platform fills it. Its fields are the keys `context()`
returns (a test checks the template asks for no other). Figures are formatted by the
dashboard's functions, as in the pack.
"""

from __future__ import annotations

import io
from pathlib import Path

from dashboard import labels
from pack import pdf
from pack.figures import due_date, status_counts

TEMPLATE = Path(__file__).with_name("templates") / "月通报模板.docx"
COUNTY_NAME = "全县"


def file_name(month: str, place_name: str) -> str:
    return f"月通报_{month}_{place_name}.docx"


def _moved(rank: int, before: int | None) -> str:
    if before is None:
        return "—"
    if rank == before:
        return "持平"
    return f"上升 {before - rank} 名" if rank < before else f"下降 {rank - before} 名"


def _count_sentence(indicators: list[dict], where: str) -> str:
    counts = status_counts(indicators)
    done = counts.get("on_track", 0)
    parts = [f"达标或进度正常 {done} 项"]
    if counts.get("at_risk"):
        parts.append(f"有风险 {counts['at_risk']} 项")
    if counts.get("off_track"):
        parts.append(f"滞后 {counts['off_track']} 项")
    rest = len(indicators) - done - counts.get("at_risk", 0) - counts.get("off_track", 0)
    if rest:
        no_target = "不设目标或仅供参考" if where == "全县" else "目标只设到全县或不设目标"
        parts.append(f"{no_target} {rest} 项")
    return f"截至{{month}}，{where}有数据的 {len(indicators)} 项指标中，" + "、".join(parts) + "。"


def context(figures: dict, town: str | None) -> dict:
    """What the template reads for the county (`town` None) or one township (its code)."""
    month = figures["month"]
    month_name = labels.month_name(month)
    meeting = figures["meeting"]["period"]
    if town is None:
        place_name = COUNTY_NAME
        indicators = [k for a in figures["actions"] for k in a["indicators"]]
    else:
        place_name = figures["towns"][town]["town_name"]
        indicators = figures["towns"][town]["indicators"]
    level = "county" if town is None else "town"
    rows = [
        {
            "action": k["action"],
            "name": k["name"] + ("（演示目标）" if k["is_demo_value"] and k["target"] else ""),
            "value": labels.number(k["value"], k["unit"]),
            "target": pdf.target_text(k) if k["target"] is not None else _no_target(k, level),
            "expected": pdf.expected_text(k),
            "status": labels.status_word(k["status"], k["progress"]),
            "since_month": pdf.change(k["value"], k["previous_value"], k["unit"]),
        }
        for k in map(due_date, indicators)
    ]
    behind = [
        {
            "name": k["name"],
            "value": labels.number(k["value"], k["unit"]),
            "expected": pdf.expected_text(k),
            "lead": k["lead"] or "—",
        }
        for k in indicators
        if k["status"] == "off_track"
    ]
    ranking = [
        {
            "rank": r["rank"],
            "town": r["town_name"]
            + (f"（{_this(r['town_name'])}）" if r["town_code"] == town else ""),
            "score": f"{r['score']:.1f}",
            "scored": r["scored"],
            "rank_before": "—" if r["rank_before"] is None else r["rank_before"],
            "moved": _moved(r["rank"], r["rank_before"]),
        }
        for r in figures["ranking"]
    ]
    where = "全县" if town is None else _this(place_name)
    return {
        "place_name": place_name,
        "month_name": month_name,
        "issued": "    年  月  日",
        "opening": (
            f"现将{month_name}全县“十大提升行动”主要指标进展情况通报如下。"
            if town is None
            else f"现将{month_name}{place_name}“十大提升行动”主要指标进展情况通报如下。"
        ),
        "overall": _count_sentence(indicators, where).replace("{month}", month_name),
        "ranking_sentence": _ranking_sentence(figures["ranking"], town, place_name, meeting),
        "indicators": rows,
        "indicators_note": (
            "注：“应达进度”为按计划开始以来的序时进度应达到的数值；计数类指标的目标只设到全县，"
            "镇（街道）不分解。"
            if town is not None
            else "注：“应达进度”为按计划开始以来的序时进度应达到的数值；标“演示目标”的为计划"
            "未给出、暂用的演示值。"
        ),
        "contest_note": (
            "得分 = 各项参评指标完成度的平均数 × 100。"
            + (f"名次变化与{labels.month_name(meeting)}季调度相比。" if meeting else "")
        ),
        "ranking": ranking,
        "behind_sentence": (
            f"{where}有 {len(behind)} 项指标滞后，请牵头单位会同相关镇（街道）抓紧推进："
            if behind
            else f"{where}本月没有滞后的指标。"
        ),
        "behind": behind,
        "departments": [
            {
                "department": d["department"],
                "checks": "；".join(d["titles"]),
                "open_rows": f"{d['open_rows']:,}",
            }
            for d in figures["checks_by_department"]
        ]
        if town is None
        else [],
        "departments_sentence": "以下台账的问题行请报送部门核实更正，并在数据平台重新上传：",
        "closing": (
            "请各镇（街道）、各牵头部门对照滞后指标和数据问题，逐项分析原因，明确整改时限，"
            "确保年度目标任务按期完成。"
        ),
    }


def _this(town_name: str) -> str:
    """How a circular names its own township: 本镇, or 本街道 for 城关街道."""
    return "本街道" if town_name.endswith("街道") else "本镇"


def _no_target(kpi: dict, level: str) -> str:
    if level != "county" and kpi.get("direction") not in (None, "info"):
        return "只设到全县"
    return "不设目标"


def _ranking_sentence(
    ranking: list[dict], town: str | None, place_name: str, meeting: str | None
) -> str:
    if not ranking:
        return "本月还没有可参评的镇级指标，擂台赛暂不排名。"
    if town is None:
        best = "、".join(r["town_name"] for r in ranking if r["rank"] == 1)
        return f"乡镇擂台赛中，{best}得分最高（{ranking[0]['score']:.1f} 分）；各镇（街道）名次见下表。"
    mine = next((r for r in ranking if r["town_code"] == town), None)
    if mine is None:
        return f"{_this(place_name)}本月没有参评的指标，擂台赛暂不排名。"
    text = (
        f"在全县 {len(ranking)} 个镇（街道）的擂台赛中，{_this(mine['town_name'])}得分 {mine['score']:.1f} 分，"
        f"排名第 {mine['rank']} 名"
    )
    if meeting and mine["rank_before"] is not None:
        text += (
            f"，{labels.month_name(meeting)}季调度时为第 {mine['rank_before']} 名"
            f"（{_moved(mine['rank'], mine['rank_before'])}）"
        )
    return text + "。"


def render(figures: dict, town: str | None) -> bytes:
    """One circular as .docx bytes."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(TEMPLATE)
    document.render(context(figures, town), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_all(figures: dict, towns: list[str] | None = None) -> dict[str, bytes]:
    """File name → .docx: the county's circular and each township's (`towns`: which; all
    by default)."""
    month = figures["month"]
    files = {file_name(month, COUNTY_NAME): render(figures, None)}
    for code in towns if towns is not None else list(figures["towns"]):
        files[file_name(month, figures["towns"][code]["town_name"])] = render(figures, code)
    return files
