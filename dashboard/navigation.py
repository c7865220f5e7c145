"""The dashboard's pages, declared once: `app.py` builds the navigation from this list and
the tests check that every page here has its own AppTest test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to dashboard/
    title: str
    icon: str
    url_path: str  # the default page lives at "/" whatever this says
    default: bool = False


# The leaders' page: the ten actions as of a month (the default page, at "/").
OVERVIEW = PageSpec(
    "views/overview.py", "十大行动", ":material/dashboard:", "overview", default=True
)
# One action's indicators: trends, townships, villages (an analyst's page too).
ACTION = PageSpec("views/action.py", "行动详情", ":material/monitoring:", "action")
DATA = PageSpec("views/data_page.py", "数据", ":material/table_view:", "data")
CHECKS = PageSpec("views/checks_page.py", "核查", ":material/task_alt:", "checks")
# Accounts and the audit trail: listed for 管理员 only (`pages_for`).
ADMIN = PageSpec("views/admin_page.py", "管理", ":material/admin_panel_settings:", "admin")

PAGES: tuple[PageSpec, ...] = (OVERVIEW, ACTION, DATA, CHECKS, ADMIN)


def pages_for(administers: bool) -> tuple[PageSpec, ...]:
    """The pages a viewer's navigation lists: the admin page only for 管理员."""
    return PAGES if administers else tuple(p for p in PAGES if p is not ADMIN)
