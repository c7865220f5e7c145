"""The pack's charts: the dashboard's own figures (dashboard/charts.py) drawn as SVG, so the
PDF keeps them as vectors with selectable text.

plotly draws SVG through kaleido, which drives the system Chromium. Starting a browser per
image costs seconds, so one kaleido server runs per process, started on first use (without
MathJax, which it would fetch from the internet) and stopped at exit.
"""

from __future__ import annotations

import atexit
import threading
import warnings

import plotly.graph_objects as go
import plotly.io as pio

from dashboard import charts, labels

WIDTH = 680  # px at 96 dpi: the A4 page's text width (180 mm)
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"

_started = False
_lock = threading.Lock()


def _server() -> None:
    global _started
    with _lock:
        if _started:
            return
        import kaleido

        kaleido.start_sync_server(
            page_generator=kaleido.PageGenerator(mathjax=False), silence_warnings=True
        )
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _started = True


def svg(fig: go.Figure, *, width: int = WIDTH, height: int = 260) -> str:
    """`fig` as SVG text, for print: white background, the pack's font."""
    _server()
    fig = go.Figure(fig)  # a copy: the caller's figure stays as the dashboard draws it
    fig.update_layout(template="plotly_white", font={"family": FONT}, height=height, width=width)
    with warnings.catch_warnings():  # plotly: "kopts ... ignored if using a server"
        warnings.simplefilter("ignore", UserWarning)
        return pio.to_image(fig, format="svg", width=width, height=height).decode("utf-8")


def trend(kpi: dict, place_name: str) -> str:
    """An indicator's monthly trend with its target and expected lines and its forecast."""
    import polars as pl

    frame = pl.DataFrame(
        kpi["trend"],
        schema={
            "period": pl.String,
            "value": pl.Float64,
            "target": pl.Float64,
            "expected": pl.Float64,
            "gap_reason": pl.String,
        },
        strict=False,
    )
    fig = charts.trend(
        frame,
        title=f"{kpi['name']}（{place_name}）",
        unit=kpi["unit"],
        forecast=kpi["forecast"],
    )
    return svg(fig)


def ranking(scores, month: str) -> str:
    fig = charts.ranking(scores, title=f"各镇（街道）得分（{labels.month_name(month)}）")
    return svg(fig, height=80 + 30 * scores.height)
