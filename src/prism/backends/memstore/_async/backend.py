"""The memstore backend class (async flavour)."""

from __future__ import annotations

from typing import Any

from prism._redact import describe
from prism.backends._async.base import AsyncBackend
from prism.backends.memstore._async.document import AsyncMemDocument
from prism.backends.memstore._async.graph import AsyncMemGraph
from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue
from prism.backends.memstore._async.list import AsyncMemList
from prism.backends.memstore._async.pubsub import AsyncMemPubSub

# facet imports: one line per model (each model's owner adds its own line here)
from prism.backends.memstore._async.queue import AsyncMemQueue
from prism.backends.memstore._async.set import AsyncMemSet
from prism.backends.memstore._async.sortedset import AsyncMemSortedSet
from prism.backends.memstore._async.stream import AsyncMemStream
from prism.backends.memstore._async.timeseries import AsyncMemTimeSeries
from prism.backends.memstore._core import get_store
from prism.backends.settings import BackendSettings
from prism.errors import ConfigurationError

__all__ = ["AsyncMemstoreBackend"]


class AsyncMemstoreBackend(AsyncBackend):
    """In-process data, shared by every namespace opened on the same ``memory://<name>``.

    Options: ``clock`` — a callable returning epoch seconds (e.g. ``ManualClock``), used for
    TTLs, leases, delays and retention.
    """

    facet_classes = {
        "keyvalue": AsyncMemKeyValue,
        # facet entries: one line per model (each model's owner adds its own line here)
        "queue": AsyncMemQueue,
        "list": AsyncMemList,
        "set": AsyncMemSet,
        "sortedset": AsyncMemSortedSet,
        "timeseries": AsyncMemTimeSeries,
        "graph": AsyncMemGraph,
        "document": AsyncMemDocument,
        "stream": AsyncMemStream,
        "pubsub": AsyncMemPubSub,
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
