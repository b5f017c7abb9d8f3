"""The sqlite backend class (async flavour)."""

from __future__ import annotations

import itertools

from prism.backends._async.base import AsyncBackend
from prism.backends.settings import BackendSettings
from prism.backends.sqlite._async.document import AsyncSQLiteDocument
from prism.backends.sqlite._async.graph import AsyncSQLiteGraph
from prism.backends.sqlite._async.keyvalue import AsyncSQLiteKeyValue
from prism.backends.sqlite._async.queue import AsyncSQLiteQueue
from prism.backends.sqlite._async.set import AsyncSQLiteSet
from prism.backends.sqlite._async.stream import AsyncSQLiteStream
from prism.backends.sqlite._async.timeseries import AsyncSQLiteTimeSeries
from prism.backends.sqlite._core import Database

__all__ = ["AsyncSQLiteBackend"]


class AsyncSQLiteBackend(AsyncBackend):
    """One SQLite database (a file in WAL mode, or in memory), shared by the namespaces opened
    on the same connection entry.  See ``docs/backends/sqlite.md`` for the connection string
    and the options (``synchronous``, ``busy_timeout``, ``poll_interval``, ``clock``).

    The async flavour runs every statement on one worker thread that owns the connection; the
    sync flavour calls it on the caller's thread under a lock (see ``_core.py``).
    """

    facet_classes = {
        "keyvalue": AsyncSQLiteKeyValue,
        "queue": AsyncSQLiteQueue,
        "set": AsyncSQLiteSet,
        "stream": AsyncSQLiteStream,
        "timeseries": AsyncSQLiteTimeSeries,
        "graph": AsyncSQLiteGraph,
        "document": AsyncSQLiteDocument,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.db = Database(settings.connection, settings.options)
        self._writes = itertools.count(1)

    async def open(self) -> None:
        await self.db.open_async()

    async def close(self) -> None:
        await self.db.close_async()

    def count_write(self, every: int) -> bool:
        """Count one write; True once every ``every`` writes (time for housekeeping)."""
        return next(self._writes) % every == 0
