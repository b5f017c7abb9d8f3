"""The base of every postgres facet: the namespace's schema, a pooled connection per call, and
driver errors translated (async source; the sync twin is generated)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import psycopg.errors  # noqa: TID253 (backend-internal module)
from psycopg import AsyncConnection  # noqa: TID253

from prism.backends._async.base import AsyncFacet
from prism.backends._errors import translated, translating
from prism.backends.postgres._core import BACKEND, schema_name
from prism.backends.postgres._errors import translate
from prism.errors import BackendUnavailableError

if TYPE_CHECKING:
    from prism.backends.postgres._async.backend import AsyncPostgresBackend

__all__ = ["AsyncPostgresFacet"]

_VANISHED = (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName)


class AsyncPostgresFacet(AsyncFacet):
    """A facet bound to one namespace (one schema)."""

    MODEL: ClassVar[str]

    def __init__(self, backend: AsyncPostgresBackend, namespace: str) -> None:
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

    async def _ensure(self) -> None:
        if (self.schema, self.MODEL) not in self._pg.ready:
            await self._pg.ensure(self.schema, self.namespace, self.MODEL)

    @asynccontextmanager
    async def _connection(self, operation: str) -> AsyncIterator[AsyncConnection[Any]]:
        """A pooled connection (autocommit) with the model's tables in place; psycopg errors
        raised inside become prism errors."""
        with translating(BACKEND, operation, translate):
            await self._ensure()
            try:
                async with self._pg.pool.connection() as conn:
                    yield conn
            except _VANISHED as exc:
                raise self._vanished(operation) from exc

    # The three helpers below inline what _connection does: they are the hot path of every
    # single-statement operation.  A plain try/except costs nothing when nothing is raised,
    # unlike a generator context manager, and the model check is a set lookup, not an await.

    async def _one(
        self, operation: str, query: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> Any:
        """The first row of ``query`` (None when there is none)."""
        try:
            if (self.schema, self.MODEL) not in self._pg.ready:
                await self._pg.ensure(self.schema, self.namespace, self.MODEL)
            async with self._pg.pool.connection() as conn:
                cur = await conn.execute(query, params)
                return await cur.fetchone()
        except Exception as exc:
            raise self._failed(exc, operation) from exc

    async def _all(
        self, operation: str, query: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> list[Any]:
        try:
            if (self.schema, self.MODEL) not in self._pg.ready:
                await self._pg.ensure(self.schema, self.namespace, self.MODEL)
            async with self._pg.pool.connection() as conn:
                cur = await conn.execute(query, params)
                rows: list[Any] = await cur.fetchall()
                return rows
        except Exception as exc:
            raise self._failed(exc, operation) from exc

    async def _run(
        self, operation: str, query: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> int:
        """Run ``query``; the number of rows it touched."""
        try:
            if (self.schema, self.MODEL) not in self._pg.ready:
                await self._pg.ensure(self.schema, self.namespace, self.MODEL)
            async with self._pg.pool.connection() as conn:
                cur = await conn.execute(query, params)
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
