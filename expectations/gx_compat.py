"""What great-expectations needs to run on DuckDB — the project's only patch of a library.

great-expectations has no DuckDB support of its own: it reaches DuckDB as "another SQL
dialect" through duckdb_engine and SQLAlchemy. As installed, every expectation on such a
data source fails (`MetricResolutionError: list index out of range`): GX opens a pooled
connection per query and closes it — rolling back — before the result is read, and
DuckDB's pending result is then empty (great_expectations issues 10738, 11579).

The fix applied here, before any context is built: for the duckdb dialect, keep one
SQLAlchemy connection per thread open instead of closing it, and commit before each
query so every query sees fresh data. (One connection shared across threads failed in a
probe; one per thread did not.) `released()` closes those connections and disposes the
engines, so the caller can open the DuckDB file again with its own settings.

Versions this was written for: great_expectations 1.24.1, duckdb_engine 0.17.0,
SQLAlchemy 2.1.9, duckdb 2.0.1. tests/test_gx_compat.py fails loudly when an upgrade
breaks the layer or makes it unnecessary.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine_module

GX_VERSION_WRITTEN_FOR = "1.24.1"

_local = threading.local()
_original_get_connection = _engine_module.SqlAlchemyExecutionEngine.get_connection
_kept: list = []  # every connection kept open, whichever thread made it
_engines: list = []
_kept_lock = threading.Lock()


def _connections() -> dict:
    if not hasattr(_local, "connections"):
        _local.connections = {}
    return _local.connections


@contextlib.contextmanager
def _get_connection(self):
    if self.dialect_name != "duckdb":
        with _original_get_connection(self) as connection:
            yield connection
        return
    connections = _connections()
    connection = connections.get(id(self.engine))
    if connection is None or connection.closed:
        connection = connections[id(self.engine)] = self.engine.connect()
        with _kept_lock:
            _kept.append(connection)
            _engines.append(self.engine)
    if connection.in_transaction():
        connection.commit()  # end the previous read: the next query sees fresh data
    yield connection


def apply() -> None:
    """Patch great-expectations for DuckDB (idempotent)."""
    _engine_module.SqlAlchemyExecutionEngine.get_connection = _get_connection


def is_applied() -> bool:
    return _engine_module.SqlAlchemyExecutionEngine.get_connection is _get_connection


def release() -> None:
    """Close every kept connection (of every thread) and dispose every engine that made one."""
    with _kept_lock:
        while _kept:
            with contextlib.suppress(Exception):
                _kept.pop().close()
        while _engines:
            _engines.pop().dispose()
    _connections().clear()


@contextlib.contextmanager
def released(*datasources) -> Iterator[None]:
    """Run a block, then free the DuckDB file of every GX connection to it."""
    try:
        yield
    finally:
        release()
        for datasource in datasources:
            with contextlib.suppress(Exception):
                datasource.get_engine().dispose()
            with contextlib.suppress(Exception):
                datasource.get_execution_engine().engine.dispose()


apply()
