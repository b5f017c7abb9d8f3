"""List: Redis-style lists of ``bytes`` under ``str`` keys."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from prism._validate import Duration
from prism.interfaces._base import (
    INDEX,
    KEY,
    KEY_OR_KEYS,
    OPT_DURATION,
    PAYLOAD,
    PAYLOADS,
    Interface,
    checks,
)

__all__ = ["AsyncListBasic", "AsyncListBlocking", "AsyncListIndexing", "AsyncListRange"]


class AsyncListBasic(Interface, name="list_basic", model="list"):
    """Double-ended lists with Redis semantics.  A list that becomes empty ceases to exist; a
    missing key is an empty list.

    Using one key for two data models (a list and a set both named ``k``) is unspecified: some
    backends keep each model's keys apart (memstore), others share one keyspace and raise on the
    type clash (Redis).
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, values=PAYLOADS)
    async def push_left(self, key: str, *values: bytes) -> int:
        """Push each value onto the head in turn (``a, b, c`` ends as ``c b a ...``);
        return the new length."""

    @abc.abstractmethod
    @checks(key=KEY, values=PAYLOADS)
    async def push_right(self, key: str, *values: bytes) -> int:
        """Append the values to the tail in order; return the new length."""

    @abc.abstractmethod
    @checks(key=KEY)
    async def pop_left(self, key: str) -> bytes | None:
        """Remove and return the head, or None when the list is empty."""

    @abc.abstractmethod
    @checks(key=KEY)
    async def pop_right(self, key: str) -> bytes | None:
        """Remove and return the tail, or None when the list is empty."""

    @abc.abstractmethod
    @checks(key=KEY)
    async def length(self, key: str) -> int:
        """The number of elements (0 for a missing list)."""


class AsyncListIndexing(Interface, name="list_indexing", model="list"):
    """Positional access; negative indexes count from the end (-1 is the last element).
    A missing list has no valid index.  Indexes are ints from -2**63 to 2**63 - 1 (``MIN_INT``
    to ``MAX_INT``); others raise ``InvalidArgumentError``."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, index=INDEX)
    async def get(self, key: str, index: int) -> bytes:
        """The element at ``index``; ``IndexOutOfRangeError`` (an IndexError) when outside."""

    @abc.abstractmethod
    @checks(key=KEY, index=INDEX, value=PAYLOAD)
    async def set(self, key: str, index: int, value: bytes) -> None:
        """Replace the element at ``index``; ``IndexOutOfRangeError`` when outside."""

    @abc.abstractmethod
    @checks(key=KEY, pivot=PAYLOAD, value=PAYLOAD)
    async def insert(self, key: str, pivot: bytes, value: bytes, *, before: bool = True) -> int:
        """Insert ``value`` before (or after) the first element equal to ``pivot``.

        Returns the new length; -1 when ``pivot`` is not in the list, 0 when the list is
        missing (Redis LINSERT); nothing is inserted in either case.
        """

    @abc.abstractmethod
    @checks(key=KEY, value=PAYLOAD, count=INDEX)
    async def remove(self, key: str, value: bytes, count: int = 0) -> int:
        """Remove elements equal to ``value``: the first ``count`` from the head (count > 0),
        from the tail (count < 0) or all (0).  Returns how many were removed."""


class AsyncListRange(Interface, name="list_range", model="list"):
    """Ranges with inclusive bounds and negative indexes (Redis LRANGE / LTRIM)."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, start=INDEX, stop=INDEX)
    async def get_range(self, key: str, start: int = 0, stop: int = -1) -> list[bytes]:
        """Elements ``start`` through ``stop`` inclusive; out-of-range bounds are clipped."""

    @abc.abstractmethod
    @checks(key=KEY, start=INDEX, stop=INDEX)
    async def trim(self, key: str, start: int, stop: int) -> None:
        """Keep only elements ``start`` through ``stop`` inclusive."""


class AsyncListBlocking(Interface, name="list_blocking", model="list"):
    """Blocking pops: wait for an element; each element goes to exactly one waiter.

    ``keys`` are tried in the given order; the first non-empty one is popped.  ``timeout`` is
    seconds or a timedelta (at most ``MAX_SECONDS``, 100 years): None waits forever, 0 does not
    wait at all (unlike Redis's ``BLPOP ... 0``, which blocks forever).  Concurrent waiters each receive a different element;
    an element no waiter takes stays in the list.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(keys=KEY_OR_KEYS, timeout=OPT_DURATION)
    async def blocking_pop_left(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        """Pop the head of the first non-empty list as ``(key, value)``; None on timeout.

        "First" is in the order ``keys`` are given (never sorted; a repeated key changes
        nothing)."""

    @abc.abstractmethod
    @checks(keys=KEY_OR_KEYS, timeout=OPT_DURATION)
    async def blocking_pop_right(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        """Pop the tail of the first non-empty list as ``(key, value)``; None on timeout."""
