"""总览 — the plan's indicators for one month, against their targets, by place.

For county leaders: each indicator's figure, target, expected-by-now and status; the trend;
the townships side by side; the villages of one township. Filters live in the URL.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, filters, labels, ui
from dashboard.navigation import DATA

CARDS_PER_ROW = 4

warehouse = ui.require_warehouse()

st.title("指标总览")
months = warehouse.months()
if not months:
    st.info(
        "数据仓库中还没有任何月份的指标。台账加载并计算指标后，这里会显示各项指标。",
        icon=":material/hourglass_empty:",
    )
    st.stop()
st.caption(data.plan_title(months[0]))
selection = ui.month_and_place(warehouse, months)
month, place, place_name = selection.month, selection.place, selection.place_name
town, village, towns = place.town, place.village, selection.towns

st.page_link(
    DATA.path,
    label="查看本月的文件加载、隔离行与数据核查",
    icon=":material/fact_check:",
    query_params=filters.current(["month", "town", "village"]),
)

# -- Headline: every indicator the month has -------------------------------------------------

actions = warehouse.actions(month)
action = filters.select(
    "行动",
    "action",
    [filters.ALL, *actions],
    default=filters.ALL,
    format_func=lambda n: f"{n}. {actions[n]}" if n else "全部十大行动",
)
indicators = warehouse.indicators(month, place)
if action:
    indicators = indicators.filter(pl.col("action") == int(action))
st.subheader(
    f"{place_name} · {labels.month_name(month)}" + (f" · {actions[action]}" if action else "")
)
if indicators.is_empty():
    st.info("所选月份在这里没有指标数据。", icon=":material/info:")
    st.stop()

rows = indicators.to_dicts()
for start in range(0, len(rows), CARDS_PER_ROW):
    for column, kpi in zip(
        st.columns(CARDS_PER_ROW), rows[start : start + CARDS_PER_ROW], strict=False
    ):
        with column, st.container(border=True, key=f"kpi_{kpi['kpi_code']}"):
            unit = kpi["unit"]
            st.metric(
                kpi["name"],
                labels.number(kpi["value"], unit),
                **labels.metric_change(kpi),
                help=labels.previous_note(kpi),
            )
            st.markdown(labels.status_badge(kpi["status"], kpi["progress"]))
            st.caption(labels.target_note(kpi, place.level))

# -- One indicator: trend, townships, villages ----------------------------------------------

names = dict(zip(indicators["kpi_code"], indicators["name"], strict=True))
units = dict(zip(indicators["kpi_code"], indicators["unit"], strict=True))
kpi = filters.select(
    "查看指标",
    "kpi",
    list(names),
    default=next(iter(names)),
    format_func=lambda code: f"{names[code]}（{code}）",
)
unit = units[kpi]

trend_column, towns_column = st.columns(2)
with trend_column:
    outlook = warehouse.forecast(kpi, month, place)
    st.plotly_chart(
        charts.trend(
            warehouse.trend(kpi, place),
            title=f"{names[kpi]}：月度走势（{place_name}）",
            unit=unit,
            forecast=outlook,
        ),
        config=charts.CONFIG,
        key="trend_chart",
    )
    if outlook is not None and outlook["months_ahead"] > 0:
        st.caption(
            f":material/trending_up: {labels.forecast_sentence(outlook, unit)}",
            help=labels.FORECAST_METHOD[outlook["method"]],
        )
with towns_column:
    by_town = warehouse.town_breakdown(kpi, month)
    st.plotly_chart(
        charts.bars(
            by_town,
            name_column="town_name",
            code_column="town_code",
            unit=unit,
            highlight=town,
            title=f"{names[kpi]}：各镇（街道）（{labels.month_name(month)}）",
        ),
        config=charts.CONFIG,
        key="towns_chart",
    )
    if not labels.is_rate(unit):
        st.caption("计数类指标的目标是全县的，镇村不设分解目标。")
    with st.expander("各镇（街道）数据表", icon=":material/table:"):
        ui.table(
            warehouse.town_table(kpi, month, percent=labels.is_rate(unit)),
            file_name=f"{names[kpi]}_各镇（街道）_{month}.xlsx",
            key="download_towns",
        )

st.subheader("各村情况")
if not town:
    st.caption(":material/touch_app: 选择镇（街道）后，这里显示该镇（街道）各村的数据。")
else:
    by_village = warehouse.village_breakdown(kpi, month, town)
    st.plotly_chart(
        charts.bars(
            by_village,
            name_column="village_name",
            code_column="village_code",
            unit=unit,
            highlight=village,
            title=f"{names[kpi]}：{towns[town]}各村（{labels.month_name(month)}）",
        ),
        config=charts.CONFIG,
        key="villages_chart",
    )
    ui.table(
        warehouse.village_table(kpi, month, town, percent=labels.is_rate(unit)),
        file_name=f"{names[kpi]}_{towns[town]}各村_{month}.xlsx",
        key="download_villages",
    )
