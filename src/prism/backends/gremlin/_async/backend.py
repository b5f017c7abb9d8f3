"""The gremlin backend class (async flavour: gremlinpython's blocking driver on the shared
bridge :class:`prism.backends.WorkerPool`; the sync twin calls the driver directly)."""

from __future__ import annotations

from prism.backends._async.base import AsyncBackend
from prism.backends.gremlin._async.graph import AsyncGremlinGraph
from prism.backends.gremlin._config import parse_config
from prism.backends.gremlin._core import Connection
from prism.backends.settings import BackendSettings

__all__ = ["AsyncGremlinBackend"]


class AsyncGremlinBackend(AsyncBackend):
    """One ``DriverRemoteConnection`` to a Gremlin Server or Amazon Neptune, shared by the
    namespaces opened on the same connection entry (see ``_core.py`` for how namespaces are
    kept apart, and ``docs/backends/gremlin.md``)."""

    facet_classes = {"graph": AsyncGremlinGraph}

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self.connection = Connection(self.config, settings.backend, settings.credentials)

    async def open(self) -> None:
        await self.connection.open_async()

    async def close(self) -> None:
        await self.connection.close_async()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
