"""行动详情 — one action's indicators as of a month, at the county, a township or a village.

Each indicator's figure against its target and expected-by-now, with what moved since the
month before and since the last dispatch meeting; each indicator's monthly trend with its
target and expected lines and its year-end forecast (a month whose ledger is missing or
rejected is a gap with its reason); for the indicator chosen, the township ranking and the
village drill-down; and what the reporting units noted on the 重点指标填报表.

Every filter lives in the URL (month, town, village, action, kpi), so a link reproduces the
view; a link naming only an indicator opens its action, a link naming neither the first.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, data, filters, labels, ui
from dashboard.navigation import DATA

CARDS_PER_ROW = 4
TRENDS_PER_ROW = 2

warehouse = ui.require_warehouse()

months = warehouse.months()
if not months:
    st.title("行动详情")
    st.info(
        "数据仓库中还没有任何月份的指标。台账加载并计算指标后，这里会显示各项指标。",
        icon=":material/hourglass_empty:",
    )
    st.stop()
title = st.empty()  # filled once the action is known
st.caption(data.plan_title(months[0]))
selection = ui.month_and_place(warehouse, months)
month, place, place_name = selection.month, selection.place, selection.place_name
town, village, towns = place.town, place.village, selection.towns

# -- The action: from the URL, or the action of the indicator the link names ---------------

actions = warehouse.actions(month)
everything = warehouse.indicators(month, place)
action_of = {code: str(n) for code, n in everything.select("kpi_code", "action").iter_rows()}
action = filters.select(
    "行动",
    "action",
    list(actions),
    # else the first action with figures this month
    default=action_of.get(
        st.query_params.get("kpi", ""), next(iter(action_of.values()), next(iter(actions), None))
    ),
    format_func=lambda n: f"{n}. {actions[n]}",
)
if action is None:
    title.title("行动详情")
    st.info("所选月份的年度计划中没有行动。", icon=":material/info:")
    st.stop()
title.title(f"第{action}项行动：{actions[action]}")

st.page_link(
    DATA.path,
    label="查看本月的文件加载、隔离行与数据核查",
    icon=":material/fact_check:",
    query_params=filters.current(["month", "town", "village"]),
)

indicators = everything.filter(pl.col("action") == int(action))
st.subheader(f"{place_name} · {labels.month_name(month)}")
if indicators.is_empty():
    st.info("所选月份在这里没有指标数据。", icon=":material/info:")
    st.stop()

# -- Every indicator's figure ----------------------------------------------------------------

rows = indicators.to_dicts()
for start in range(0, len(rows), CARDS_PER_ROW):
    for column, kpi in zip(
        st.columns(CARDS_PER_ROW), rows[start : start + CARDS_PER_ROW], strict=False
    ):
        with column, st.container(border=True, key=f"kpi_{kpi['kpi_code']}"):
            unit = kpi["unit"]
            demo = " :gray-badge[演示]" if kpi["is_demo_value"] else ""
            st.metric(
                kpi["name"],
                labels.number(kpi["value"], unit),
                **labels.metric_change(kpi),
                help=labels.previous_note(kpi),
            )
            st.markdown(labels.status_badge(kpi["status"], kpi["progress"]) + demo)
            st.caption(labels.target_note(kpi, place.level))
            notes = [labels.since_meeting(kpi), f"牵头：{kpi['lead']}" if kpi["lead"] else ""]
            if any(notes):
                st.caption("；".join(n for n in notes if n))

# -- Every indicator's trend, with its year-end forecast ------------------------------------

st.subheader("月度走势与年底预测")
names = dict(zip(indicators["kpi_code"], indicators["name"], strict=True))
units = dict(zip(indicators["kpi_code"], indicators["unit"], strict=True))
drawn = list(names)
for start in range(0, len(drawn), TRENDS_PER_ROW):
    for column, code in zip(
        st.columns(TRENDS_PER_ROW), drawn[start : start + TRENDS_PER_ROW], strict=False
    ):
        with column:
            outlook = warehouse.forecast(code, month, place)
            st.plotly_chart(
                charts.trend(
                    warehouse.trend(code, month, place),
                    title=f"{names[code]}（{place_name}）",
                    unit=units[code],
                    forecast=outlook,
                ),
                config=charts.CONFIG,
                key=f"trend_{code}",
            )
            if outlook is not None and outlook["months_ahead"] > 0:
                st.caption(
                    f":material/trending_up: {labels.forecast_sentence(outlook, units[code])}",
                    help=labels.FORECAST_METHOD[outlook["method"]],
                )

# -- The chosen indicator: townships and villages -------------------------------------------

st.subheader("各镇（街道）排名与各村情况")
kpi = filters.select(
    "查看指标",
    "kpi",
    drawn,
    default=drawn[0],
    format_func=lambda code: f"{names[code]}（{code}）",
)
unit = units[kpi]
rate = labels.is_rate(unit)


def places(level: str, frame, table: data.Table, *, highlight, title: str, where: str) -> None:
    """One level's bars (townships ranked, or a township's villages) and its table."""
    st.plotly_chart(
        charts.bars(
            frame,
            name_column=f"{level}_name",
            code_column=f"{level}_code",
            unit=unit,
            highlight=highlight,
            title=f"{names[kpi]}：{title}（{labels.month_name(month)}）",
        ),
        config=charts.CONFIG,
        key=f"{level}s_chart",
    )
    with st.expander(f"{where}数据表", icon=":material/table:", expanded=level == "village"):
        ui.table(table, file_name=f"{names[kpi]}_{where}_{month}.xlsx", key=f"download_{level}s")


towns_column, villages_column = st.columns(2)
with towns_column:
    places(
        "town",
        warehouse.town_breakdown(kpi, month),
        warehouse.town_table(kpi, month, percent=rate),
        highlight=town,
        title="各镇（街道）排名",
        where="各镇（街道）",
    )
    if not rate:
        st.caption("计数类指标的目标是全县的，镇村不设分解目标。")
with villages_column:
    if not town:
        st.caption(":material/touch_app: 选择镇（街道）后，这里显示该镇（街道）各村的数据。")
    else:
        places(
            "village",
            warehouse.village_breakdown(kpi, month, town),
            warehouse.village_table(kpi, month, town, percent=rate),
            highlight=village,
            title=f"{towns[town]}各村",
            where=f"{towns[town]}各村",
        )

# -- What the reporting units noted -----------------------------------------------------------

notes = warehouse.indicator_notes(int(action), month, town)
if notes.total:
    st.subheader("填报单位备注（重点指标填报表）")
    ui.table(notes, file_name=f"重点指标填报备注_{month}.xlsx", key="download_notes")
