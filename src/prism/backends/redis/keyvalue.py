# Generated from src/prism/backends/redis/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""redis keyvalue: all six interfaces.

* keys are Redis strings under ``<root>:{<ns>}:kv:``; ``set`` is SET (which clears any TTL, as
  the contract asks), with ``ttl`` SET PX in milliseconds (sub-second TTLs work; the smallest is
  1 ms);
* scans are SCAN MATCH over the escaped prefix, on the node serving the namespace's slot, in
  pages of ``PAGE`` keys; values are fetched per page with MGET.  SCAN may return a key twice:
  duplicates are dropped client-side, so each key is yielded once;
* batches are one MSET / MGET / DEL each (all keys of a namespace share one slot, so this holds
  on a cluster too);
* compare-and-swap and compare-and-delete are Lua scripts (atomic on the server);
* transactions are optimistic: WATCH on first touch, writes buffered client-side, then
  MULTI/EXEC on commit; a WATCHed key that changed makes EXEC fail and commit raises
  ConflictError.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from prism._validate import Duration
from prism.backends._errors import translating
from prism.backends.redis._errors import translate
from prism.backends.redis._facet import RedisFacet, Script, run_script
from prism.backends.redis._keys import glob_escape
from prism.errors import InvalidArgumentError, KeyNotFoundError
from prism.interfaces.keyvalue import (
    KeyValueBasic,
    KeyValueBatch,
    KeyValueCAS,
    KeyValueScan,
    KeyValueTransactional,
    KeyValueTTL,
    Transaction,
)

__all__ = ["RedisKeyValue", "RedisTransaction"]

PAGE = 1000
"""SCAN COUNT hint: keys examined per round trip."""

_CAS = Script.of(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0"
)
_CAD = Script.of(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0"
)


_Seen = set[bytes]
"""Redis keys a scan already yielded (module-level: in the class, ``set`` is a method)."""


def _ms(ttl: Duration) -> int:
    """A TTL (float seconds after the checks) in whole milliseconds, at least 1 (Redis
    refuses 0)."""
    return max(1, round(cast("float", ttl) * 1000))


class RedisKeyValue(
    RedisFacet,
    KeyValueBasic,
    KeyValueScan,
    KeyValueTTL,
    KeyValueTransactional,
    KeyValueBatch,
    KeyValueCAS,
):
    _model = "keyvalue"

    # keyvalue_basic / keyvalue_ttl ------------------------------------------------------------
    # The hot commands go through ``execute_command``, as ``set_many``'s MSET does: the same
    # command on the wire, without redis-py's wrapper around it.  Its ``set`` reads eight
    # options on every call (about 5 µs, measured against the server on this machine); its
    # ``mget`` imports a name and copies the key list (about 2 µs); its ``get`` builds a
    # one-key list for client-side caching, which prism does not turn on.  Replies are
    # parsed as before: redis-py picks the reply callback by the command's name.
    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        try:
            if ttl is None:
                self._c.execute_command("SET", self._p + key.encode(), value)
            else:
                self._c.execute_command("SET", self._p + key.encode(), value, "PX", _ms(ttl))
        except Exception as exc:
            raise self._fail(exc, "set") from exc

    def get(self, key: str) -> bytes:
        try:
            value: bytes | None = self._c.execute_command("GET", self._p + key.encode())
        except Exception as exc:
            raise self._fail(exc, "get") from exc
        if value is None:
            raise KeyNotFoundError(f"key {key!r} not found", backend=self._name, operation="get")
        return value

    def delete(self, key: str) -> bool:
        try:
            return bool(self._c.delete(self._p + key.encode()))
        except Exception as exc:
            raise self._fail(exc, "delete") from exc

    def exists(self, key: str) -> bool:
        try:
            return bool(self._c.exists(self._p + key.encode()))
        except Exception as exc:
            raise self._fail(exc, "exists") from exc

    def expire(self, key: str, ttl: Duration) -> bool:
        with translating(self._name, "expire", translate):
            return bool(self._c.pexpire(self._k(key), _ms(ttl)))

    def get_ttl(self, key: str) -> float | None:
        with translating(self._name, "get_ttl", translate):
            ms: int = self._c.pttl(self._k(key))
        if ms == -2:
            raise KeyNotFoundError(
                f"key {key!r} not found", backend=self._name, operation="get_ttl"
            )
        return None if ms < 0 else ms / 1000.0

    def persist(self, key: str) -> bool:
        with translating(self._name, "persist", translate):
            return bool(self._c.persist(self._k(key)))

    # keyvalue_scan -----------------------------------------------------------------------------
    def _page(self, pattern: bytes, cursor: int, seen: _Seen) -> tuple[int, list[bytes]]:
        """One SCAN round trip: the next cursor and the Redis keys not seen before (SCAN may
        return a key more than once)."""
        with translating(self._name, "scan", translate):
            cursor, keys = self._node().scan(cursor, match=pattern, count=PAGE)
        fresh = [k for k in keys if k not in seen]
        seen.update(fresh)
        return cursor, fresh

    def _pattern(self, prefix: str) -> bytes:
        return glob_escape(self._p + prefix.encode()) + b"*"

    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        left = -1 if limit is None else limit
        seen: _Seen = set()
        pattern, cut, cursor = self._pattern(prefix), self._plen, -1
        while left and cursor:
            cursor, page = self._page(pattern, max(cursor, 0), seen)
            if not page:
                continue
            with translating(self._name, "scan", translate):
                values: list[bytes | None] = self._node().mget(page)
            for rkey, value in zip(page, values, strict=True):
                if value is not None:  # None: deleted or expired since SCAN saw it
                    yield rkey[cut:].decode(), value
                    left -= 1
                    if not left:
                        return

    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        left = -1 if limit is None else limit
        seen: _Seen = set()
        pattern, cut, cursor = self._pattern(prefix), self._plen, -1
        while left and cursor:
            cursor, page = self._page(pattern, max(cursor, 0), seen)
            for rkey in page:
                yield rkey[cut:].decode()
                left -= 1
                if not left:
                    return

    def count(self, prefix: str = "") -> int:
        seen: _Seen = set()
        pattern, cursor = self._pattern(prefix), -1
        while cursor:
            cursor, _ = self._page(pattern, max(cursor, 0), seen)
        return len(seen)

    # keyvalue_batch ----------------------------------------------------------------------------
    def set_many(self, items: Mapping[str, bytes]) -> None:
        if not items:
            return
        args: list[bytes] = [b""] * (2 * len(items))
        args[::2] = self._ks(list(items))
        args[1::2] = items.values()
        try:
            self._c.execute_command("MSET", *args)
        except Exception as exc:
            raise self._fail(exc, "set_many") from exc

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted: list[str] = keys if type(keys) is list else list(keys)
        if not wanted:
            return {}
        try:
            values: list[bytes | None] = self._c.execute_command("MGET", *self._ks(wanted))
        except Exception as exc:
            raise self._fail(exc, "get_many") from exc
        # all(): no None (absent) and no b"" among them, the usual case, is the cheapest scan
        if not all(values) and None in values:
            return {k: v for k, v in zip(wanted, values, strict=True) if v is not None}
        return cast("dict[str, bytes]", dict(zip(wanted, values, strict=True)))

    def delete_many(self, keys: Iterable[str]) -> int:
        wanted: list[str] = keys if type(keys) is list else list(keys)
        if not wanted:
            return 0
        try:  # DEL counts a repeated key once, like the contract's "how many existed"
            return int(self._c.delete(*self._ks(wanted)))
        except Exception as exc:
            raise self._fail(exc, "delete_many") from exc

    # keyvalue_cas ------------------------------------------------------------------------------
    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        with translating(self._name, "compare_and_swap", translate):
            if expected is None:
                return bool(self._c.set(self._k(key), new, nx=True))
            return bool(run_script(self._c, _CAS, [self._k(key)], [expected, new]))

    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        with translating(self._name, "compare_and_delete", translate):
            return bool(run_script(self._c, _CAD, [self._k(key)], [expected]))

    # keyvalue_transactional --------------------------------------------------------------------
    def begin(self) -> RedisTransaction:
        return RedisTransaction(self)


_DELETE = None


class RedisTransaction(Transaction):
    """WATCH/MULTI/EXEC on one connection to the node serving the namespace's slot.

    The first touch of a key (get, set or delete) WATCHes it; reads are served from the server
    once and then from the transaction's own view; writes are buffered and sent as one
    MULTI/EXEC on commit.  A WATCHed key changed by anyone else makes EXEC fail: commit raises
    ConflictError and applies nothing.  The connection is held from the first touch until
    commit or rollback.
    """

    def __init__(self, facet: RedisKeyValue) -> None:
        self._facet = facet
        self.max_value_bytes = facet.max_value_bytes
        self._pipe: Any = None
        self._watched: set[str] = set()
        self._view: dict[str, bytes | None] = {}  # what this transaction sees (reads + writes)
        self._writes: dict[str, bytes | None] = {}  # None: delete
        self._done = False

    def _check_open(self) -> None:
        if self._done:
            msg = "this transaction is already committed or rolled back"
            raise InvalidArgumentError(msg)

    def _watch(self, key: str) -> None:
        if key in self._watched:
            return
        if self._pipe is None:
            self._pipe = self._facet._node().pipeline(transaction=True)
        self._pipe.watch(self._facet._k(key))
        self._watched.add(key)

    def _current(self, key: str, operation: str) -> bytes | None:
        if key in self._view:
            return self._view[key]
        with translating(self._facet._name, operation, translate):
            self._watch(key)
            value: bytes | None = self._pipe.get(self._facet._k(key))
        self._view[key] = value
        return value

    def get(self, key: str) -> bytes:
        self._check_open()
        value = self._current(key, "get")
        if value is None:
            raise KeyNotFoundError(
                f"key {key!r} not found", backend=self._facet._name, operation="get"
            )
        return value

    def set(self, key: str, value: bytes) -> None:
        self._check_open()
        with translating(self._facet._name, "set", translate):
            self._watch(key)
        self._view[key] = value
        self._writes[key] = value

    def delete(self, key: str) -> bool:
        self._check_open()
        existed = self._current(key, "delete") is not None
        self._view[key] = _DELETE
        self._writes[key] = _DELETE
        return existed

    def commit(self) -> None:
        self._check_open()
        self._done = True
        pipe, self._pipe = self._pipe, None
        if pipe is None:
            return  # nothing was touched
        try:
            with translating(self._facet._name, "commit", translate):
                pipe.multi()
                for key, value in self._writes.items():
                    if value is _DELETE:
                        pipe.delete(self._facet._k(key))
                    else:
                        pipe.set(self._facet._k(key), value)
                pipe.execute()
        finally:
            pipe.reset()

    def rollback(self) -> None:
        self._done = True
        self._writes.clear()
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            with translating(self._facet._name, "rollback", translate):
                pipe.reset()
