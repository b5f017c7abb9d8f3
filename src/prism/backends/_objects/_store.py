"""The object primitives a driver adapter provides, and the runner every facet calls through.

A driver adapter (``prism.backends.s3._driver``, ``prism.backends.minio._driver``) implements
:class:`Driver` with blocking calls; the keyvalue semantics in :mod:`._ops` are written once over
it.  :class:`ObjectStore` runs an operation: :meth:`ObjectStore.run` calls it on the caller's
thread (the sync flavour), :meth:`ObjectStore.run_async` awaits the same call on the shared
:class:`prism.backends.WorkerPool` (the async flavour), so the event loop never blocks.  Either
way driver exceptions leave as prism errors, chained.
"""

from __future__ import annotations

import abc
import concurrent.futures
import copy
import dataclasses
import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, ParamSpec, TypeVar

from prism.backends._bridge import WorkerPool
from prism.backends._errors import Translate, translated
from prism.backends._objects._config import ObjectConfig

__all__ = ["Blob", "Driver", "Head", "ObjectStore", "fan_out"]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Head(NamedTuple):
    etag: str
    meta: dict[str, str]
    size: int


class Blob(NamedTuple):
    data: bytes
    etag: str
    meta: dict[str, str]


class Driver(abc.ABC):
    """Blocking object primitives over one bucket.  Names are full object names; metadata keys
    are lower-case without the ``x-amz-meta-`` prefix."""

    conditional: bool = False
    """Whether :meth:`put` and :meth:`delete` honour ``if_match`` / ``if_none_match``."""

    def __init__(self, config: ObjectConfig) -> None:
        self.config = config
        self.bucket = config.bucket

    def for_bucket(self, bucket: str) -> Driver:
        """This driver over another bucket, sharing the client (close only the original)."""
        view = copy.copy(self)
        view.config = dataclasses.replace(self.config, bucket=bucket)
        view.bucket = bucket
        return view

    @abc.abstractmethod
    def check_bucket(self) -> None:
        """Raise the driver's error when the bucket cannot be reached or used."""

    @abc.abstractmethod
    def bucket_exists(self) -> bool:
        """Whether the bucket exists (the driver's error when it cannot be asked)."""

    @abc.abstractmethod
    def create_bucket(self) -> None:
        """Create the bucket in the configured region (one that exists already is fine)."""

    def get_lifecycle(self) -> list[dict[str, Any]]:
        """The bucket's lifecycle rules (boto3's shape; empty when it has none)."""
        raise NotImplementedError

    def put_lifecycle(self, rules: list[dict[str, Any]]) -> None:
        """Replace the bucket's lifecycle configuration with ``rules``."""
        raise NotImplementedError

    @abc.abstractmethod
    def head(self, name: str) -> Head | None: ...

    @abc.abstractmethod
    def get(self, name: str) -> Blob | None: ...

    @abc.abstractmethod
    def put(
        self,
        name: str,
        data: bytes,
        meta: dict[str, str],
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        tags: dict[str, str] | None = None,
    ) -> bool:
        """Write the object (multipart above the threshold) with ``tags`` as its object tags
        (None: no tags); False when a condition failed."""

    @abc.abstractmethod
    def replace_meta(
        self, name: str, meta: dict[str, str], if_match: str, tags: dict[str, str] | None = None
    ) -> bool:
        """Rewrite the object's metadata in place (server-side copy onto itself) if its ETag is
        still ``if_match``; False when it is not (or the object is gone).  Drivers that tag
        (``install_lifecycle``) replace the object's tags with ``tags`` in the same copy."""

    @abc.abstractmethod
    def delete(self, name: str, *, if_match: str | None = None) -> bool:
        """Delete the object (absent is fine); False when a condition failed."""

    @abc.abstractmethod
    def delete_batch(self, names: Sequence[str], etags: Sequence[str]) -> set[str]:
        """Delete at most 1000 objects in one request (DeleteObjects), each only if its ETag is
        still the one given (conditional drivers); the names refused because it was not."""

    @abc.abstractmethod
    def list_etags(
        self, prefix: str, *, start_after: str | None, token: str | None, max_keys: int
    ) -> tuple[list[tuple[str, str]], str | None]:
        """One page of ``(name, etag)`` under ``prefix`` (at most ``max_keys``, in name order)
        and the continuation token of the next page (None: this was the last)."""

    def list_page(
        self, prefix: str, *, start_after: str | None, token: str | None, max_keys: int
    ) -> tuple[list[str], str | None]:
        """:meth:`list_etags` without the ETags."""
        items, following = self.list_etags(
            prefix, start_after=start_after, token=token, max_keys=max_keys
        )
        return [name for name, _ in items], following

    @abc.abstractmethod
    def close(self) -> None:
        """Release the driver's connections."""


def fan_out(fn: Callable[[T], R], items: Iterable[T], workers: int) -> list[R]:
    """``[fn(item) for item in items]`` with at most ``workers`` calls in flight (threads of a
    short-lived pool; a driver client is thread-safe).  The first exception is raised."""
    todo = list(items)
    if len(todo) <= 1 or workers <= 1:
        return [fn(item) for item in todo]
    with concurrent.futures.ThreadPoolExecutor(min(workers, len(todo))) as pool:
        return list(pool.map(fn, todo))


class ObjectStore:
    """One driver adapter shared by the namespaces of a backend, with its error translation,
    its clock and its worker pool."""

    def __init__(
        self,
        backend: str,
        driver: Driver,
        translate_for: Callable[[ObjectConfig], Translate],
    ) -> None:
        self.backend = backend
        self.driver = driver
        self.config = driver.config
        self.translate_for = translate_for
        self.translate = translate_for(driver.config)
        self.clock = driver.config.clock  # the ``clock`` option (``time.time`` by default)
        self.pool = WorkerPool(backend, max_workers=driver.config.max_workers)
        self._writes = itertools.count(1)
        self._views: dict[str, ObjectStore] = {}
        self._views_lock = threading.Lock()
        self._prepare: Callable[[ObjectStore], None] | None = None
        self._prepare_lock = threading.Lock()

    def for_bucket(self, bucket: str, prepare: Callable[[ObjectStore], None]) -> ObjectStore:
        """This store over another bucket (one view per bucket, sharing the driver's client,
        the worker pool, the clock and the write count); ``prepare(view)`` runs once, before
        the view's first operation (it checks or creates the bucket)."""
        with self._views_lock:
            view = self._views.get(bucket)
            if view is None:
                view = copy.copy(self)
                view.driver = self.driver.for_bucket(bucket)
                view.config = view.driver.config
                view.translate = self.translate_for(view.config)
                view._views = {}
                view._prepare = prepare
                view._prepare_lock = threading.Lock()
                self._views[bucket] = view
            return view

    def _ready(self) -> None:
        with self._prepare_lock:
            prepare = self._prepare
            if prepare is not None:
                prepare(self)  # raises: tried again by the next operation
                self._prepare = None

    def count_write(self) -> bool:
        """Count one write; True once every ``sweep_every`` writes (time to sweep)."""
        every = self.config.sweep_every
        return every > 0 and next(self._writes) % every == 0

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(self, *args)`` on this thread, driver errors translated."""
        try:
            if self._prepare is not None:
                self._ready()
            return fn(self, *args)
        except Exception as exc:
            raise translated(exc, self.backend, fn.__name__, self.translate) from exc

    async def run_async(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(self, *args)`` on the worker pool; the event loop is free meanwhile."""
        return await self.pool.run(self.run, fn, *args)

    def close(self) -> None:
        self.pool.close()
        self.driver.close()
