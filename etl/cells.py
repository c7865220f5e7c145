"""Cells that leave the platform in a spreadsheet, made safe to open — and read back as sent.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be taken for a
formula by Excel or WPS when a clerk opens or edits a download (CSV/formula injection). Every
download neutralises such a text cell by putting an apostrophe before it; numbers stay
numbers. The loader reads an apostrophe before one of those characters back as the text
itself (etl/workbook.py), so a downloaded sheet, filled in and sent again, loads unchanged.
"""

from __future__ import annotations

import polars as pl

_RISKY = r"^[=+\-@\t\r]"
_NEUTRALISED = r"^'([=+\-@\t\r])"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every risky text cell prefixed by an apostrophe (other columns as they are)."""
    risky = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_RISKY))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in risky
    )


def restored(column: str) -> pl.Expr:
    """A text column read from a file, with a neutralised cell turned back into its text."""
    return pl.col(column).str.replace(_NEUTRALISED, "$1")
