# Generated from src/prism/backends/_objects/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The base of the object-store backend classes (async flavour; the sync twin is generated).

A driver package subclasses it with its ``facet_classes`` and :meth:`make_store` (the driver
adapter and its error translation).  ``open`` checks the bucket once (a missing bucket or
refused credentials become ``ConfigurationError`` naming the bucket and the endpoint).
"""

from __future__ import annotations

import dataclasses

from prism.backends._objects._config import ObjectConfig, parse_config
from prism.backends._objects._store import ObjectStore
from prism.backends.base import Backend
from prism.backends.settings import BackendSettings

__all__ = ["ObjectBackend"]


def _open(store: ObjectStore) -> None:
    store.driver.check_bucket()


class ObjectBackend(Backend):
    """One driver client over one bucket, shared by the namespaces of a connection entry."""

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        if settings.credentials is not None:
            self.config = dataclasses.replace(self.config, credentials=settings.credentials)
        self._store: ObjectStore | None = None

    def make_store(self, config: ObjectConfig) -> ObjectStore:
        """The driver adapter over ``config``, wrapped in an :class:`ObjectStore`."""
        raise NotImplementedError

    @property
    def store(self) -> ObjectStore:
        if self._store is None:
            msg = f"the {self.settings.backend} backend is not open"
            raise RuntimeError(msg)
        return self._store

    def open(self) -> None:
        store = self.make_store(self.config)
        try:
            store.run(_open)
        except BaseException:
            store.close()
            raise
        self._store = store

    def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"
