# Generated from tests/broken/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken keyvalue variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping

from prism._compat import sleep
from prism._validate import Duration
from prism.backends.memstore.keyvalue import MemKeyValue, MemTransaction
from prism.errors import KeyNotFoundError
from tests.broken import Variant

# keyvalue_basic ---------------------------------------------------------------------------------


class StaleMemKeyValue(MemKeyValue):
    """Overwrites are ignored: get keeps returning the first value written (a stale read)."""

    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        if not self.exists(key):
            super().set(key, value, ttl=ttl)


# keyvalue_scan ----------------------------------------------------------------------------------


class LeakyScanMemKeyValue(MemKeyValue):
    """Prefix filtering is sloppy: the last character of the prefix is ignored."""

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        return super().scan_keys(prefix[:-1], limit=limit)

    def count(self, prefix: str = "") -> int:
        return super().count(prefix[:-1])


# keyvalue_ttl -----------------------------------------------------------------------------------


class LostTTLMemKeyValue(MemKeyValue):
    """Expiry is lost: ``set(..., ttl=)`` keeps the key forever and ``expire`` only says
    whether the key exists."""

    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        super().set(key, value)

    def expire(self, key: str, ttl: Duration) -> bool:
        return self.exists(key)


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
        sleep(0)
        self.set(key, new)
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


class FirstWriteOnlyMemKeyValue(MemKeyValue):
    def begin(self) -> MemTransaction:
        return FirstWriteOnlyMemTransaction(self)


class BlindCommitMemTransaction(MemTransaction):
    """commit ignores conflicts: it forgets the versions it read, so the last writer wins and
    concurrent read-modify-write transactions lose updates."""

    def commit(self) -> None:
        with self._facet._lock:
            versions = self._facet._state.versions
            self._seen = {key: versions.get(key, 0) for key in self._seen}
            super().commit()


class BlindCommitMemKeyValue(MemKeyValue):
    def begin(self) -> MemTransaction:
        return BlindCommitMemTransaction(self)


# keyvalue_batch ---------------------------------------------------------------------------------


class MiscountMemKeyValue(MemKeyValue):
    """delete_many returns how many keys it was given, not how many existed."""

    def delete_many(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        super().delete_many(keys)
        return len(keys)


# Inconvenient inputs (issue 8) ------------------------------------------------------------------


def _glob_match(key: str, prefix: str) -> bool:
    return fnmatch.fnmatchcase(key, prefix + "*")


def _like_match(key: str, prefix: str) -> bool:
    pattern = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in prefix)
    return re.match(pattern, key, re.DOTALL) is not None


class GlobPrefixMemKeyValue(MemKeyValue):
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


class LikePrefixMemKeyValue(GlobPrefixMemKeyValue):
    """scan/count match the prefix as an unescaped SQL LIKE pattern (``%`` and ``_`` wild)."""

    _match = staticmethod(_like_match)


class LingeringMemKeyValue(MemKeyValue):
    """A key is still readable at the exact instant its TTL ends (``<`` instead of ``<=``)."""

    def _on_deadline(self, key: str) -> bool:
        with self._lock:
            return key in self._state.values and self._state.expires.get(key) == (
                self._store.clock()
            )

    def get(self, key: str) -> bytes:
        if self._on_deadline(key):
            return self._state.values[key]
        return super().get(key)

    def exists(self, key: str) -> bool:
        return self._on_deadline(key) or super().exists(key)


class KeepsTTLMemKeyValue(MemKeyValue):
    """set_many keeps the expiry a key had (SET ... KEEPTTL instead of SET)."""

    def set_many(self, items: Mapping[str, bytes]) -> None:
        with self._lock:
            for key, value in items.items():
                self._state.put(key, value, self._state.expires.get(key))


class MisalignedMemKeyValue(MemKeyValue):
    """get_many fetches the distinct keys in sorted order but pairs the values with the keys
    as given: right only when the caller's keys are already sorted and distinct."""

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        found = super().get_many(sorted(set(wanted)))
        values = [found.get(k) for k in sorted(set(wanted))]
        return {k: v for k, v in zip(wanted, values, strict=False) if v is not None}


class RepeatCountMemKeyValue(MemKeyValue):
    """delete_many counts a key once per time it is named, not once."""

    def delete_many(self, keys: Iterable[str]) -> int:
        wanted = list(keys)
        existed = 0
        for k in wanted:
            existed += self.exists(k)
        super().delete_many(wanted)
        return existed


def _forget(tx: MemTransaction, *, keep_read_only: bool) -> None:
    """Make commit check only the keys written (``keep_read_only=False``) or only the keys
    merely read (``keep_read_only=True``) against the versions they had: lock held."""
    versions = tx._facet._state.versions
    for key in tx._seen:
        if (key in tx._writes) == keep_read_only:
            tx._seen[key] = versions.get(key, 0)


class WritesOnlyMemTransaction(MemTransaction):
    """commit checks for conflicts only on the keys it writes: a stale read goes unnoticed."""

    def commit(self) -> None:
        with self._facet._lock:
            _forget(self, keep_read_only=False)
            super().commit()


class ReadsOnlyMemTransaction(MemTransaction):
    """commit checks for conflicts only on the keys it read: a blind write overwrites."""

    def commit(self) -> None:
        with self._facet._lock:
            _forget(self, keep_read_only=True)
            super().commit()


class WritesOnlyMemKeyValue(MemKeyValue):
    def begin(self) -> MemTransaction:
        return WritesOnlyMemTransaction(self)


class ReadsOnlyMemKeyValue(MemKeyValue):
    def begin(self) -> MemTransaction:
        return ReadsOnlyMemTransaction(self)


class ExpiredInBatchMemKeyValue(MemKeyValue):
    """get_many still returns a key whose TTL has passed (only point reads hide it)."""

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        with self._lock:
            return {k: self._state.values[k] for k in keys if k in self._state.values}


VARIANTS = [
    Variant("keyvalue", "stale-read", StaleMemKeyValue, "keyvalue_basic"),
    Variant("keyvalue", "leaky-prefix", LeakyScanMemKeyValue, "keyvalue_scan"),
    Variant("keyvalue", "lost-ttl", LostTTLMemKeyValue, "keyvalue_ttl"),
    Variant("keyvalue", "racy-cas", RacyCASMemKeyValue, "keyvalue_cas"),
    Variant(
        "keyvalue",
        "first-write-only-commit",
        FirstWriteOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "blind-commit",
        BlindCommitMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "delete-many-miscount",
        MiscountMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "glob-prefix",
        GlobPrefixMemKeyValue,
        "keyvalue_scan",
    ),
    Variant(
        "keyvalue",
        "like-prefix",
        LikePrefixMemKeyValue,
        "keyvalue_scan",
    ),
    Variant(
        "keyvalue",
        "lingers-at-deadline",
        LingeringMemKeyValue,
        "keyvalue_ttl",
    ),
    Variant(
        "keyvalue",
        "set-many-keeps-ttl",
        KeepsTTLMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "get-many-misaligned",
        MisalignedMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "delete-many-counts-repeats",
        RepeatCountMemKeyValue,
        "keyvalue_batch",
    ),
    Variant(
        "keyvalue",
        "conflict-on-writes-only",
        WritesOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "conflict-on-reads-only",
        ReadsOnlyMemKeyValue,
        "keyvalue_transactional",
    ),
    Variant(
        "keyvalue",
        "expired-in-batch",
        ExpiredInBatchMemKeyValue,
        "keyvalue_ttl",
    ),
]
