"""The 45 catalog interfaces, sync and async, and :data:`CATALOG`.

The async modules in ``_async/`` are the source; the sync modules here are generated from them
by ``tools/async_to_sync.py``.  Subclassing an interface is how a backend declares it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from prism.interfaces._async.document import *
from prism.interfaces._async.graph import *
from prism.interfaces._async.keyvalue import *
from prism.interfaces._async.list import *
from prism.interfaces._async.pubsub import *
from prism.interfaces._async.queue import *
from prism.interfaces._async.set import *
from prism.interfaces._async.sortedset import *
from prism.interfaces._async.stream import *
from prism.interfaces._async.timeseries import *
from prism.interfaces._base import Interface, registered_interfaces
from prism.interfaces.document import *
from prism.interfaces.graph import *
from prism.interfaces.keyvalue import *
from prism.interfaces.list import *
from prism.interfaces.pubsub import *
from prism.interfaces.queue import *
from prism.interfaces.set import *
from prism.interfaces.sortedset import *
from prism.interfaces.stream import *
from prism.interfaces.timeseries import *

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
