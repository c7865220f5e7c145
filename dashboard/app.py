"""Entry point of the dashboard: `streamlit run dashboard/app.py`.

Reads the published warehouse named by $XUNYI_WAREHOUSE (else data/xunyi.duckdb).
The overview is the default page, at `/`; filters travel in the URL (dashboard/filters.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the repository's root.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402

from dashboard.navigation import PAGES  # noqa: E402

HERE = Path(__file__).resolve().parent

# A local favicon: with a material icon (ours or a page's) the browser fetches it from
# fonts.gstatic.com, which a county intranet may not reach (the browser test checks that
# nothing leaves the host).
st.set_page_config(
    page_title="旬邑县乡村振兴数据平台", page_icon=str(HERE / "favicon.png"), layout="wide"
)
navigation = st.navigation(
    [
        st.Page(
            HERE / page.path,
            title=page.title,
            icon=page.icon,
            url_path=page.url_path,
            default=page.default,
        )
        for page in PAGES
    ],
    position="top",
)
navigation.run()
