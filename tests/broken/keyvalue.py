"""Broken keyvalue variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Iterator

from prism._validate import Duration
from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue, AsyncMemTransaction
from prism.backends.memstore.keyvalue import MemKeyValue, MemTransaction
from prism.errors import KeyNotFoundError
from tests.broken import Variant

# keyvalue_basic ---------------------------------------------------------------------------------


class StaleMemKeyValue(MemKeyValue):
    """Overwrites are ignored: get keeps returning the first value written (a stale read)."""

    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        if not self.exists(key):
            super().set(key, value, ttl=ttl)


class AsyncStaleMemKeyValue(AsyncMemKeyValue):
    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        if not await self.exists(key):
            await super().set(key, value, ttl=ttl)


# keyvalue_scan ----------------------------------------------------------------------------------


class LeakyScanMemKeyValue(MemKeyValue):
    """Prefix filtering is sloppy: the last character of the prefix is ignored."""

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        return super().scan_keys(prefix[:-1], limit=limit)

    def count(self, prefix: str = "") -> int:
        return super().count(prefix[:-1])


class AsyncLeakyScanMemKeyValue(AsyncMemKeyValue):
    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[str]:
        return super().scan_keys(prefix[:-1], limit=limit)

    async def count(self, prefix: str = "") -> int:
        return await super().count(prefix[:-1])


# keyvalue_ttl -----------------------------------------------------------------------------------


class LostTTLMemKeyValue(MemKeyValue):
    """Expiry is lost: ``set(..., ttl=)`` keeps the key forever and ``expire`` only says
    whether the key exists."""

    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        super().set(key, value)

    def expire(self, key: str, ttl: Duration) -> bool:
        return self.exists(key)


class AsyncLostTTLMemKeyValue(AsyncMemKeyValue):
    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        await super().set(key, value)

    async def expire(self, key: str, ttl: Duration) -> bool:
        return await self.exists(key)


# keyvalue_cas -----------------------------------------------------------------------------------


class RacyCASMemKeyValue(MemKeyValue):
    """compare_and_swap reads, lets others run, then writes: the check and the swap are not
    under one lock, so two racers can both see the expected value and both "win"."""

    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        try:
            current: bytes | None = self.get(key)
        except KeyNotFoundError:
            current = None
        if current != expected:
            return False
        time.sleep(0)
        self.set(key, new)
        return True


class AsyncRacyCASMemKeyValue(AsyncMemKeyValue):
    async def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        try:
            current: bytes | None = await self.get(key)
        except KeyNotFoundError:
            current = None
        if current != expected:
            return False
        await asyncio.sleep(0)
        await self.set(key, new)
        return True


# keyvalue_transactional -------------------------------------------------------------------------


class FirstWriteOnlyMemTransaction(MemTransaction):
    """commit applies only the first buffered write and silently drops the rest."""

    def commit(self) -> None:
        first = next(iter(self._writes.items()), None)
        self._writes.clear()
        if first is not None:
            self._writes[first[0]] = first[1]
        super().commit()


class AsyncFirstWriteOnlyMemTransaction(AsyncMemTransaction):
    async def commit(self) -> None:
        first = next(iter(self._writes.items()), None)
        self._writes.clear()
        if first is not None:
            self._writes[first[0]] = first[1]
        await super().commit()


class FirstWriteOnlyMemKeyValue(MemKeyValue):
    def begin(self) -> MemTransaction:
        return FirstWriteOnlyMemTransaction(self)


class AsyncFirstWriteOnlyMemKeyValue(AsyncMemKeyValue):
    def begin(self) -> AsyncMemTransaction:
        return AsyncFirstWriteOnlyMemTransaction(self)


class BlindCommitMemTransaction(MemTransaction):
    """commit ignores conflicts: it forgets the versions it read, so the last writer wins and
    concurrent read-modify-write transactions lose updates."""

    def commit(self) -> None:
        with self._facet._lock:
            versions = self._facet._state.versions
            self._seen = {key: versions.get(key, 0) for key in self._seen}
            super().commit()


class AsyncBlindCommitMemTransaction(AsyncMemTransaction):
    async def commit(self) -> None:
        with self._facet._lock:
            versions = self._facet._state.versions
            self._seen = {key: versions.get(key, 0) for key in self._seen}
            await super().commit()


class BlindCommitMemKeyValue(MemKeyValue):
    def begin(self) -> MemTransaction:
        return BlindCommitMemTransaction(self)


class AsyncBlindCommitMemKeyValue(AsyncMemKeyValue):
    def begin(self) -> AsyncMemTransaction:
        return AsyncBlindCommitMemTransaction(self)


# keyvalue_batch ---------------------------------------------------------------------------------


class MiscountMemKeyValue(MemKeyValue):
    """delete_many returns how many keys it was given, not how many existed."""

    def delete_many(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        super().delete_many(keys)
        return len(keys)


class AsyncMiscountMemKeyValue(AsyncMemKeyValue):
    async def delete_many(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        await super().delete_many(keys)
        return len(keys)


VARIANTS = [
    Variant("keyvalue", "stale-read", StaleMemKeyValue, AsyncStaleMemKeyValue, "keyvalue_basic"),
    Variant(
        "keyvalue", "leaky-prefix", LeakyScanMemKeyValue, AsyncLeakyScanMemKeyValue, "keyvalue_scan"
    ),
    Variant("keyvalue", "lost-ttl", LostTTLMemKeyValue, AsyncLostTTLMemKeyValue, "keyvalue_ttl"),
    Variant("keyvalue", "racy-cas", RacyCASMemKeyValue, AsyncRacyCASMemKeyValue, "keyvalue_cas"),
    Variant(
        "keyvalue",
        "first-write-only-commit",
        FirstWriteOnlyMemKeyValue,
        AsyncFirstWriteOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "blind-commit",
        BlindCommitMemKeyValue,
        AsyncBlindCommitMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "delete-many-miscount",
        MiscountMemKeyValue,
        AsyncMiscountMemKeyValue,
        "keyvalue_batch",
    ),
]
