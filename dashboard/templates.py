"""报送模板下载: the blank Excel template of each source, for data officers to hand out.

The bytes are etl.templates' (the same file `python -m etl templates` writes). A template
depends on nothing but the declarations, so it is cached per source for every viewer, and
built only when someone picks that source: a page view builds none.
"""

from __future__ import annotations

import streamlit as st

from etl import templates
from etl.declarations import sources


@st.cache_data(max_entries=32, show_spinner="正在生成模板……")
def template(source: str) -> bytes:
    return templates.template_bytes(source)


def section() -> None:
    """The section: pick a source, download its template."""
    st.header("报送模板下载", divider="gray")
    st.caption(
        "各台账的空白 Excel 模板：列名、必填标记（红色列名）、下拉选项、文本格式的身份证号"
        "都已设好，每个模板里有一页“填表说明”。发给各部门照此填报，收回的文件可直接加载。"
    )
    declared = sources()
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(
        "台账",
        list(declared),
        index=None,
        placeholder="选择要下载模板的台账",
        format_func=lambda name: f"{declared[name].title}（{declared[name].department}）",
        key="template_source",
    )
    if chosen is None:
        right.button("下载模板", icon=":material/download:", disabled=True, width="stretch")
        return
    content = template(chosen)
    right.download_button(
        "下载模板",
        data=lambda: content,  # handed to the browser only when clicked, like every table's
        file_name=templates.file_name(declared[chosen]),
        mime=templates.MIME,
        icon=":material/download:",
        key="download_template",
        on_click="ignore",
        width="stretch",
    )
