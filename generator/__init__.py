"""Synthetic departmental extracts for Xunyi county (旬邑县), with the truth about them.

``generate(out_dir, year, seed, scale)`` simulates a county-year of 脱贫户 and 监测户
households (``population``), derives each source's monthly ledger (``ledgers``), lays every
month out as a clerk's file — tidy or messy, with planted bad cells and some files that must
be rejected whole (``layouts``, ``compose``, ``cells``, ``faults``, ``writers``, ``extras``) —
and writes ``inbox/<source>/…`` plus ``truth.json`` (``truth``).

The package shares no code with the loader, the rules or the checks (stdlib, xlsxwriter and
xlwt only); it reads one data file of the project, ``etl/reference/gazetteer.csv``.
"""

from .build import generate, generate_county_year

__all__ = ["generate", "generate_county_year"]
