"""prism: one small, precise API over many data stores, running in your own process.

    import prism

    with prism.open("cache") as ns:
        ns.keyvalue.set("greeting", b"hello")

``prism.open`` / ``prism.open_async`` resolve a namespace from ``prism.yaml`` (or, with no
configuration, the embedded in-memory default).  Importing prism imports no database driver.

Every public name is listed in ``__all__`` and imported explicitly: the entry points, the
namespace classes, the catalog, the errors, the value types and the 45 interfaces in their sync
and async forms (plus the helper ABCs their methods return, such as ``Transaction``).  The only
other public attributes are prism's own subpackages (``prism.errors``, ``prism.types``,
``prism.interfaces``, ...), which Python binds on the package once they are imported.
"""

# No ``from __future__ import annotations`` and no ``from typing import ...`` here: either would
# leave a public helper name (``annotations``, ``Any``) on the package.
import typing as _typing

from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    ConflictError,
    IndexOutOfRangeError,
    InvalidArgumentError,
    KeyNotFoundError,
    LeaseLostError,
    NotFoundError,
    PrismError,
    UnsupportedError,
    ValueTooLargeError,
)
from prism.interfaces import (
    CATALOG,
    MODELS,
    AsyncDocumentBasic,
    AsyncDocumentIndexing,
    AsyncDocumentQuery,
    AsyncDurableSubscription,
    AsyncGraphAnalytics,
    AsyncGraphBasic,
    AsyncGraphQuery,
    AsyncGraphTraversal,
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTransactional,
    AsyncKeyValueTTL,
    AsyncListBasic,
    AsyncListBlocking,
    AsyncListIndexing,
    AsyncListRange,
    AsyncPubSubBasic,
    AsyncPubSubFiltering,
    AsyncPubSubOrdering,
    AsyncPubSubPersistent,
    AsyncPubSubWildcards,
    AsyncQueueBasic,
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
    AsyncQueuePriority,
    AsyncQueueVisibility,
    AsyncSetBasic,
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
    AsyncSortedSetBasic,
    AsyncSortedSetLex,
    AsyncSortedSetOperations,
    AsyncSortedSetRange,
    AsyncSortedSetRank,
    AsyncStreamBasic,
    AsyncStreamConsumerGroups,
    AsyncStreamPartitioning,
    AsyncStreamReplay,
    AsyncStreamRetention,
    AsyncSubscription,
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesBasic,
    AsyncTimeSeriesInterpolation,
    AsyncTimeSeriesRetention,
    AsyncTransaction,
    DocumentBasic,
    DocumentIndexing,
    DocumentQuery,
    DurableSubscription,
    GraphAnalytics,
    GraphBasic,
    GraphQuery,
    GraphTraversal,
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTransactional,
    KeyValueTTL,
    ListBasic,
    ListBlocking,
    ListIndexing,
    ListRange,
    PubSubBasic,
    PubSubFiltering,
    PubSubOrdering,
    PubSubPersistent,
    PubSubWildcards,
    QueueBasic,
    QueueDeadLetter,
    QueueDelayed,
    QueuePriority,
    QueueVisibility,
    SetBasic,
    SetCardinality,
    SetOperations,
    SetRandom,
    SortedSetBasic,
    SortedSetLex,
    SortedSetOperations,
    SortedSetRange,
    SortedSetRank,
    StreamBasic,
    StreamConsumerGroups,
    StreamPartitioning,
    StreamReplay,
    StreamRetention,
    Subscription,
    TimeSeriesAggregation,
    TimeSeriesBasic,
    TimeSeriesInterpolation,
    TimeSeriesRetention,
    Transaction,
)
from prism.types import (
    Edge,
    GroupInfo,
    IndexInfo,
    Lease,
    Message,
    Node,
    PartitionOffset,
    Point,
    QueueMessage,
    RetentionLimits,
    StreamRecord,
)

if _typing.TYPE_CHECKING:
    from prism._async.namespace import AsyncNamespace
    from prism.namespace import Namespace
    from prism.registry.resolver import ConfigSource

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 (grouped by kind, not sorted)
    # entry points and namespaces
    "open",
    "open_async",
    "Namespace",
    "AsyncNamespace",
    "CATALOG",
    "MODELS",
    # errors
    "PrismError",
    "ConfigurationError",
    "InvalidArgumentError",
    "ValueTooLargeError",
    "NotFoundError",
    "KeyNotFoundError",
    "IndexOutOfRangeError",
    "ConflictError",
    "LeaseLostError",
    "UnsupportedError",
    "BackendUnavailableError",
    # value types
    "Message",
    "StreamRecord",
    "PartitionOffset",
    "RetentionLimits",
    "GroupInfo",
    "QueueMessage",
    "Lease",
    "Point",
    "Node",
    "Edge",
    "IndexInfo",
    # interfaces (sync)
    "DocumentBasic",
    "DocumentIndexing",
    "DocumentQuery",
    "GraphAnalytics",
    "GraphBasic",
    "GraphQuery",
    "GraphTraversal",
    "KeyValueBasic",
    "KeyValueBatch",
    "KeyValueCAS",
    "KeyValueScan",
    "KeyValueTTL",
    "KeyValueTransactional",
    "Transaction",
    "ListBasic",
    "ListBlocking",
    "ListIndexing",
    "ListRange",
    "DurableSubscription",
    "PubSubBasic",
    "PubSubFiltering",
    "PubSubOrdering",
    "PubSubPersistent",
    "PubSubWildcards",
    "Subscription",
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
    "TimeSeriesAggregation",
    "TimeSeriesBasic",
    "TimeSeriesInterpolation",
    "TimeSeriesRetention",
    # interfaces (async)
    "AsyncDocumentBasic",
    "AsyncDocumentIndexing",
    "AsyncDocumentQuery",
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
    "AsyncTransaction",
    "AsyncListBasic",
    "AsyncListBlocking",
    "AsyncListIndexing",
    "AsyncListRange",
    "AsyncDurableSubscription",
    "AsyncPubSubBasic",
    "AsyncPubSubFiltering",
    "AsyncPubSubOrdering",
    "AsyncPubSubPersistent",
    "AsyncPubSubWildcards",
    "AsyncSubscription",
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
    "AsyncTimeSeriesAggregation",
    "AsyncTimeSeriesBasic",
    "AsyncTimeSeriesInterpolation",
    "AsyncTimeSeriesRetention",
]


def open(name: str, *, config: "ConfigSource" = None) -> "Namespace":
    """Open namespace ``name`` (sync).  See :func:`prism.api.open`."""
    from prism.api import open as _open

    return _open(name, config=config)


async def open_async(name: str, *, config: "ConfigSource" = None) -> "AsyncNamespace":
    """Open namespace ``name`` (async).  See :func:`prism._async.api.open_async`."""
    from prism._async.api import open_async as _open_async

    return await _open_async(name, config=config)


def __getattr__(name: str) -> _typing.Any:
    # Namespace and AsyncNamespace are imported on first use: they pull in the registry.
    if name == "Namespace":
        from prism.namespace import Namespace

        return Namespace
    if name == "AsyncNamespace":
        from prism._async.namespace import AsyncNamespace

        return AsyncNamespace
    msg = f"module 'prism' has no attribute {name!r}"
    raise AttributeError(msg)
