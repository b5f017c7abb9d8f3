# Generated from src/prism/backends/postgres/_async/_facet.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The base of every postgres facet: the namespace's schema, a pooled connection per call, and
driver errors translated (the sync twin, generated from the async source)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import psycopg.errors  # noqa: TID253 (backend-internal module)
from psycopg import Connection  # noqa: TID253

from prism.backends._errors import translated, translating
from prism.backends.base import Facet
from prism.backends.postgres._core import BACKEND, schema_name
from prism.backends.postgres._errors import translate
from prism.errors import BackendUnavailableError

if TYPE_CHECKING:
    from prism.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresFacet"]

_VANISHED = (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName)


class PostgresFacet(Facet):
    """A facet bound to one namespace (one schema)."""

    MODEL: ClassVar[str]

    def __init__(self, backend: PostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._pg = backend
        self.schema = schema_name(namespace)

    def _vanished(self, operation: str) -> BackendUnavailableError:
        """The schema was dropped (or the database reset) behind this backend's back: forget
        it, so that the next call creates it again."""
        self._pg.forget(self.schema)
        msg = (
            f"the tables of namespace {self.namespace!r} are missing (was the schema dropped or "
            "the database reset?); they are recreated on the next call"
        )
        return BackendUnavailableError(msg, backend=BACKEND, operation=operation)

    def _ensure(self) -> None:
        if (self.schema, self.MODEL) not in self._pg.ready:
            self._pg.ensure(self.schema, self.namespace, self.MODEL)

    @contextmanager
    def _connection(self, operation: str) -> Iterator[Connection[Any]]:
        """A pooled connection (autocommit) with the model's tables in place; psycopg errors
        raised inside become prism errors."""
        with translating(BACKEND, operation, translate):
            self._ensure()
            try:
                with self._pg.pool.connection() as conn:
                    yield conn
            except _VANISHED as exc:
                raise self._vanished(operation) from exc

    # The three helpers below inline what _connection does: they are the hot path of every
    # single-statement operation.  A plain try/except costs nothing when nothing is raised,
    # unlike a generator context manager, and the model check is a set lookup, not an await.

    def _one(self, operation: str, query: str, params: Sequence[Any] | Mapping[str, Any]) -> Any:
        """The first row of ``query`` (None when there is none)."""
        try:
            if (self.schema, self.MODEL) not in self._pg.ready:
                self._pg.ensure(self.schema, self.namespace, self.MODEL)
            with self._pg.pool.connection() as conn:
                cur = conn.execute(query, params)
                return cur.fetchone()
        except Exception as exc:
            raise self._failed(exc, operation) from exc

    def _all(
        self, operation: str, query: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> list[Any]:
        try:
            if (self.schema, self.MODEL) not in self._pg.ready:
                self._pg.ensure(self.schema, self.namespace, self.MODEL)
            with self._pg.pool.connection() as conn:
                cur = conn.execute(query, params)
                rows: list[Any] = cur.fetchall()
                return rows
        except Exception as exc:
            raise self._failed(exc, operation) from exc

    def _run(self, operation: str, query: str, params: Sequence[Any] | Mapping[str, Any]) -> int:
        """Run ``query``; the number of rows it touched."""
        try:
            if (self.schema, self.MODEL) not in self._pg.ready:
                self._pg.ensure(self.schema, self.namespace, self.MODEL)
            with self._pg.pool.connection() as conn:
                cur = conn.execute(query, params)
                count: int = cur.rowcount
                return count
        except Exception as exc:
            raise self._failed(exc, operation) from exc

    def _failed(self, exc: Exception, operation: str) -> Exception:
        """The prism error for ``exc`` raised by one of the helpers above (re-raises prism
        errors and foreign exceptions unchanged)."""
        if isinstance(exc, _VANISHED):
            return self._vanished(operation)
        return translated(exc, BACKEND, operation, translate)
