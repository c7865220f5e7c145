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


ACTIONS = PageSpec("views/actions.py", "十大行动", ":material/flag:", "actions")
OVERVIEW = PageSpec("views/overview.py", "总览", ":material/dashboard:", "overview", default=True)
DATA = PageSpec("views/data_page.py", "数据", ":material/table_view:", "data")
CHECKS = PageSpec("views/checks_page.py", "核查", ":material/task_alt:", "checks")

PAGES: tuple[PageSpec, ...] = (OVERVIEW, ACTIONS, DATA, CHECKS)
