"""The memstore backend class (async flavour)."""

from __future__ import annotations

from prism.backends._async.base import AsyncBackend
from prism.backends.memstore._async.document import AsyncMemDocument
from prism.backends.memstore._async.graph import AsyncMemGraph
from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue
from prism.backends.memstore._async.list import AsyncMemList
from prism.backends.memstore._async.pubsub import (
    AsyncMemDurableSubscription,
    AsyncMemPubSub,
    AsyncMemSubscription,
)

# facet imports: one line per model (each model's owner adds its own line here)
from prism.backends.memstore._async.queue import AsyncMemQueue
from prism.backends.memstore._async.set import AsyncMemSet
from prism.backends.memstore._async.sortedset import AsyncMemSortedSet
from prism.backends.memstore._async.stream import AsyncMemStream
from prism.backends.memstore._async.timeseries import AsyncMemTimeSeries
from prism.backends.memstore._config import parse_config
from prism.backends.memstore._core import get_store, yield_per_call
from prism.backends.settings import BackendSettings

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
        config = parse_config(settings.backend, settings.connection, settings.options)
        self.store = get_store(config.name, config.clock)


# Every async call is a suspension point, as a round trip to a server is (see yield_per_call).
yield_per_call(
    [
        *AsyncMemstoreBackend.facet_classes.values(),
        AsyncMemSubscription,
        AsyncMemDurableSubscription,
    ]
)
