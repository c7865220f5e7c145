"""Xunyi county's extract pipeline: read the departments' ledgers into the DuckDB warehouse."""
