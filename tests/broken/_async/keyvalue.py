"""Broken keyvalue variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import AsyncIterator, Iterable, Mapping

from prism._compat import sleep_async
from prism._validate import Duration
from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue, AsyncMemTransaction
from prism.errors import KeyNotFoundError
from tests.broken import Variant

# keyvalue_basic ---------------------------------------------------------------------------------


class AsyncStaleMemKeyValue(AsyncMemKeyValue):
    """Overwrites are ignored: get keeps returning the first value written (a stale read)."""

    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        if not await self.exists(key):
            await super().set(key, value, ttl=ttl)


# keyvalue_scan ----------------------------------------------------------------------------------


class AsyncLeakyScanMemKeyValue(AsyncMemKeyValue):
    """Prefix filtering is sloppy: the last character of the prefix is ignored."""

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[str]:
        return super().scan_keys(prefix[:-1], limit=limit)

    async def count(self, prefix: str = "") -> int:
        return await super().count(prefix[:-1])


# keyvalue_ttl -----------------------------------------------------------------------------------


class AsyncLostTTLMemKeyValue(AsyncMemKeyValue):
    """Expiry is lost: ``set(..., ttl=)`` keeps the key forever and ``expire`` only says
    whether the key exists."""

    async def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        await super().set(key, value)

    async def expire(self, key: str, ttl: Duration) -> bool:
        return await self.exists(key)


# keyvalue_cas -----------------------------------------------------------------------------------


class AsyncRacyCASMemKeyValue(AsyncMemKeyValue):
    """compare_and_swap reads, lets others run, then writes: the check and the swap are not
    under one lock, so two racers can both see the expected value and both "win"."""

    async def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        try:
            current: bytes | None = await self.get(key)
        except KeyNotFoundError:
            current = None
        if current != expected:
            return False
        await sleep_async(0)
        await self.set(key, new)
        return True


# keyvalue_transactional -------------------------------------------------------------------------


class AsyncFirstWriteOnlyMemTransaction(AsyncMemTransaction):
    """commit applies only the first buffered write and silently drops the rest."""

    async def commit(self) -> None:
        first = next(iter(self._writes.items()), None)
        self._writes.clear()
        if first is not None:
            self._writes[first[0]] = first[1]
        await super().commit()


class AsyncFirstWriteOnlyMemKeyValue(AsyncMemKeyValue):
    def begin(self) -> AsyncMemTransaction:
        return AsyncFirstWriteOnlyMemTransaction(self)


class AsyncBlindCommitMemTransaction(AsyncMemTransaction):
    """commit ignores conflicts: it forgets the versions it read, so the last writer wins and
    concurrent read-modify-write transactions lose updates."""

    async def commit(self) -> None:
        with self._facet._lock:
            versions = self._facet._state.versions
            self._seen = {key: versions.get(key, 0) for key in self._seen}
            await super().commit()


class AsyncBlindCommitMemKeyValue(AsyncMemKeyValue):
    def begin(self) -> AsyncMemTransaction:
        return AsyncBlindCommitMemTransaction(self)


# keyvalue_batch ---------------------------------------------------------------------------------


class AsyncMiscountMemKeyValue(AsyncMemKeyValue):
    """delete_many returns how many keys it was given, not how many existed."""

    async def delete_many(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        await super().delete_many(keys)
        return len(keys)


# Inconvenient inputs (issue 8) ------------------------------------------------------------------


def _glob_match(key: str, prefix: str) -> bool:
    return fnmatch.fnmatchcase(key, prefix + "*")


def _like_match(key: str, prefix: str) -> bool:
    pattern = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in prefix)
    return re.match(pattern, key, re.DOTALL) is not None


class AsyncGlobPrefixMemKeyValue(AsyncMemKeyValue):
    """scan/count match the prefix as a glob pattern (as an unescaped Redis SCAN MATCH would)."""

    _match = staticmethod(_glob_match)

    def _matching(self, prefix: str) -> list[str]:
        with self._lock:
            now = self._store.clock()
            return [
                k
                for k in list(self._state.values)
                if self._match(k, prefix) and self._state.live(k, now)
            ]


class AsyncLikePrefixMemKeyValue(AsyncGlobPrefixMemKeyValue):
    """scan/count match the prefix as an unescaped SQL LIKE pattern (``%`` and ``_`` wild)."""

    _match = staticmethod(_like_match)


class AsyncLingeringMemKeyValue(AsyncMemKeyValue):
    """A key is still readable at the exact instant its TTL ends (``<`` instead of ``<=``)."""

    def _on_deadline(self, key: str) -> bool:
        with self._lock:
            return key in self._state.values and self._state.expires.get(key) == (
                self._store.clock()
            )

    async def get(self, key: str) -> bytes:
        if self._on_deadline(key):
            return self._state.values[key]
        return await super().get(key)

    async def exists(self, key: str) -> bool:
        return self._on_deadline(key) or await super().exists(key)


class AsyncKeepsTTLMemKeyValue(AsyncMemKeyValue):
    """set_many keeps the expiry a key had (SET ... KEEPTTL instead of SET)."""

    async def set_many(self, items: Mapping[str, bytes]) -> None:
        with self._lock:
            for key, value in items.items():
                self._state.put(key, value, self._state.expires.get(key))


class AsyncMisalignedMemKeyValue(AsyncMemKeyValue):
    """get_many fetches the distinct keys in sorted order but pairs the values with the keys
    as given: right only when the caller's keys are already sorted and distinct."""

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        found = await super().get_many(sorted(set(wanted)))
        values = [found.get(k) for k in sorted(set(wanted))]
        return {k: v for k, v in zip(wanted, values, strict=False) if v is not None}


class AsyncRepeatCountMemKeyValue(AsyncMemKeyValue):
    """delete_many counts a key once per time it is named, not once."""

    async def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(keys)
        existed = 0
        for k in wanted:
            existed += await self.exists(k)
        await super().delete_many(wanted)
        return existed


def _forget(tx: AsyncMemTransaction, *, keep_read_only: bool) -> None:
    """Make commit check only the keys written (``keep_read_only=False``) or only the keys
    merely read (``keep_read_only=True``) against the versions they had: lock held."""
    versions = tx._facet._state.versions
    for key in tx._seen:
        if (key in tx._writes) == keep_read_only:
            tx._seen[key] = versions.get(key, 0)


class AsyncWritesOnlyMemTransaction(AsyncMemTransaction):
    """commit checks for conflicts only on the keys it writes: a stale read goes unnoticed."""

    async def commit(self) -> None:
        with self._facet._lock:
            _forget(self, keep_read_only=False)
            await super().commit()


class AsyncReadsOnlyMemTransaction(AsyncMemTransaction):
    """commit checks for conflicts only on the keys it read: a blind write overwrites."""

    async def commit(self) -> None:
        with self._facet._lock:
            _forget(self, keep_read_only=True)
            await super().commit()


class AsyncWritesOnlyMemKeyValue(AsyncMemKeyValue):
    def begin(self) -> AsyncMemTransaction:
        return AsyncWritesOnlyMemTransaction(self)


class AsyncReadsOnlyMemKeyValue(AsyncMemKeyValue):
    def begin(self) -> AsyncMemTransaction:
        return AsyncReadsOnlyMemTransaction(self)


class AsyncExpiredInBatchMemKeyValue(AsyncMemKeyValue):
    """get_many still returns a key whose TTL has passed (only point reads hide it)."""

    async def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        with self._lock:
            return {k: self._state.values[k] for k in keys if k in self._state.values}


VARIANTS = [
    Variant("keyvalue", "stale-read", AsyncStaleMemKeyValue, "keyvalue_basic"),
    Variant("keyvalue", "leaky-prefix", AsyncLeakyScanMemKeyValue, "keyvalue_scan"),
    Variant("keyvalue", "lost-ttl", AsyncLostTTLMemKeyValue, "keyvalue_ttl"),
    Variant("keyvalue", "racy-cas", AsyncRacyCASMemKeyValue, "keyvalue_cas"),
    Variant(
        "keyvalue",
        "first-write-only-commit",
        AsyncFirstWriteOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "blind-commit",
        AsyncBlindCommitMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "delete-many-miscount",
        AsyncMiscountMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "glob-prefix",
        AsyncGlobPrefixMemKeyValue,
        "keyvalue_scan",
    ),
    Variant(
        "keyvalue",
        "like-prefix",
        AsyncLikePrefixMemKeyValue,
        "keyvalue_scan",
    ),
    Variant(
        "keyvalue",
        "lingers-at-deadline",
        AsyncLingeringMemKeyValue,
        "keyvalue_ttl",
    ),
    Variant(
        "keyvalue",
        "set-many-keeps-ttl",
        AsyncKeepsTTLMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "get-many-misaligned",
        AsyncMisalignedMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "delete-many-counts-repeats",
        AsyncRepeatCountMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "conflict-on-writes-only",
        AsyncWritesOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "conflict-on-reads-only",
        AsyncReadsOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "expired-in-batch",
        AsyncExpiredInBatchMemKeyValue,
        "keyvalue_ttl",
    ),
]
