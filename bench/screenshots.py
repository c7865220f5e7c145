"""The README's pictures, taken from the served dashboard on the demo county.

`python -m bench.screenshots [--scale F]` builds (or reuses) the demo county's warehouse of
`bench/pages.py` and writes docs/images/*.png with headless Chromium, as of August 2024
(forecasts are made as of the month shown): the overview's ten actions, an action page
with its trends and forecasts, the data and 核查 pages.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.__main__ import REPO, demo_county
from bench.pages import build_warehouse
from dashboard.harness import chromium, served

IMAGES = REPO / "docs" / "images"
# name → (URL, window height: the action page is tall enough to show its first trends)
VIEWS = {
    "overview": ("/?month=2024-08", 1100),
    "action": ("/action?month=2024-09&action=4&kpi=A4-TRAINED", 2600),
    "data": ("/data?month=2024-08", 1100),
    "checks": ("/checks?month=2024-08", 1100),
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.screenshots")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", choices=sorted(VIEWS), default=sorted(VIEWS))
    args = parser.parse_args()
    warehouse = build_warehouse(demo_county(args.scale), args.scale)
    IMAGES.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as logs,
        served(warehouse, Path(logs)) as app,
        chromium() as browser,
    ):
        for name in args.only:
            url, height = VIEWS[name]
            page = browser.new_page(viewport={"width": 1440, "height": height})
            app.sign_in(page.context, "analyst")
            page.goto(app.url + url)
            page.locator("[data-testid='stMain']").wait_for(state="visible", timeout=120_000)
            page.wait_for_load_state("networkidle")
            charts = page.locator("[data-testid='stPlotlyChart'] .main-svg")
            if charts.count():
                charts.first.wait_for(state="visible", timeout=60_000)
            page.wait_for_timeout(1_500)  # plotly's transitions
            path = IMAGES / f"{name}.png"
            page.screenshot(path=str(path))
            print(f"wrote {path.relative_to(REPO)}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
