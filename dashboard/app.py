"""Entry point of the dashboard: `streamlit run dashboard/app.py`.

Reads the published warehouse named by $XUNYI_WAREHOUSE (else data/xunyi.duckdb).
The overview is the default page, at `/`; filters travel in the URL (dashboard/filters.py).
Nothing shows before a login (dashboard/auth.py); the navigation lists what the role may open.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the repository's root.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Imported whole before any page runs. Plotly looks these up in sys.modules without importing
# them (_plotly_utils.optional_imports.get_module(..., should_load=False)); on a server just
# started, while one session's thread was still importing pandas (for a table), another's
# chart found it half initialised and failed ("partially initialized module 'pandas' has no
# attribute 'Series'": tests/test_crowd.py, two sessions at once). An import statement
# waits for an import under way; a look into sys.modules does not.
import numpy  # noqa: E402, F401
import pandas  # noqa: E402, F401
import PIL.Image  # noqa: E402, F401
import streamlit as st  # noqa: E402

from dashboard import auth  # noqa: E402
from dashboard.navigation import PAGES, pages_for  # noqa: E402

HERE = Path(__file__).resolve().parent

# A local favicon: with a material icon (ours or a page's) the browser fetches it from
# fonts.gstatic.com, which a county intranet may not reach (the browser test checks that
# nothing leaves the host).
st.set_page_config(
    page_title="旬邑县乡村振兴数据平台", page_icon=str(HERE / "favicon.png"), layout="wide"
)


def _pages(specs) -> list:
    return [
        st.Page(
            HERE / page.path,
            title=page.title,
            icon=page.icon,
            url_path=page.url_path,
            default=page.default,
        )
        for page in specs
    ]


# No page, data or download before a login: until then the navigation is hidden (so the URL
# the visitor opened, with its filters, stays as it is) and only the login form shows.
viewer = auth.signed_in()
if viewer is None:
    st.navigation(_pages(PAGES), position="hidden")
    auth.login_page()
navigation = st.navigation(_pages(pages_for(viewer.spec.administers)), position="top")
st.session_state["_page"] = navigation.title
auth.account_box(viewer)
navigation.run()
