"""Making a pack: the figures, the charts, the PDF, the circulars, and the archive — one
function for the overview's button and for `python -m etl pack`.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl import audit
from pack import archive, circulars, figures, pdf

# Called as work goes on: (what is being done, share of the whole done, 0–1).
Progress = Callable[[str, float], None]


def pdf_name(month: str) -> str:
    return f"季调度材料_{month}.pdf"


class NoData(LookupError):
    """The warehouse holds no indicators for the month asked for."""


@dataclass(frozen=True)
class Made:
    month: str
    pdf: bytes
    circulars: dict[str, bytes]  # file name → .docx
    folder: Path  # where the archive keeps it
    figures: dict

    @property
    def files(self) -> dict[str, bytes]:
        return {pdf_name(self.month): self.pdf, **self.circulars}

    def circulars_zip(self) -> bytes:
        """The circulars in one .zip, their Chinese names kept (as UTF-8, which Windows'
        own unzip reads)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, content in self.circulars.items():
                bundle.writestr(name, content)
        return buffer.getvalue()

    def write(self, directory: Path) -> list[Path]:
        """Write the PDF and the circulars into `directory` (made if missing)."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, content in self.files.items():
            (directory / name).write_bytes(content)
            written.append(directory / name)
        return written


def make(
    reader: figures.Reader,
    warehouse: Path,
    month: str,
    *,
    made_by: str,
    towns: list[str] | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> Made:
    """The pack and the circulars for `month` from `reader` (the published `warehouse`),
    archived beside it. `towns`: the townships whose circulars to make (all by default; the
    county's is always made). Raises NoData when the month has no indicators."""
    say = progress or (lambda *_: None)
    if not figures.has_data(reader, month):
        raise NoData(month)
    meeting = reader.query("dashboard_last_meeting", month=month)
    presented = archive.presented(warehouse, meeting["period"][0] if meeting.height else None)

    def collecting(label: str, done: int, total: int) -> None:
        say(label, 0.25 * done / max(total, 1))

    shown = figures.collect(reader, month, presented=presented, report=collecting)
    shown["made_at"] = (now or dt.datetime.now()).isoformat(timespec="microseconds")
    shown["made_by"] = made_by

    charts_total = sum(k["headline"] for a in shown["actions"] for k in a["indicators"]) + 1
    drawn = 0

    def drawing(label: str) -> None:
        nonlocal drawn
        say(label, 0.25 + 0.4 * drawn / charts_total)
        drawn += 1

    svgs = pdf.draw_charts(shown, report=drawing)
    say("排版季调度材料（PDF）", 0.65)
    document = pdf.render(shown, svgs)
    say("填写月通报（Word）", 0.85)
    docs = circulars.render_all(shown, towns)
    say("存档", 0.95)
    folder = archive.save(warehouse, shown, {pdf_name(month): document, **docs})
    say("完成", 1.0)
    return Made(month, document, docs, folder, shown)


def record(warehouse: Path, made: Made, who: str, *, role: str = "", source: str = "") -> None:
    """The audit trail's line for a pack made (what, never the figures)."""
    audit.record(
        warehouse,
        "pack",
        who,
        role=role,
        what=f"生成季调度材料和月通报（{made.month}，{len(made.circulars)} 份月通报）",
        source=source,
        details={"month": made.month, "archive": made.folder.name},
    )
