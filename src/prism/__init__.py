"""prism: one small, precise API over many data stores, running in your own process.

    import prism

    with prism.open("cache") as ns:
        ns.keyvalue.set("greeting", b"hello")

``prism.open`` / ``prism.open_async`` resolve a namespace from ``prism.yaml`` (or, with no
configuration, the embedded in-memory default).  Importing prism imports no database driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from prism.interfaces import *
from prism.interfaces import CATALOG, MODELS
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

if TYPE_CHECKING:
    from prism._async.namespace import AsyncNamespace
    from prism.namespace import Namespace
    from prism.registry.resolver import ConfigSource

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022
    "open",
    "open_async",
    "Namespace",
    "AsyncNamespace",
    "CATALOG",
    "MODELS",
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
]


def open(name: str, *, config: ConfigSource = None) -> Namespace:
    """Open namespace ``name`` (sync).  See :func:`prism.api.open`."""
    from prism.api import open as _open

    return _open(name, config=config)


async def open_async(name: str, *, config: ConfigSource = None) -> AsyncNamespace:
    """Open namespace ``name`` (async).  See :func:`prism._async.api.open_async`."""
    from prism._async.api import open_async as _open_async

    return await _open_async(name, config=config)


def __getattr__(name: str) -> Any:
    if name == "Namespace":
        from prism.namespace import Namespace

        return Namespace
    if name == "AsyncNamespace":
        from prism._async.namespace import AsyncNamespace

        return AsyncNamespace
    msg = f"module 'prism' has no attribute {name!r}"
    raise AttributeError(msg)
