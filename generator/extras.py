"""Files that must be turned away whole, beyond the monthly ledgers' own rejections:
a folder named for no source and a stray document in a source's folder. Both are written
byte-stable (fixed zip dates)."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from .compose import Grid
from .population import County
from .sources import CONTRACT_SOURCES
from .writers import write_xlsx

UNKNOWN_SOURCE = "低保名单"  # the civil-affairs list, sent to the wrong place
STRAY_DOCUMENT = "roster/填表说明.docx"

assert UNKNOWN_SOURCE not in CONTRACT_SOURCES


def unknown_source_file(county: County, rng: random.Random) -> tuple[str, Grid]:
    """A clean-looking 低保 list in ``inbox/低保名单/``: no source has that name."""
    month = 6
    rows = [
        [f"旬邑县{county.year}年{month}月农村低保对象名单", None, None, None, None, None],
        ["序号", "姓名", "身份证号", "镇（街道）", "行政村", "月保障金（元）"],
    ]
    people = rng.sample(county.persons, min(30, len(county.persons)))
    for k, p in enumerate(sorted(people, key=lambda p: p.household.hh_id), 1):
        hh = p.household
        rows.append(
            [k, p.name, p.id_number, hh.town.name, hh.village.name, rng.choice((420, 480, 520))]
        )
    grid = Grid(
        "低保名单",
        rows,
        merges=[(0, 0, 0, 5)],
        header_rows=(1,),
        title_rows=(0,),
        widths=[6, 10, 22, 12, 12, 14],
    )
    return f"{UNKNOWN_SOURCE}/旬邑县{county.year}年{month}月低保名单.xlsx", grid


def write_unknown_source(path: Path, grid: Grid) -> None:
    write_xlsx(path, [grid])


def docx_bytes() -> bytes:
    """A minimal Word document (a zip with fixed dates) explaining how to fill the roster."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            "</Types>"
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>填表说明：防返贫监测对象信息每月导出一次。'
            "</w:t></w:r></w:p></w:body></w:document>"
        ),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def corrupt(data: bytes) -> bytes:
    """A workbook cut off in transfer: the zip's central directory is missing."""
    return data[: len(data) * 2 // 3]
