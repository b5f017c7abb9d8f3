# Generated from src/prism/backends/memstore/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The memstore backend class (sync flavour)."""

from __future__ import annotations

from prism.backends.base import Backend
from prism.backends.memstore._config import parse_config
from prism.backends.memstore._core import get_store, yield_per_call
from prism.backends.memstore.document import MemDocument
from prism.backends.memstore.graph import MemGraph
from prism.backends.memstore.keyvalue import MemKeyValue
from prism.backends.memstore.list import MemList
from prism.backends.memstore.pubsub import (
    MemDurableSubscription,
    MemPubSub,
    MemSubscription,
)

# facet imports: one line per model (each model's owner adds its own line here)
from prism.backends.memstore.queue import MemQueue
from prism.backends.memstore.set import MemSet
from prism.backends.memstore.sortedset import MemSortedSet
from prism.backends.memstore.stream import MemStream
from prism.backends.memstore.timeseries import MemTimeSeries
from prism.backends.settings import BackendSettings

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
        config = parse_config(settings.backend, settings.connection, settings.options)
        self.store = get_store(config.name, config.clock)


# Every async call is a suspension point, as a round trip to a server is (see yield_per_call).
yield_per_call(
    [
        *MemstoreBackend.facet_classes.values(),
        MemSubscription,
        MemDurableSubscription,
    ]
)
