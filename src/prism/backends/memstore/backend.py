# Generated from src/prism/backends/memstore/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The memstore backend class (async flavour)."""

from __future__ import annotations

from typing import Any

from prism._redact import describe
from prism.backends.base import Backend
from prism.backends.memstore._core import get_store
from prism.backends.memstore.document import MemDocument
from prism.backends.memstore.graph import MemGraph
from prism.backends.memstore.keyvalue import MemKeyValue
from prism.backends.memstore.list import MemList
from prism.backends.memstore.pubsub import MemPubSub

# facet imports: one line per model (each model's owner adds its own line here)
from prism.backends.memstore.queue import MemQueue
from prism.backends.memstore.set import MemSet
from prism.backends.memstore.sortedset import MemSortedSet
from prism.backends.memstore.stream import MemStream
from prism.backends.memstore.timeseries import MemTimeSeries
from prism.backends.settings import BackendSettings
from prism.errors import ConfigurationError

__all__ = ["MemstoreBackend"]


class MemstoreBackend(Backend):
    """In-process data, shared by every namespace opened on the same ``memory://<name>``.

    Options: ``clock`` — a callable returning epoch seconds (e.g. ``ManualClock``), used for
    TTLs, leases, delays and retention.
    """

    facet_classes = {
        "keyvalue": MemKeyValue,
        # facet entries: one line per model (each model's owner adds its own line here)
        "queue": MemQueue,
        "list": MemList,
        "set": MemSet,
        "sortedset": MemSortedSet,
        "timeseries": MemTimeSeries,
        "graph": MemGraph,
        "document": MemDocument,
        "stream": MemStream,
        "pubsub": MemPubSub,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        conn = settings.connection or "memory://default"
        if not conn.startswith(("memory://", "memstore://")):
            msg = f"memstore connection must look like memory://<name>, got {describe(conn)}"
            raise ConfigurationError(msg, backend="memstore")
        clock: Any = settings.options.get("clock")
        if clock is not None and not callable(clock):
            msg = "memstore option 'clock' must be a callable returning epoch seconds"
            raise ConfigurationError(msg, backend="memstore")
        self.store = get_store(conn.split("://", 1)[1] or "default", clock)
