"""The 45 catalog interfaces, sync and async, and :data:`CATALOG`.

The async modules in ``_async/`` are the source; the sync modules here are generated from them
by ``tools/async_to_sync.py``.  Subclassing an interface is how a backend declares it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from prism.interfaces._async.document import (
    AsyncDocumentBasic,
    AsyncDocumentIndexing,
    AsyncDocumentQuery,
)
from prism.interfaces._async.graph import (
    AsyncGraphAnalytics,
    AsyncGraphBasic,
    AsyncGraphQuery,
    AsyncGraphTraversal,
)
from prism.interfaces._async.keyvalue import (
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTransactional,
    AsyncKeyValueTTL,
    AsyncTransaction,
)
from prism.interfaces._async.list import (
    AsyncListBasic,
    AsyncListBlocking,
    AsyncListIndexing,
    AsyncListRange,
)
from prism.interfaces._async.pubsub import (
    AsyncDurableSubscription,
    AsyncPubSubBasic,
    AsyncPubSubFiltering,
    AsyncPubSubOrdering,
    AsyncPubSubPersistent,
    AsyncPubSubWildcards,
    AsyncSubscription,
)
from prism.interfaces._async.queue import (
    AsyncQueueBasic,
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
    AsyncQueuePriority,
    AsyncQueueVisibility,
)
from prism.interfaces._async.set import (
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)
from prism.interfaces._async.sortedset import (
    AsyncSortedSetBasic,
    AsyncSortedSetLex,
    AsyncSortedSetOperations,
    AsyncSortedSetRange,
    AsyncSortedSetRank,
)
from prism.interfaces._async.stream import (
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
)
from prism.interfaces._async.timeseries import (
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesInterpolation,
    AsyncTimeSeriesRetention,
)
from prism.interfaces._base import Interface, registered_interfaces
from prism.interfaces.document import (
    DocumentBasic,
    DocumentIndexing,
    DocumentQuery,
)
from prism.interfaces.graph import (
    GraphAnalytics,
    GraphBasic,
    GraphQuery,
    GraphTraversal,
)
from prism.interfaces.keyvalue import (
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTransactional,
    KeyValueTTL,
    Transaction,
)
from prism.interfaces.list import (
    ListBasic,
    ListBlocking,
    ListIndexing,
    ListRange,
)
from prism.interfaces.pubsub import (
    DurableSubscription,
    PubSubBasic,
    PubSubFiltering,
    PubSubOrdering,
    PubSubPersistent,
    PubSubWildcards,
    Subscription,
)
from prism.interfaces.queue import (
    QueueBasic,
    QueueDeadLetter,
    QueueDelayed,
    QueuePriority,
    QueueVisibility,
)
from prism.interfaces.set import (
    SetBasic,
    SetCardinality,
    SetOperations,
    SetRandom,
)
from prism.interfaces.sortedset import (
    SortedSetBasic,
    SortedSetLex,
    SortedSetOperations,
    SortedSetRange,
    SortedSetRank,
)
from prism.interfaces.stream import (
    StreamBasic,
    StreamConsumerGroups,
    StreamPartitioning,
    StreamReplay,
    StreamRetention,
)
from prism.interfaces.timeseries import (
    TimeSeriesAggregation,
    TimeSeriesBasic,
    TimeSeriesInterpolation,
    TimeSeriesRetention,
)

__all__ = [
    "CATALOG",
    "MODELS",
    "AsyncDocumentBasic",
    "AsyncDocumentIndexing",
    "AsyncDocumentQuery",
    "AsyncDurableSubscription",
    "AsyncGraphAnalytics",
    "AsyncGraphBasic",
    "AsyncGraphQuery",
    "AsyncGraphTraversal",
    "AsyncKeyValueBasic",
    "AsyncKeyValueBatch",
    "AsyncKeyValueCAS",
    "AsyncKeyValueScan",
    "AsyncKeyValueTTL",
    "AsyncKeyValueTransactional",
    "AsyncListBasic",
    "AsyncListBlocking",
    "AsyncListIndexing",
    "AsyncListRange",
    "AsyncPubSubBasic",
    "AsyncPubSubFiltering",
    "AsyncPubSubOrdering",
    "AsyncPubSubPersistent",
    "AsyncPubSubWildcards",
    "AsyncQueueBasic",
    "AsyncQueueDeadLetter",
    "AsyncQueueDelayed",
    "AsyncQueuePriority",
    "AsyncQueueVisibility",
    "AsyncSetBasic",
    "AsyncSetCardinality",
    "AsyncSetOperations",
    "AsyncSetRandom",
    "AsyncSortedSetBasic",
    "AsyncSortedSetLex",
    "AsyncSortedSetOperations",
    "AsyncSortedSetRange",
    "AsyncSortedSetRank",
    "AsyncStreamBasic",
    "AsyncStreamConsumerGroups",
    "AsyncStreamPartitioning",
    "AsyncStreamReplay",
    "AsyncStreamRetention",
    "AsyncSubscription",
    "AsyncTimeSeriesAggregation",
    "AsyncTimeSeriesBasic",
    "AsyncTimeSeriesInterpolation",
    "AsyncTimeSeriesRetention",
    "AsyncTransaction",
    "CatalogEntry",
    "DocumentBasic",
    "DocumentIndexing",
    "DocumentQuery",
    "DurableSubscription",
    "GraphAnalytics",
    "GraphBasic",
    "GraphQuery",
    "GraphTraversal",
    "Interface",
    "KeyValueBasic",
    "KeyValueBatch",
    "KeyValueCAS",
    "KeyValueScan",
    "KeyValueTTL",
    "KeyValueTransactional",
    "ListBasic",
    "ListBlocking",
    "ListIndexing",
    "ListRange",
    "PubSubBasic",
    "PubSubFiltering",
    "PubSubOrdering",
    "PubSubPersistent",
    "PubSubWildcards",
    "QueueBasic",
    "QueueDeadLetter",
    "QueueDelayed",
    "QueuePriority",
    "QueueVisibility",
    "SetBasic",
    "SetCardinality",
    "SetOperations",
    "SetRandom",
    "SortedSetBasic",
    "SortedSetLex",
    "SortedSetOperations",
    "SortedSetRange",
    "SortedSetRank",
    "StreamBasic",
    "StreamConsumerGroups",
    "StreamPartitioning",
    "StreamReplay",
    "StreamRetention",
    "Subscription",
    "TimeSeriesAggregation",
    "TimeSeriesBasic",
    "TimeSeriesInterpolation",
    "TimeSeriesRetention",
    "Transaction",
    "interfaces_of",
]
"""The catalog interfaces (each model's sync ABCs, then their async twins), the helper ABCs their
methods return (``Transaction``, ``Subscription``, ...), the catalog itself and the base class."""

MODELS: tuple[str, ...] = (
    "keyvalue",
    "pubsub",
    "stream",
    "queue",
    "list",
    "set",
    "sortedset",
    "timeseries",
    "graph",
    "document",
)
"""The ten data models, in catalog order; each is an attribute of a namespace."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One catalog interface: its registry name, data model and the sync and async ABCs."""

    name: str
    model: str
    sync: type[Interface]
    async_: type[Interface]


def _build() -> Mapping[str, CatalogEntry]:
    found = registered_interfaces()
    names = sorted(
        {name for name, _ in found}, key=lambda n: (MODELS.index(found[n, False].model), n)
    )
    return MappingProxyType(
        {
            name: CatalogEntry(
                name, found[name, False].model, found[name, False], found[name, True]
            )
            for name in names
        }
    )


CATALOG: Mapping[str, CatalogEntry] = _build()
"""Registry name → :class:`CatalogEntry`, for exactly the 45 catalog interfaces."""


def interfaces_of(model: str) -> tuple[str, ...]:
    """Registry names of the interfaces of one data model, in catalog order."""
    return tuple(name for name, entry in CATALOG.items() if entry.model == model)
