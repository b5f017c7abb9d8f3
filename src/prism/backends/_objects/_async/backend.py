"""The base of the object-store backend classes (async flavour; the sync twin is generated).

A driver package subclasses it with its ``facet_classes`` and :meth:`make_store` (the driver
adapter and its error translation).  ``open`` checks the bucket once (a missing bucket or
refused credentials become ``ConfigurationError`` naming the bucket and the endpoint) and,
under ``install_lifecycle``, merges prism's lifecycle rules into the bucket's.  Under
``bucket_per_namespace`` each namespace gets a view of the store over its own bucket
(:meth:`AsyncObjectBackend.store_for`), checked — or created, with ``create_buckets`` — and
given the lifecycle rules before its first operation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from prism.backends._async.base import AsyncBackend
from prism.backends._objects._config import ObjectConfig, parse_config
from prism.backends._objects._layout import bucket_name
from prism.backends._objects._lifecycle import merge_rules
from prism.backends._objects._store import ObjectStore
from prism.backends.settings import BackendSettings
from prism.errors import ConfigurationError

__all__ = ["AsyncObjectBackend"]


def _install_lifecycle(store: ObjectStore) -> None:
    """Merge prism's lifecycle rules into the bucket's (other rules kept; no write when they
    are there already)."""
    rules = merge_rules(store.driver.get_lifecycle(), store.config.prefix)
    if rules is not None:
        store.driver.put_lifecycle(rules)


def _open(store: ObjectStore) -> None:
    if store.config.bucket_per_namespace:
        return  # each namespace's bucket is checked on its first use
    store.driver.check_bucket()
    if store.config.install_lifecycle:
        _install_lifecycle(store)


def _namespace_bucket(namespace: str) -> Callable[[ObjectStore], None]:
    def prepare(store: ObjectStore) -> None:
        driver, config = store.driver, store.config
        if not driver.bucket_exists():
            if not config.create_buckets:
                msg = (
                    f"{config.where}, the bucket of namespace {namespace!r}, does not exist; "
                    "create it, or set 'create_buckets: true' to let prism create it"
                )
                raise ConfigurationError(msg)
            driver.create_bucket()
        driver.check_bucket()
        if config.install_lifecycle:
            _install_lifecycle(store)

    return prepare


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

    def store_for(self, namespace: str) -> ObjectStore:
        """The store a namespace's facets use: the backend's, or under ``bucket_per_namespace``
        a view over the namespace's own bucket."""
        store = self.store
        if not self.config.bucket_per_namespace:
            return store
        prefix = self.config.namespace_bucket_prefix or self.config.bucket
        return store.for_bucket(bucket_name(prefix, namespace), _namespace_bucket(namespace))

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
