"""Plotly figures: for the overview a trend with its target lines and bars by place; for
the checks page the open failures month by month.

Pure functions of query results: they never query. Trace names are what people read
(实际, 目标, 应达进度) and what the tests look for.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import labels

ACTUAL, TARGET, EXPECTED = "实际", "目标", "应达进度"
FORECAST, INTERVAL = "预测", "预测80%区间"
BAR_COLOUR = "#1565c0"
HIGHLIGHT_COLOUR = "#b71c1c"

# Shown on every chart: no plotly logo, no buttons that need the network or confuse.
# Every chart downloads as PNG from its toolbar (drawn in the browser: nothing leaves it).
CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "filename": "旬邑县乡村振兴图表", "scale": 2},
    "responsive": True,
}


def _layout(fig: go.Figure, title: str, unit: str | None, height: int = 360) -> go.Figure:
    rate = labels.is_rate(unit)
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=height,
        margin={"l": 10, "r": 10, "t": 48, "b": 10},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        hovermode="x unified",
        separators=".,",
    )
    fig.update_yaxes(
        tickformat=".2%" if rate else ",.0f",
        rangemode="tozero",
        title={"text": "比例" if rate else (unit or "")},
    )
    return fig


def _hover(unit: str | None) -> str:
    return "%{y:.2%}" if labels.is_rate(unit) else "%{y:,.0f}"


def trend(
    frame: pl.DataFrame, *, title: str, unit: str | None, forecast: dict | None = None
) -> go.Figure:
    """The indicator month by month, with its target and expected lines where it has them,
    and its year-end forecast: a dotted line from the month it is made to the due month,
    in a band for its 80 % interval."""
    fig = go.Figure()
    months = frame["period"].to_list()
    if forecast is not None and forecast["months_ahead"] > 0:
        _forecast(fig, forecast, unit)
    fig.add_trace(
        go.Scatter(
            x=months,
            y=frame["value"].to_list(),
            name=ACTUAL,
            mode="lines+markers",
            line={"color": BAR_COLOUR, "width": 3},
            hovertemplate=_hover(unit),
        )
    )
    if frame["target"].drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=months,
                y=frame["target"].to_list(),
                name=TARGET,
                mode="lines",
                line={"color": labels.STATUS_HEX["off_track"], "dash": "dash"},
                hovertemplate=_hover(unit),
            )
        )
    # A level target's expected value is the target itself: one line is enough.
    if frame["expected"].drop_nulls().len() and not frame["expected"].equals(frame["target"]):
        fig.add_trace(
            go.Scatter(
                x=months,
                y=frame["expected"].to_list(),
                name=EXPECTED,
                mode="lines",
                line={"color": labels.STATUS_HEX["at_risk"], "dash": "dot"},
                hovertemplate=_hover(unit),
            )
        )
    # a month without a value is a gap in the line, shaded and named with its reason
    if "gap_reason" in frame.columns:
        for i, reason in enumerate(frame["gap_reason"].to_list()):
            if reason:
                fig.add_vrect(
                    x0=i - 0.5,
                    x1=i + 0.5,
                    fillcolor="rgba(158, 158, 158, 0.18)",
                    line_width=0,
                    annotation_text=f"缺：{reason}",
                    annotation_position="top left",
                    annotation_font_size=10,
                )
    # Months in calendar order, on to the forecast's due month: traces drawn first (the
    # forecast's band) must not put their months first, nor skip the months between.
    fig.update_xaxes(
        type="category",
        title=None,
        categoryorder="array",
        categoryarray=_months_to(months, forecast),
    )
    return _layout(fig, title, unit)


def _months_to(months: list[str], forecast: dict | None) -> list[str]:
    """`months` (YYYY-MM, ascending), continued month by month to the forecast's due month."""
    shown = list(months)
    if forecast is None or forecast["months_ahead"] <= 0 or not shown:
        return shown
    year, month = map(int, shown[-1].split("-"))
    while shown[-1] < forecast["due_period"]:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        shown.append(f"{year:04d}-{month:02d}")
    return shown


def ranking(scores: pl.DataFrame, *, title: str) -> go.Figure:
    """The townships' scores as horizontal bars, best at the top."""
    ordered = scores.sort("rank", descending=True)
    fig = go.Figure(
        go.Bar(
            x=ordered["score"].to_list(),
            y=ordered["town_name"].to_list(),
            orientation="h",
            marker={"color": BAR_COLOUR},
            text=[f"{v:.1f}" for v in ordered["score"].to_list()],
            textposition="outside",
            hovertemplate="%{y}：%{x:.1f} 分<extra></extra>",
        )
    )
    fig = _layout(fig, title, None, height=80 + 32 * ordered.height)
    fig.update_xaxes(range=[0, 110], title="得分")
    fig.update_yaxes(title=None, tickformat=None)
    return fig.update_layout(hovermode="closest", showlegend=False)


def _forecast(fig: go.Figure, forecast: dict, unit: str | None) -> None:
    x = [forecast["period"], forecast["due_period"]]
    if forecast["low"] is not None:
        fig.add_trace(
            go.Scatter(
                x=[*x, *x[::-1]],
                y=[forecast["value"], forecast["high"], forecast["low"], forecast["value"]],
                name=INTERVAL,
                fill="toself",
                mode="lines",
                line={"width": 0},
                fillcolor="rgba(183, 28, 28, 0.12)",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[forecast["value"], forecast["forecast"]],
            name=FORECAST,
            mode="lines+markers",
            line={"color": BAR_COLOUR, "dash": "dot", "width": 2},
            marker={"symbol": ["circle", "diamond"]},
            hovertemplate=_hover(unit),
        )
    )


def bars(
    frame: pl.DataFrame,
    *,
    name_column: str,
    code_column: str,
    title: str,
    unit: str | None,
    highlight: str | None = None,
) -> go.Figure:
    """One bar per place. Rates carry the county target at every level: a line shows it and
    bars take their status colour; counts have no target below the county."""
    rate = labels.is_rate(unit)
    codes = frame[code_column].to_list()
    names = _unique(frame[name_column].to_list(), codes)
    if rate:
        colours = [labels.STATUS_HEX.get(s) for s in frame["kpi_status"].to_list()]
    else:
        colours = [HIGHLIGHT_COLOUR if c == highlight else BAR_COLOUR for c in codes]
    outline = {"color": "#212121", "width": [3 if c == highlight else 0 for c in codes]}
    fig = go.Figure(
        go.Bar(
            x=names,
            y=frame["value"].to_list(),
            name=ACTUAL,
            marker={"color": colours, "line": outline},
            hovertemplate=_hover(unit),
            customdata=codes,
        )
    )
    if rate and frame["target"].drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=names,
                y=frame["target"].to_list(),
                name=TARGET,
                mode="lines",
                line={"color": labels.STATUS_HEX["off_track"], "dash": "dash"},
                hovertemplate=_hover(unit),
            )
        )
        if not frame["expected"].equals(frame["target"]):
            fig.add_trace(
                go.Scatter(
                    x=names,
                    y=frame["expected"].to_list(),
                    name=EXPECTED,
                    mode="lines",
                    line={"color": labels.STATUS_HEX["at_risk"], "dash": "dot"},
                    hovertemplate=_hover(unit),
                )
            )
    fig.update_xaxes(
        type="category", title=None, tickangle=-40 if len(names) > 6 else 0, automargin=True
    )
    fig.update_layout(showlegend=rate, bargap=0.25)
    return _layout(fig, title, unit)


def _unique(names: list[str], codes: list[str]) -> list[str]:
    """Category labels: a name that repeats (villages do) gets its code's last digits."""
    seen = {n: names.count(n) for n in names}
    return [f"{n}（{c[-3:]}）" if seen[n] > 1 else n for n, c in zip(names, codes, strict=True)]


SEVERITY_TRACES = (("error", "错误"), ("warning", "提醒"))
SEVERITY_HEX = {"error": labels.STATUS_HEX["off_track"], "warning": labels.STATUS_HEX["at_risk"]}


def failures_trend(frame: pl.DataFrame, *, title: str) -> go.Figure:
    """Open failing entities month by month, stacked by severity (错误 under 提醒).

    `frame`: period, severity, failing — a row per month and severity that has results.
    """
    months = sorted(frame["period"].unique().to_list())
    fig = go.Figure()
    for severity, name in SEVERITY_TRACES:
        counts = dict(
            frame.filter(pl.col("severity") == severity).select("period", "failing").iter_rows()
        )
        if not counts:
            continue
        fig.add_trace(
            go.Bar(
                x=months,
                y=[counts.get(m, 0) for m in months],
                name=name,
                marker={"color": SEVERITY_HEX[severity]},
                hovertemplate="%{y:,.0f}",
            )
        )
    fig.update_xaxes(type="category", title=None)
    fig.update_layout(barmode="stack", bargap=0.35, showlegend=True)
    _layout(fig, title, "个")
    fig.update_yaxes(title={"text": "未通过的问题数（对象）"}, tickformat=",d")
    return fig
