"""The backend: one shared dict per connection name, a facet per namespace.

A third-party backend subclasses prism's interface ABCs; prism wraps every overriding method
with the argument checks, so this code only ever sees valid keys and values.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from pathlib import Path

from prism import (
    AsyncKeyValueBasic,
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    KeyNotFoundError,
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
)
from prism.backends import AsyncBackend, AsyncFacet, Backend, BackendSettings, Facet
from prism.testing import TestServer

_stores: dict[str, tuple[threading.Lock, dict[tuple[str, str], bytes]]] = {}
_stores_lock = threading.Lock()


def _store(settings: BackendSettings) -> tuple[threading.Lock, dict[tuple[str, str], bytes]]:
    name = (settings.connection or "example://default").removeprefix("example://")
    with _stores_lock:
        return _stores.setdefault(name, (threading.Lock(), {}))


class _Core:
    """The operations, shared by the sync and async facets."""

    def __init__(self, settings: BackendSettings, namespace: str) -> None:
        self.lock, self.data = _store(settings)
        self.ns = namespace

    def set(self, key: str, value: bytes) -> None:
        with self.lock:
            self.data[self.ns, key] = value

    def get(self, key: str) -> bytes:
        with self.lock:
            try:
                return self.data[self.ns, key]
            except KeyError:
                raise KeyNotFoundError(f"key {key!r} not found", backend="example-kv") from None

    def delete(self, key: str) -> bool:
        with self.lock:
            return self.data.pop((self.ns, key), None) is not None

    def exists(self, key: str) -> bool:
        with self.lock:
            return (self.ns, key) in self.data

    def keys(self, prefix: str, limit: int | None) -> list[str]:
        with self.lock:
            found = [k for (ns, k) in self.data if ns == self.ns and k.startswith(prefix)]
        return found if limit is None else found[:limit]

    def cas(self, key: str, expected: bytes | None, new: bytes | None) -> bool:
        with self.lock:
            if self.data.get((self.ns, key)) != expected:
                return False
            if new is None:
                del self.data[self.ns, key]
            else:
                self.data[self.ns, key] = new
            return True


class ExampleKeyValue(Facet, KeyValueBasic, KeyValueScan, KeyValueBatch, KeyValueCAS):
    def __init__(self, backend: Backend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._core = _Core(backend.settings, namespace)

    def set(self, key: str, value: bytes) -> None:
        self._core.set(key, value)

    def get(self, key: str) -> bytes:
        return self._core.get(key)

    def delete(self, key: str) -> bool:
        return self._core.delete(key)

    def exists(self, key: str) -> bool:
        return self._core.exists(key)

    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        for key in self._core.keys(prefix, limit):
            try:
                yield key, self._core.get(key)
            except KeyNotFoundError:
                continue

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        yield from self._core.keys(prefix, limit)

    def count(self, prefix: str = "") -> int:
        return len(self._core.keys(prefix, None))

    def set_many(self, items: Mapping[str, bytes]) -> None:
        for key, value in items.items():
            self._core.set(key, value)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        out = {}
        for key in keys:
            if self._core.exists(key):
                out[key] = self._core.get(key)
        return out

    def delete_many(self, keys: Iterable[str]) -> int:
        return sum(self._core.delete(k) for k in dict.fromkeys(keys))

    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        return self._core.cas(key, expected, new)

    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return self._core.cas(key, expected, None)


class AsyncExampleKeyValue(
    AsyncFacet, AsyncKeyValueBasic, AsyncKeyValueScan, AsyncKeyValueBatch, AsyncKeyValueCAS
):
    def __init__(self, backend: AsyncBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._core = _Core(backend.settings, namespace)

    async def set(self, key: str, value: bytes) -> None:
        self._core.set(key, value)

    async def get(self, key: str) -> bytes:
        return self._core.get(key)

    async def delete(self, key: str) -> bool:
        return self._core.delete(key)

    async def exists(self, key: str) -> bool:
        return self._core.exists(key)

    async def scan(
        self, prefix: str = "", *, limit: int | None = None
    ) -> AsyncIterator[tuple[str, bytes]]:
        for key in self._core.keys(prefix, limit):
            try:
                yield key, self._core.get(key)
            except KeyNotFoundError:
                continue

    async def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[str]:
        for key in self._core.keys(prefix, limit):
            yield key

    async def count(self, prefix: str = "") -> int:
        return len(self._core.keys(prefix, None))

    async def set_many(self, items: Mapping[str, bytes]) -> None:
        for key, value in items.items():
            self._core.set(key, value)

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {k: self._core.get(k) for k in keys if self._core.exists(k)}

    async def delete_many(self, keys: Iterable[str]) -> int:
        return sum(self._core.delete(k) for k in dict.fromkeys(keys))

    async def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        return self._core.cas(key, expected, new)

    async def compare_and_delete(self, key: str, expected: bytes) -> bool:
        return self._core.cas(key, expected, None)


class ExampleBackend(Backend):
    facet_classes = {"keyvalue": ExampleKeyValue}


class AsyncExampleBackend(AsyncBackend):
    facet_classes = {"keyvalue": AsyncExampleKeyValue}


def test_server(workdir: Path) -> TestServer:  # noqa: ARG001
    """No server needed: a private dict per test run."""
    return TestServer(connection=f"example://{uuid.uuid4().hex[:8]}", description="in-process dict")
