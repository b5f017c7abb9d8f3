"""Broken list variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prism._validate import Duration, seconds
from prism.backends.memstore._async.list import AsyncMemList
from tests.broken import Variant

# list_basic -------------------------------------------------------------------------------------


class AsyncUnreversedPushMemList(AsyncMemList):
    """A multi-value push_left keeps the values' order (a b c stays a b c; Redis gives c b a)."""

    async def push_left(self, key: str, *values: bytes) -> int:
        return await super().push_left(key, *reversed(values))


# list_range -------------------------------------------------------------------------------------


class AsyncExclusiveStopMemList(AsyncMemList):
    """get_range treats ``stop`` as exclusive, like a Python slice."""

    async def get_range(self, key: str, start: int = 0, stop: int = -1) -> list[bytes]:
        return (await super().get_range(key, start, stop))[:-1]


# list_blocking ----------------------------------------------------------------------------------


def _peek(facet: AsyncMemList, keys: str | Sequence[str]) -> tuple[str, bytes] | None:
    """The head of the first non-empty list, left in place."""
    for key in [keys] if isinstance(keys, str) else keys:
        items = facet._lists.get(key)
        if items:
            return key, items[0]
    return None


def _keys(facet: AsyncMemList, keys: str | Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """What a blocking pop on ``keys`` waits for (the memstore waiter keys of those lists)."""
    return tuple(
        ("list", facet.namespace, key) for key in ([keys] if isinstance(keys, str) else keys)
    )


class AsyncSharingMemList(AsyncMemList):
    """blocking_pop_left hands out the head without removing it: every waiter gets it."""

    async def blocking_pop_left(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        wait = None if timeout is None else seconds(timeout, allow_zero=True)
        waits_for = _keys(self, keys)
        return await self._store.waiters.wait_async(waits_for, lambda: _peek(self, keys), wait)


class AsyncForeverMemList(AsyncMemList):
    """The blocking pops ignore their timeout: on an empty list they wait forever.  The suite
    cannot observe the flaw through a result, only through the plugin's per-case deadline."""

    async def blocking_pop_left(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        return await super().blocking_pop_left(keys, None)

    async def blocking_pop_right(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        return await super().blocking_pop_right(keys, None)


_FOREVER = Variant("list", "blocking-pop-forever", AsyncForeverMemList, "list_blocking")

#: per-case deadlines (seconds) of variants whose cases hang: short, so the meta-test stays fast
CASE_DEADLINES = {_FOREVER.backend: 1.0}


def _sorted_keys(keys: Any) -> Any:
    if isinstance(keys, list | tuple) and keys and all(type(k) is str for k in keys):
        return sorted(set(keys))
    return keys  # left for the checks to refuse


class AsyncSortedKeysMemList(AsyncMemList):
    """Blocking pops try the keys in sorted order, not in the order given."""

    async def blocking_pop_left(self, keys: Any, timeout: Any = None) -> Any:
        return await super().blocking_pop_left(_sorted_keys(keys), timeout)

    async def blocking_pop_right(self, keys: Any, timeout: Any = None) -> Any:
        return await super().blocking_pop_right(_sorted_keys(keys), timeout)


VARIANTS = [
    Variant(
        "list",
        "push-left-unreversed",
        AsyncUnreversedPushMemList,
        "list_basic",
    ),
    Variant(
        "list",
        "range-stop-exclusive",
        AsyncExclusiveStopMemList,
        "list_range",
    ),
    Variant("list", "blocking-pop-shares", AsyncSharingMemList, "list_blocking"),
    _FOREVER,
    Variant("list", "sorted-keys", AsyncSortedKeysMemList, "list_blocking"),
]
