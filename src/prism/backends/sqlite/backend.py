# Generated from src/prism/backends/sqlite/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The sqlite backend class (sync flavour)."""

from __future__ import annotations

import itertools

from prism.backends.base import Backend
from prism.backends.settings import BackendSettings
from prism.backends.sqlite._core import Database
from prism.backends.sqlite.document import SQLiteDocument
from prism.backends.sqlite.graph import SQLiteGraph
from prism.backends.sqlite.keyvalue import SQLiteKeyValue
from prism.backends.sqlite.queue import SQLiteQueue
from prism.backends.sqlite.set import SQLiteSet
from prism.backends.sqlite.stream import SQLiteStream
from prism.backends.sqlite.timeseries import SQLiteTimeSeries

__all__ = ["SQLiteBackend"]


class SQLiteBackend(Backend):
    """One SQLite database (a file in WAL mode, or in memory), shared by the namespaces opened
    on the same connection entry.  See ``docs/backends/sqlite.md`` for the connection string
    and the options (``synchronous``, ``busy_timeout``, ``poll_interval``, ``clock``).

    The async flavour runs every statement on one worker thread that owns the connection; the
    sync flavour calls it on the caller's thread under a lock (see ``_core.py``).
    """

    facet_classes = {
        "keyvalue": SQLiteKeyValue,
        "queue": SQLiteQueue,
        "set": SQLiteSet,
        "stream": SQLiteStream,
        "timeseries": SQLiteTimeSeries,
        "graph": SQLiteGraph,
        "document": SQLiteDocument,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.db = Database(settings.connection, settings.options)
        self._writes = itertools.count(1)

    def open(self) -> None:
        self.db.open()

    def close(self) -> None:
        self.db.close()

    def count_write(self, every: int) -> bool:
        """Count one write; True once every ``every`` writes (time for housekeeping)."""
        return next(self._writes) % every == 0
