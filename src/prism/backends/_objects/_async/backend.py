"""The base of the object-store backend classes (async flavour; the sync twin is generated).

A driver package subclasses it with its ``facet_classes`` and :meth:`make_store` (the driver
adapter and its error translation).  ``open`` checks the bucket once (a missing bucket or
refused credentials become ``ConfigurationError`` naming the bucket and the endpoint).
"""

from __future__ import annotations

import dataclasses

from prism.backends._async.base import AsyncBackend
from prism.backends._objects._config import ObjectConfig, parse_config
from prism.backends._objects._store import ObjectStore
from prism.backends.settings import BackendSettings

__all__ = ["AsyncObjectBackend"]


def _open(store: ObjectStore) -> None:
    store.driver.check_bucket()


class AsyncObjectBackend(AsyncBackend):
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

    async def open(self) -> None:
        store = self.make_store(self.config)
        try:
            await store.run_async(_open)
        except BaseException:
            store.close()
            raise
        self._store = store

    async def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"
