"""redis list: all four interfaces, native Redis lists under ``<root>:{<ns>}:list:``.

Blocking pops are BLPOP / BRPOP over the given keys (all in the namespace's slot, so this holds
on a cluster too).  Redis takes the timeout in seconds with millisecond resolution; a positive
timeout below 1 ms is rounded up to 1 ms (BLPOP 0 would wait forever).  A timeout of 0 pops
without waiting (one Lua script trying the keys in order).  When the client has a socket
timeout, a long wait is split into several BLPOPs that each end before the socket timeout does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, cast

from prism._compat import sleep_async
from prism._validate import Duration
from prism.backends._errors import translating
from prism.backends.redis._async._facet import AsyncRedisFacet, Script, run_script
from prism.backends.redis._errors import response_text, translate
from prism.errors import IndexOutOfRangeError
from prism.interfaces._async.list import (
    AsyncListBasic,
    AsyncListBlocking,
    AsyncListIndexing,
    AsyncListRange,
)

__all__ = ["AsyncRedisList"]

_POP_NOW = Script.of(
    "for i, key in ipairs(KEYS) do "
    "local v = redis.call(ARGV[1], key) "
    "if v then return {key, v} end end return false"
)


_TIMER_SLACK = 0.1
"""How late Redis may end a blocked call (it checks their timeouts on a 100 ms timer)."""


def _redis_timeout(wait: float) -> float:
    """BLPOP's timeout argument: 0 waits forever; any positive wait is at least 1 ms."""
    return 0 if wait == 0 else max(0.001, round(wait, 3))


class AsyncRedisList(
    AsyncRedisFacet, AsyncListBasic, AsyncListIndexing, AsyncListRange, AsyncListBlocking
):
    _model = "list"

    # list_basic ----------------------------------------------------------------------------
    async def push_left(self, key: str, *values: bytes) -> int:
        with translating(self._name, "push_left", translate):
            return int(await self._c.lpush(self._k(key), *values))

    async def push_right(self, key: str, *values: bytes) -> int:
        with translating(self._name, "push_right", translate):
            return int(await self._c.rpush(self._k(key), *values))

    async def pop_left(self, key: str) -> bytes | None:
        with translating(self._name, "pop_left", translate):
            value: bytes | None = await self._c.lpop(self._k(key))
        return value

    async def pop_right(self, key: str) -> bytes | None:
        with translating(self._name, "pop_right", translate):
            value: bytes | None = await self._c.rpop(self._k(key))
        return value

    async def length(self, key: str) -> int:
        with translating(self._name, "length", translate):
            return int(await self._c.llen(self._k(key)))

    # list_indexing -------------------------------------------------------------------------
    def _out_of_range(self, key: str, index: int, operation: str) -> IndexOutOfRangeError:
        return IndexOutOfRangeError(
            f"index {index} is outside list {key!r}", backend=self._name, operation=operation
        )

    async def get(self, key: str, index: int) -> bytes:
        with translating(self._name, "get", translate):
            value: bytes | None = await self._c.lindex(self._k(key), index)
        if value is None:
            raise self._out_of_range(key, index, "get")
        return value

    async def set(self, key: str, index: int, value: bytes) -> None:
        try:
            await self._c.lset(self._k(key), index, value)
        except Exception as exc:
            if response_text(exc) in ("index out of range", "no such key"):
                raise self._out_of_range(key, index, "set") from exc
            raise self._fail(exc, "set") from exc

    async def insert(self, key: str, pivot: bytes, value: bytes, *, before: bool = True) -> int:
        where = "BEFORE" if before else "AFTER"
        with translating(self._name, "insert", translate):
            return int(await self._c.linsert(self._k(key), where, pivot, value))

    async def remove(self, key: str, value: bytes, count: int = 0) -> int:
        with translating(self._name, "remove", translate):
            return int(await self._c.lrem(self._k(key), count, value))

    # list_range ----------------------------------------------------------------------------
    async def get_range(self, key: str, start: int = 0, stop: int = -1) -> list[bytes]:
        with translating(self._name, "get_range", translate):
            return list(await self._c.lrange(self._k(key), start, stop))

    async def trim(self, key: str, start: int, stop: int) -> None:
        with translating(self._name, "trim", translate):
            await self._c.ltrim(self._k(key), start, stop)

    # list_blocking -------------------------------------------------------------------------
    async def blocking_pop_left(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        return await self._blocking_pop(keys, timeout, left=True)

    async def blocking_pop_right(
        self, keys: str | Sequence[str], timeout: Duration | None = None
    ) -> tuple[str, bytes] | None:
        return await self._blocking_pop(keys, timeout, left=False)

    async def _blocking_pop(
        self, keys: str | Sequence[str], timeout: Duration | None, *, left: bool
    ) -> tuple[str, bytes] | None:
        names = [keys] if isinstance(keys, str) else list(keys)
        by_redis_key = {self._k(name): name for name in names}
        rkeys = list(by_redis_key)
        operation = "blocking_pop_left" if left else "blocking_pop_right"
        wait = cast("float | None", timeout)  # float seconds after the checks
        found: Any = None
        with translating(self._name, operation, translate):
            if wait == 0:
                found = await run_script(self._c, _POP_NOW, rkeys, ["LPOP" if left else "RPOP"])
            else:
                pop = self._c.blpop if left else self._c.brpop
                # Each BLPOP must end before the socket timeout would cut the read off.
                limit = self._b.config.socket_timeout
                step = None if limit is None else max(0.001, limit / 2)
                deadline = None if wait is None else time.monotonic() + wait
                while found is None:
                    if deadline is None:
                        chunk = 0.0 if step is None else step  # 0: BLPOP waits forever
                    else:
                        left_s = deadline - time.monotonic()
                        if left_s <= 0:
                            break
                        if left_s <= _TIMER_SLACK + 0.05:
                            # Redis ends blocked calls on a 100 ms timer, so a short BLPOP can
                            # overrun: finish the wait with non-blocking pops instead.
                            found = await run_script(
                                self._c, _POP_NOW, rkeys, ["LPOP" if left else "RPOP"]
                            )
                            if found is None:
                                await sleep_async(min(0.02, max(0.0, left_s)))
                            continue
                        chunk = left_s - _TIMER_SLACK
                        chunk = max(0.001, chunk if step is None else min(chunk, step))
                    found = await pop(rkeys, timeout=_redis_timeout(chunk))
        if not found:
            return None
        rkey, value = found[0], found[1]
        return by_redis_key.get(rkey, rkey[self._plen :].decode()), value
