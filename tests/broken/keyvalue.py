"""Broken keyvalue variants."""

from __future__ import annotations

from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue
from prism.backends.memstore.keyvalue import MemKeyValue
from tests.broken import Variant


class StaleMemKeyValue(MemKeyValue):
    """Overwrites are ignored: get keeps returning the first value written (a stale read)."""

    def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        if not self.exists(key):
            super().set(key, value, ttl=ttl)


class AsyncStaleMemKeyValue(AsyncMemKeyValue):
    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        if not await self.exists(key):
            await super().set(key, value, ttl=ttl)


class LeakyScanMemKeyValue(MemKeyValue):
    """Prefix filtering is sloppy: the last character of the prefix is ignored."""

    def scan_keys(self, prefix: str = "", *, limit: int | None = None):  # type: ignore[override]
        return super().scan_keys(prefix[:-1], limit=limit)

    def count(self, prefix: str = "") -> int:
        return super().count(prefix[:-1])


class AsyncLeakyScanMemKeyValue(AsyncMemKeyValue):
    def scan_keys(self, prefix: str = "", *, limit: int | None = None):  # type: ignore[override]
        return super().scan_keys(prefix[:-1], limit=limit)

    async def count(self, prefix: str = "") -> int:
        return await super().count(prefix[:-1])


VARIANTS = [
    Variant("keyvalue", "stale-read", StaleMemKeyValue, AsyncStaleMemKeyValue, "keyvalue_basic"),
    Variant("keyvalue", "leaky-prefix", LeakyScanMemKeyValue, AsyncLeakyScanMemKeyValue,
            "keyvalue_scan"),
]
