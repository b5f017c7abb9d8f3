# Generated from src/prism/backends/gremlin/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The gremlin backend class (async flavour: gremlinpython's blocking driver on the shared
bridge :class:`prism.backends.WorkerPool`; the sync twin calls the driver directly)."""

from __future__ import annotations

from prism.backends.base import Backend
from prism.backends.gremlin._config import parse_config
from prism.backends.gremlin._core import Connection
from prism.backends.gremlin.graph import GremlinGraph
from prism.backends.settings import BackendSettings

__all__ = ["GremlinBackend"]


class GremlinBackend(Backend):
    """One ``DriverRemoteConnection`` to a Gremlin Server or Amazon Neptune, shared by the
    namespaces opened on the same connection entry (see ``_core.py`` for how namespaces are
    kept apart, and ``docs/backends/gremlin.md``)."""

    facet_classes = {"graph": GremlinGraph}

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self.connection = Connection(self.config, settings.backend, settings.credentials)

    def open(self) -> None:
        self.connection.open()

    def close(self) -> None:
        self.connection.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
