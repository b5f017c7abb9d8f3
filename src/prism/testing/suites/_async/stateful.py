"""Model-based stateful compliance tests: one hypothesis state machine per data model.

Each machine's rules call the backend's facet and a small reference model kept right here
(plain dicts and lists, obviously correct, never memstore) and compare the two after every
step.  Every rule whose interface the backend declares may run: a machine uses the richer
interfaces of its model (ttl, cas, ranges, ranks, consumer groups, visibility, aggregation,
traversal, queries ...) when the facet implements them and the target declares them.

Inputs are inconvenient on purpose: keys, members and names with ``*?[]%_\\``, unicode, unsorted
and duplicated batches, out-of-order timestamps, empty payloads.  Time moves only on a backend
with an injected clock (memstore), where TTL, lease, delay, claim and retention rules advance
it, exact boundaries included; on a real server the time-dependent rules use long durations and
check only what holds before they lapse, so nothing ever waits.

The plugin runs each machine as ``test_stateful_model`` of the model's basic interface (so it
is counted there in the compliance matrix), for every backend and in both flavours.  The budget
is the one hypothesis profile ``prism-stateful`` (``prism.testing._stateful``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import prism
from prism.interfaces._async.document import AsyncDocumentQuery
from prism.interfaces._async.graph import (
    AsyncGraphAnalytics,
    AsyncGraphTraversal,
)
from prism.interfaces._async.keyvalue import (
    AsyncKeyValueBatch,
    AsyncKeyValueCAS,
    AsyncKeyValueScan,
    AsyncKeyValueTransactional,
    AsyncKeyValueTTL,
)
from prism.interfaces._async.list import (
    AsyncListBlocking,
    AsyncListIndexing,
    AsyncListRange,
)
from prism.interfaces._async.pubsub import AsyncSubscription
from prism.interfaces._async.queue import (
    AsyncQueueDeadLetter,
    AsyncQueueDelayed,
    AsyncQueuePriority,
    AsyncQueueVisibility,
)
from prism.interfaces._async.set import (
    AsyncSetCardinality,
    AsyncSetOperations,
    AsyncSetRandom,
)
from prism.interfaces._async.sortedset import (
    AsyncSortedSetOperations,
    AsyncSortedSetRange,
    AsyncSortedSetRank,
)
from prism.interfaces._async.stream import AsyncStreamConsumerGroups
from prism.interfaces._async.timeseries import (
    AsyncTimeSeriesAggregation,
    AsyncTimeSeriesRetention,
)
from prism.interfaces._base import Interface
from prism.testing._async.suite import AsyncSuite
from prism.testing._stateful import SETTINGS, AsyncDriver, storage_outside_cwd
from prism.testing.target import Target
from prism.types import Lease, Point

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., None])

__all__ = ["MACHINES", "AsyncStatefulSuite"]

LONG = 3600.0
"""A duration that never lapses during a run: what TTL, lease and delay rules use on a server
whose time is real."""
STEPS = (0.25, 0.5, 1.0)
"""How far a clock-advancing rule moves the injected clock: multiples of 1/4 s, so the sums
are exact and land exactly on deadlines made of the same quarters."""

PAYLOADS = st.sampled_from(
    [b"", b"\x00", b"v", b"w", b"\xff\xfe", "é".encode(), b"*?[]%_\\"]
) | st.binary(max_size=3)
HEADERS = st.sampled_from([None, {}, {"h": ""}, {"k*": "v%", "é": "\\_"}])


async def _drain(items: AsyncIterator[T], most: int = 1000) -> list[T]:
    found: list[T] = []
    async for item in items:
        found.append(item)
        assert len(found) <= most, f"an iteration yielded more than {most} items"
    return found


class _Machine(RuleBasedStateMachine):
    """A fresh namespace per example, opened and closed on the machine's own driver."""

    model: ClassVar[str] = ""
    bound_target: ClassVar[Target]
    """Set on the per-test subclass that :class:`AsyncStatefulSuite` makes."""

    def __init__(self) -> None:
        super().__init__()
        self.target = target = self.bound_target
        self.driver = AsyncDriver()
        self.ns = self.driver.run(prism.open_async(target.fresh_name(), config=target.config()))
        self.facet: Any = self.ns.facet(self.model)

    def do(self, step: Any) -> Any:
        """Run one facet call (an awaitable in the async flavour) and return its result."""
        return self.driver.run(step)

    def has(self, interface: type[Interface]) -> bool:
        return (
            isinstance(self.facet, interface) and interface.registry_name in self.target.interfaces
        )

    @property
    def clocked(self) -> bool:
        return self.target.clock is not None

    def now(self) -> float:
        assert self.target.clock is not None
        return float(self.target.clock())

    def advance(self, seconds: float) -> None:
        assert self.target.clock is not None
        self.target.clock.advance(seconds)

    def teardown(self) -> None:
        try:
            self.do(self.ns.close())  # type: ignore[func-returns-value,unused-ignore]
        finally:
            self.driver.close()


def _clocked(self: _Machine) -> bool:
    return self.clocked


def _needs(*interfaces: type[Interface]) -> Callable[[F], F]:
    """A precondition: the backend declares and implements every one of ``interfaces``."""
    return precondition(lambda self: all(self.has(i) for i in interfaces))


# keyvalue ---------------------------------------------------------------------------------------

KV_KEYS = st.sampled_from(["k", "k*?", "k[a]%", "k_\\", "ké", "键🙂"])
KV_PREFIXES = st.sampled_from(["", "k", "k*", "k[", "k[a]%", "k_", "k%", "ké", "键", "x"])


class AsyncKeyValueMachine(_Machine):
    model = "keyvalue"

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, bytes] = {}
        self.deadlines: dict[str, float] = {}

    def _ttl(self, data: st.DataObject) -> float:
        return data.draw(st.sampled_from((*STEPS, 2.0))) if self.clocked else LONG

    def _expire_model(self) -> None:
        if not self.clocked:
            return
        now = self.now()
        for key in [k for k, deadline in self.deadlines.items() if deadline <= now]:
            del self.deadlines[key], self.values[key]

    @rule(key=KV_KEYS, value=PAYLOADS)
    def set(self, key: str, value: bytes) -> None:
        self.do(self.facet.set(key, value))
        self.values[key] = value
        self.deadlines.pop(key, None)

    @rule(key=KV_KEYS)
    def get(self, key: str) -> None:
        self._expire_model()
        if key in self.values:
            assert self.do(self.facet.get(key)) == self.values[key]
        else:
            with pytest.raises(prism.KeyNotFoundError):
                self.do(self.facet.get(key))

    @rule(key=KV_KEYS)
    def exists(self, key: str) -> None:
        self._expire_model()
        assert self.do(self.facet.exists(key)) is (key in self.values)

    @rule(key=KV_KEYS)
    def delete(self, key: str) -> None:
        self._expire_model()
        assert self.do(self.facet.delete(key)) is (key in self.values)
        self.values.pop(key, None)
        self.deadlines.pop(key, None)

    @_needs(AsyncKeyValueScan)
    @rule(prefix=KV_PREFIXES, limit=st.none() | st.integers(1, 3))
    def scan(self, prefix: str, limit: int | None) -> None:
        self._expire_model()
        expected = {k: v for k, v in self.values.items() if k.startswith(prefix)}
        got = self.do(_drain(self.facet.scan(prefix, limit=limit)))
        keys = [k for k, _ in got]
        assert len(keys) == len(set(keys)), f"scan yielded a key twice: {keys}"
        if limit is None:
            assert dict(got) == expected
        else:
            assert len(got) == min(limit, len(expected))
            assert all(expected.get(k) == v for k, v in got)
        assert self.do(self.facet.count(prefix)) == len(expected)
        assert sorted(self.do(_drain(self.facet.scan_keys(prefix)))) == sorted(expected)

    @_needs(AsyncKeyValueTTL)
    @rule(key=KV_KEYS, value=PAYLOADS, data=st.data())
    def set_with_ttl(self, key: str, value: bytes, data: st.DataObject) -> None:
        ttl = self._ttl(data)
        self.do(self.facet.set(key, value, ttl=ttl))
        self.values[key] = value
        if self.clocked:
            self.deadlines[key] = self.now() + ttl
        else:
            self.deadlines[key] = ttl

    @_needs(AsyncKeyValueTTL)
    @rule(key=KV_KEYS, data=st.data())
    def expire(self, key: str, data: st.DataObject) -> None:
        self._expire_model()
        ttl = self._ttl(data)
        assert self.do(self.facet.expire(key, ttl)) is (key in self.values)
        if key in self.values:
            self.deadlines[key] = self.now() + ttl if self.clocked else ttl

    @_needs(AsyncKeyValueTTL)
    @rule(key=KV_KEYS)
    def persist(self, key: str) -> None:
        self._expire_model()
        assert self.do(self.facet.persist(key)) is (key in self.deadlines)
        self.deadlines.pop(key, None)

    @_needs(AsyncKeyValueTTL)
    @rule(key=KV_KEYS)
    def get_ttl(self, key: str) -> None:
        self._expire_model()
        if key not in self.values:
            with pytest.raises(prism.KeyNotFoundError):
                self.do(self.facet.get_ttl(key))
            return
        left = self.do(self.facet.get_ttl(key))
        if key not in self.deadlines:
            assert left is None
        elif self.clocked:
            assert left is not None
            assert abs(left - (self.deadlines[key] - self.now())) <= 0.01
        else:
            assert left is not None
            assert self.deadlines[key] - 60 < left <= self.deadlines[key]

    @_needs(AsyncKeyValueTTL)
    @precondition(_clocked)
    @rule(seconds=st.sampled_from(STEPS))
    def advance_clock(self, seconds: float) -> None:
        self.advance(seconds)

    @_needs(AsyncKeyValueBatch)
    @rule(
        items=st.lists(st.tuples(KV_KEYS, PAYLOADS), max_size=5),
        lookups=st.lists(KV_KEYS, max_size=6),
    )
    def batch(self, items: list[tuple[str, bytes]], lookups: list[str]) -> None:
        self._expire_model()
        # Whether set_many clears an expiry is settled elsewhere: leave keys that have one out.
        batch = {k: v for k, v in items if k not in self.deadlines}
        self.do(self.facet.set_many(batch))
        self.values.update(batch)
        expected = {k: self.values[k] for k in lookups if k in self.values}
        assert self.do(self.facet.get_many(lookups)) == expected

    @_needs(AsyncKeyValueBatch)
    @rule(keys=st.lists(KV_KEYS, max_size=6))
    def delete_many(self, keys: list[str]) -> None:
        self._expire_model()
        present = {k for k in keys if k in self.values}
        assert self.do(self.facet.delete_many(keys)) == len(present)
        for key in present:
            del self.values[key]
            self.deadlines.pop(key, None)

    @_needs(AsyncKeyValueCAS)
    @rule(key=KV_KEYS, new=PAYLOADS, data=st.data())
    def compare_and_swap(self, key: str, new: bytes, data: st.DataObject) -> None:
        self._expire_model()
        current = self.values.get(key)
        expected = data.draw(st.sampled_from([current, None, b"other"]))
        applied = self.do(self.facet.compare_and_swap(key, expected, new))
        assert applied is (expected == current)
        if applied:
            self.values[key] = new
            self.deadlines.pop(key, None)

    @_needs(AsyncKeyValueCAS)
    @rule(key=KV_KEYS, data=st.data())
    def compare_and_delete(self, key: str, data: st.DataObject) -> None:
        self._expire_model()
        current = self.values.get(key)
        expected = data.draw(st.sampled_from([b"other"] if current is None else [current, b"x"]))
        deleted = self.do(self.facet.compare_and_delete(key, expected))
        assert deleted is (current is not None and expected == current)
        if deleted:
            del self.values[key]
            self.deadlines.pop(key, None)

    @_needs(AsyncKeyValueTransactional)
    @rule(writes=st.lists(st.tuples(KV_KEYS, st.none() | PAYLOADS), min_size=1, max_size=4))
    def transaction(self, writes: list[tuple[str, bytes | None]]) -> None:
        self._expire_model()
        writes = [(k, v) for k, v in writes if k not in self.deadlines]
        seen = self.do(_transact(self.facet, writes))
        view = dict(self.values)
        for (key, value), (existed, after) in zip(writes, seen, strict=True):
            assert existed is (key in view), f"tx.delete({key!r}) saw the wrong state"
            if value is None:
                view.pop(key, None)
            else:
                view[key] = value
            assert after == view.get(key), f"the transaction does not read its own write {key!r}"
        self.values = view

    @invariant()
    def model_matches(self) -> None:
        """The whole namespace equals the model (read through scan, or get_many)."""
        self._expire_model()
        if self.has(AsyncKeyValueScan):
            assert dict(self.do(_drain(self.facet.scan("")))) == self.values
        elif self.has(AsyncKeyValueBatch):
            assert self.do(self.facet.get_many(list(self.values))) == self.values


async def _transact(kv: Any, writes: list[tuple[str, bytes | None]]) -> list[tuple[bool, Any]]:
    """Apply ``writes`` (None: delete) in one transaction; per write, whether the key existed
    before it (as the transaction saw it) and the value it reads after it."""
    seen: list[tuple[bool, Any]] = []
    async with kv.begin() as tx:
        for key, value in writes:
            try:
                await tx.get(key)
                existed = True
            except prism.KeyNotFoundError:
                existed = False
            if value is None:
                assert await tx.delete(key) is existed
            else:
                await tx.set(key, value)
            try:
                after: bytes | None = await tx.get(key)
            except prism.KeyNotFoundError:
                after = None
            seen.append((existed, after))
    return seen


# list -------------------------------------------------------------------------------------------

LIST_KEYS = st.sampled_from(["l", "l*?[%_]\\列表"])
INDEXES = st.integers(-6, 6)


def _span(length: int, start: int, stop: int) -> tuple[int, int]:
    """Redis's inclusive range with negative indexes and clipping, as a Python slice."""
    first = start + length if start < 0 else start
    last = stop + length if stop < 0 else stop
    first, last = max(first, 0), min(last, length - 1)
    return (first, last + 1) if first <= last else (0, 0)


class AsyncListMachine(_Machine):
    model = "list"

    def __init__(self) -> None:
        super().__init__()
        self.lists: dict[str, list[bytes]] = {}

    def _store(self, key: str, items: list[bytes]) -> None:
        if items:
            self.lists[key] = items
        else:
            self.lists.pop(key, None)

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few elements, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.push_right(data.draw(LIST_KEYS), [data.draw(PAYLOADS)])

    @rule(key=LIST_KEYS, values=st.lists(PAYLOADS, min_size=1, max_size=4))
    def push_left(self, key: str, values: list[bytes]) -> None:
        items = self.lists.get(key, [])
        for value in values:
            items.insert(0, value)
        assert self.do(self.facet.push_left(key, *values)) == len(items)
        self._store(key, items)

    @rule(key=LIST_KEYS, values=st.lists(PAYLOADS, min_size=1, max_size=4))
    def push_right(self, key: str, values: list[bytes]) -> None:
        items = [*self.lists.get(key, []), *values]
        assert self.do(self.facet.push_right(key, *values)) == len(items)
        self._store(key, items)

    @rule(key=LIST_KEYS, left=st.booleans())
    def pop(self, key: str, left: bool) -> None:
        items = self.lists.get(key, [])
        got = self.do(self.facet.pop_left(key) if left else self.facet.pop_right(key))
        assert got == (None if not items else items.pop(0 if left else -1))
        self._store(key, items)

    @rule(key=LIST_KEYS)
    def length(self, key: str) -> None:
        assert self.do(self.facet.length(key)) == len(self.lists.get(key, []))

    @_needs(AsyncListIndexing)
    @rule(key=LIST_KEYS, index=INDEXES)
    def get_index(self, key: str, index: int) -> None:
        items = self.lists.get(key, [])
        if -len(items) <= index < len(items):
            assert self.do(self.facet.get(key, index)) == items[index]
        else:
            with pytest.raises(prism.IndexOutOfRangeError):
                self.do(self.facet.get(key, index))

    @_needs(AsyncListIndexing)
    @rule(key=LIST_KEYS, index=INDEXES, value=PAYLOADS)
    def set_index(self, key: str, index: int, value: bytes) -> None:
        items = self.lists.get(key, [])
        if -len(items) <= index < len(items):
            self.do(self.facet.set(key, index, value))
            items[index] = value
        else:
            with pytest.raises(prism.IndexOutOfRangeError):
                self.do(self.facet.set(key, index, value))

    @_needs(AsyncListIndexing)
    @rule(key=LIST_KEYS, value=PAYLOADS, before=st.booleans(), data=st.data())
    def insert(self, key: str, value: bytes, before: bool, data: st.DataObject) -> None:
        items = self.lists.get(key, [])
        pivot = data.draw(st.sampled_from([*items, b"absent"]))
        got = self.do(self.facet.insert(key, pivot, value, before=before))
        if not items:
            assert got == 0
        elif pivot not in items:
            assert got == -1
        else:
            at = items.index(pivot)
            items.insert(at if before else at + 1, value)
            assert got == len(items)

    @_needs(AsyncListIndexing)
    @rule(key=LIST_KEYS, count=st.integers(-3, 3), data=st.data())
    def remove(self, key: str, count: int, data: st.DataObject) -> None:
        items = self.lists.get(key, [])
        value = data.draw(st.sampled_from([*items, b"absent"]))
        hits = [i for i, item in enumerate(items) if item == value]
        if count > 0:
            hits = hits[:count]
        elif count < 0:
            hits = hits[count:]
        assert self.do(self.facet.remove(key, value, count)) == len(hits)
        self._store(key, [item for i, item in enumerate(items) if i not in hits])

    @_needs(AsyncListRange)
    @rule(key=LIST_KEYS, start=INDEXES, stop=INDEXES)
    def get_range(self, key: str, start: int, stop: int) -> None:
        items = self.lists.get(key, [])
        first, end = _span(len(items), start, stop)
        assert self.do(self.facet.get_range(key, start, stop)) == items[first:end]

    @_needs(AsyncListRange)
    @rule(key=LIST_KEYS, start=INDEXES, stop=INDEXES)
    def trim(self, key: str, start: int, stop: int) -> None:
        items = self.lists.get(key, [])
        first, end = _span(len(items), start, stop)
        self.do(self.facet.trim(key, start, stop))
        self._store(key, items[first:end])

    @_needs(AsyncListBlocking)
    @rule(keys=st.lists(LIST_KEYS, min_size=1, max_size=3), left=st.booleans())
    def blocking_pop(self, keys: list[str], left: bool) -> None:
        pop = self.facet.blocking_pop_left if left else self.facet.blocking_pop_right
        got = self.do(pop(keys, timeout=0))
        key = next((k for k in keys if self.lists.get(k)), None)
        if key is None:
            assert got is None
            return
        items = self.lists[key]
        assert got == (key, items.pop(0 if left else -1))
        self._store(key, items)

    @invariant()
    def whole_lists_match(self) -> None:
        if self.has(AsyncListRange):
            for key, items in self.lists.items():
                assert self.do(self.facet.get_range(key, 0, -1)) == items


# set --------------------------------------------------------------------------------------------

SET_NAMES = ("s", "s*?[%_]\\集合")
SET_KEYS = st.sampled_from(SET_NAMES)
MEMBERS = st.sampled_from([b"", b"\x00", b"a", b"b", b"*", b"%_", "é".encode(), b"\xff"])


class AsyncSetMachine(_Machine):
    model = "set"

    def __init__(self) -> None:
        super().__init__()
        self.sets: dict[str, set[bytes]] = {}

    def _store(self, key: str, members: set[bytes]) -> None:
        if members:
            self.sets[key] = members
        else:
            self.sets.pop(key, None)

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few members, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.add(data.draw(SET_KEYS), [data.draw(MEMBERS)])

    @rule(key=SET_KEYS, members=st.lists(MEMBERS, min_size=1, max_size=5))
    def add(self, key: str, members: list[bytes]) -> None:
        current = self.sets.get(key, set())
        assert self.do(self.facet.add(key, *members)) == len(set(members) - current)
        self._store(key, current | set(members))

    @rule(key=SET_KEYS, members=st.lists(MEMBERS, min_size=1, max_size=5))
    def remove(self, key: str, members: list[bytes]) -> None:
        current = self.sets.get(key, set())
        assert self.do(self.facet.remove(key, *members)) == len(set(members) & current)
        self._store(key, current - set(members))

    @rule(key=SET_KEYS, member=MEMBERS)
    def contains(self, key: str, member: bytes) -> None:
        assert self.do(self.facet.contains(key, member)) is (member in self.sets.get(key, ()))

    @rule(key=SET_KEYS)
    def members(self, key: str) -> None:
        assert self.do(self.facet.members(key)) == self.sets.get(key, set())

    @_needs(AsyncSetOperations)
    @rule(keys=st.lists(SET_KEYS, min_size=1, max_size=3), op=st.sampled_from(["u", "i", "d"]))
    def algebra(self, keys: list[str], op: str) -> None:
        sets = [self.sets.get(k, set()) for k in keys]
        if op == "u":
            expected, got = set().union(*sets), self.do(self.facet.union(*keys))
        elif op == "i":
            expected, got = set.intersection(*sets), self.do(self.facet.intersection(*keys))
        else:
            expected, got = sets[0].difference(*sets[1:]), self.do(self.facet.difference(*keys))
        assert got == expected

    @_needs(AsyncSetOperations)
    @rule(
        destination=SET_KEYS,
        keys=st.lists(SET_KEYS, min_size=1, max_size=3),
        op=st.sampled_from(["u", "i", "d"]),
    )
    def algebra_store(self, destination: str, keys: list[str], op: str) -> None:
        sets = [self.sets.get(k, set()) for k in keys]
        if op == "u":
            expected = set().union(*sets)
            got = self.do(self.facet.union_store(destination, *keys))
        elif op == "i":
            expected = set.intersection(*sets)
            got = self.do(self.facet.intersection_store(destination, *keys))
        else:
            expected = sets[0].difference(*sets[1:])
            got = self.do(self.facet.difference_store(destination, *keys))
        assert got == len(expected)
        self._store(destination, set(expected))

    @_needs(AsyncSetCardinality)
    @rule(key=SET_KEYS, member=MEMBERS)
    def cardinality(self, key: str, member: bytes) -> None:
        assert self.do(self.facet.size(key)) == len(self.sets.get(key, ()))
        assert self.do(self.facet.is_member(key, member)) is (member in self.sets.get(key, ()))

    @_needs(AsyncSetRandom)
    @rule(key=SET_KEYS, count=st.integers(1, 4), pop=st.booleans())
    def random(self, key: str, count: int, pop: bool) -> None:
        current = self.sets.get(key, set())
        if pop:
            got = self.do(self.facet.pop_random(key, count))
        else:
            got = self.do(self.facet.random_members(key, count))
        assert len(got) == len(set(got)) == min(count, len(current))
        assert set(got) <= current
        if pop:
            self._store(key, current - set(got))

    @invariant()
    def every_set_matches(self) -> None:
        for key in SET_NAMES:
            assert self.do(self.facet.members(key)) == self.sets.get(key, set()), key


# sortedset --------------------------------------------------------------------------------------

ZSET_KEYS = st.sampled_from(["z", "z*?[%_]\\有序"])
SCORES = st.integers(-3, 3).map(float)


def _ordered(scores: Mapping[bytes, float]) -> list[tuple[bytes, float]]:
    """Ascending score, ties by member bytes."""
    return sorted(scores.items(), key=lambda item: (item[1], item[0]))


def _pairs(found: Sequence[Any]) -> list[tuple[bytes, float]]:
    return [(m.member, m.score) if hasattr(m, "member") else (m[0], m[1]) for m in found]


class AsyncSortedSetMachine(_Machine):
    model = "sortedset"

    def __init__(self) -> None:
        super().__init__()
        self.zsets: dict[str, dict[bytes, float]] = {}

    def _store(self, key: str, scores: dict[bytes, float]) -> None:
        if scores:
            self.zsets[key] = scores
        else:
            self.zsets.pop(key, None)

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few members, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.add(data.draw(ZSET_KEYS), [(data.draw(MEMBERS), data.draw(SCORES))])

    @rule(key=ZSET_KEYS, members=st.lists(st.tuples(MEMBERS, SCORES), min_size=1, max_size=5))
    def add(self, key: str, members: list[tuple[bytes, float]]) -> None:
        current = dict(self.zsets.get(key, {}))
        batch = dict(members)
        assert self.do(self.facet.add(key, batch)) == len(set(batch) - set(current))
        current.update(batch)
        self._store(key, current)

    @rule(key=ZSET_KEYS, members=st.lists(MEMBERS, min_size=1, max_size=4))
    def remove(self, key: str, members: list[bytes]) -> None:
        current = dict(self.zsets.get(key, {}))
        assert self.do(self.facet.remove(key, *members)) == len(set(members) & set(current))
        self._store(key, {m: s for m, s in current.items() if m not in members})

    @rule(key=ZSET_KEYS, member=MEMBERS)
    def score(self, key: str, member: bytes) -> None:
        assert self.do(self.facet.score(key, member)) == self.zsets.get(key, {}).get(member)
        assert self.do(self.facet.size(key)) == len(self.zsets.get(key, {}))

    @rule(key=ZSET_KEYS, member=MEMBERS, amount=st.integers(-2, 2).map(float))
    def increment(self, key: str, member: bytes, amount: float) -> None:
        current = dict(self.zsets.get(key, {}))
        current[member] = current.get(member, 0.0) + amount
        assert self.do(self.facet.increment(key, member, amount)) == current[member]
        self._store(key, current)

    @_needs(AsyncSortedSetRange)
    @rule(key=ZSET_KEYS, start=INDEXES, stop=INDEXES, reverse=st.booleans())
    def range(self, key: str, start: int, stop: int, reverse: bool) -> None:
        ordered = _ordered(self.zsets.get(key, {}))
        if reverse:
            ordered.reverse()
        first, end = _span(len(ordered), start, stop)
        got = self.do(self.facet.range(key, start, stop, reverse=reverse))
        assert _pairs(got) == ordered[first:end]

    @_needs(AsyncSortedSetRange)
    @rule(
        key=ZSET_KEYS,
        low=SCORES | st.just(-math.inf),
        high=SCORES | st.just(math.inf),
        exclusive=st.tuples(st.booleans(), st.booleans()),
        reverse=st.booleans(),
        offset=st.integers(0, 2),
        limit=st.none() | st.integers(0, 3),
    )
    def range_by_score(
        self,
        key: str,
        low: float,
        high: float,
        exclusive: tuple[bool, bool],
        reverse: bool,
        offset: int,
        limit: int | None,
    ) -> None:
        ordered = [
            (m, s)
            for m, s in _ordered(self.zsets.get(key, {}))
            if (low < s if exclusive[0] else low <= s) and (s < high if exclusive[1] else s <= high)
        ]
        if reverse:
            ordered.reverse()
        ordered = ordered[offset:]
        if limit is not None:
            ordered = ordered[:limit]
        got = self.do(
            self.facet.range_by_score(
                key,
                low,
                high,
                min_exclusive=exclusive[0],
                max_exclusive=exclusive[1],
                reverse=reverse,
                offset=offset,
                limit=limit,
            )
        )
        assert _pairs(got) == ordered

    @_needs(AsyncSortedSetRank)
    @rule(key=ZSET_KEYS, member=MEMBERS)
    def rank(self, key: str, member: bytes) -> None:
        members = [m for m, _ in _ordered(self.zsets.get(key, {}))]
        rank = members.index(member) if member in members else None
        assert self.do(self.facet.rank(key, member)) == rank
        reverse = None if rank is None else len(members) - 1 - rank
        assert self.do(self.facet.reverse_rank(key, member)) == reverse

    @_needs(AsyncSortedSetOperations)
    @rule(
        destination=st.none() | ZSET_KEYS,
        keys=st.lists(ZSET_KEYS, min_size=1, max_size=3),
        union=st.booleans(),
        weighted=st.booleans(),
        aggregate=st.sampled_from(["sum", "min", "max"]),
        data=st.data(),
    )
    def combine(
        self,
        destination: str | None,
        keys: list[str],
        union: bool,
        weighted: bool,
        aggregate: str,
        data: st.DataObject,
    ) -> None:
        weights = (
            data.draw(
                st.lists(st.integers(-2, 2).map(float), min_size=len(keys), max_size=len(keys))
            )
            if weighted
            else None
        )
        combined: dict[bytes, list[float]] = {}
        for i, key in enumerate(keys):
            for member, score in self.zsets.get(key, {}).items():
                combined.setdefault(member, []).append(score * (weights[i] if weights else 1.0))
        if not union:
            present = [set(self.zsets.get(k, {})) for k in keys]
            combined = {m: s for m, s in combined.items() if all(m in p for p in present)}
        folds: dict[str, Callable[[list[float]], float]] = {
            "sum": math.fsum,
            "min": min,
            "max": max,
        }
        fold = folds[aggregate]
        expected = {m: float(fold(s)) for m, s in combined.items()}
        if destination is None:
            op = self.facet.union if union else self.facet.intersection
            got = self.do(op(keys, weights=weights, aggregate=aggregate))
            assert _pairs(got) == _ordered(expected)
        else:
            op = self.facet.union_store if union else self.facet.intersection_store
            got = self.do(op(destination, keys, weights=weights, aggregate=aggregate))
            assert got == len(expected)
            self._store(destination, expected)

    @invariant()
    def whole_sets_match(self) -> None:
        if self.has(AsyncSortedSetRange):
            for key, scores in self.zsets.items():
                assert _pairs(self.do(self.facet.range(key, 0, -1))) == _ordered(scores)


# queue ------------------------------------------------------------------------------------------

QUEUE_NAMES = ("q", "q*%_队列")
QUEUES = st.sampled_from(QUEUE_NAMES)
DEAD_FROM, DEAD_TO, MAX_ATTEMPTS = "q", "q-dead[%]", 2
"""Dead-lettering is configured for queue ``q`` when the backend declares queue_dead_letter."""
LAPSES = (0.375, 1.125)
"""Lease and delay durations on the clocked backend: never a multiple of the clock steps, so a
deadline never coincides with the clock (the instant itself is not what these rules test)."""


class _Message:
    def __init__(self, id: str, queue: str, payload: bytes, headers: Any, priority: int) -> None:
        self.id, self.queue, self.payload, self.priority = id, queue, payload, priority
        self.headers = dict(headers or {})
        self.attempts = 0
        self.seq = 0
        self.state = "ready"  # ready, leased or delayed
        self.receipt = ""
        self.until = 0.0  # lease deadline or due time


class AsyncQueueMachine(_Machine):
    model = "queue"

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[str, _Message] = {}
        self.dead: list[tuple[_Message, int]] = []  # with the sweep that dead-lettered it
        self.leases: list[Lease] = []
        self.seq = 0
        self.sweeps = 0
        if self.has(AsyncQueueDeadLetter):
            self.do(
                self.facet.configure_dead_letter(
                    DEAD_FROM, max_attempts=MAX_ATTEMPTS, dead_letter_queue=DEAD_TO
                )
            )

    def _duration(self, data: st.DataObject) -> float:
        return data.draw(st.sampled_from(LAPSES)) if self.clocked else LONG

    def _give_back(self, message: _Message) -> None:
        """A lease lapsed or was released: back in its old place, or dead-lettered."""
        dead = self.has(AsyncQueueDeadLetter) and message.queue == DEAD_FROM
        if dead and message.attempts >= MAX_ATTEMPTS:
            del self.messages[message.id]
            self.dead.append((message, self.sweeps))
        else:
            message.state = "ready"

    def _sweep(self) -> None:
        self.sweeps += 1
        if not self.clocked:
            return
        now = self.now()
        for message in sorted(self.messages.values(), key=lambda m: m.seq):
            if message.state != "ready" and message.until <= now:
                if message.state == "leased":
                    self._give_back(message)
                else:
                    message.state = "ready"

    def _ready(self, queue: str) -> list[_Message]:
        ready = [m for m in self.messages.values() if m.queue == queue and m.state == "ready"]
        return sorted(ready, key=lambda m: (-m.priority, m.seq))

    def _check(self, got: Any, expected: _Message) -> None:
        assert got is not None, f"expected message {expected.payload!r}, got none"
        assert (got.id, got.payload, dict(got.headers), got.attempts, got.priority) == (
            expected.id,
            expected.payload,
            expected.headers,
            expected.attempts,
            expected.priority,
        )

    def _add(self, id: str, queue: str, payload: bytes, headers: Any, priority: int) -> _Message:
        assert id not in self.messages, f"message id {id!r} was handed out twice"
        message = _Message(id, queue, payload, headers, priority)
        self.seq += 1
        message.seq = self.seq
        self.messages[id] = message
        return message

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few messages, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.enqueue(data.draw(QUEUES), data.draw(PAYLOADS), data.draw(HEADERS), data)

    @rule(queue=QUEUES, payload=PAYLOADS, headers=HEADERS, data=st.data())
    def enqueue(self, queue: str, payload: bytes, headers: Any, data: st.DataObject) -> None:
        priority = 0
        if self.has(AsyncQueuePriority) and data.draw(st.booleans()):
            priority = data.draw(st.sampled_from([-(2**31), -1, 0, 1, 2**31 - 1]))
            id = self.do(self.facet.enqueue(queue, payload, headers=headers, priority=priority))
        else:
            id = self.do(self.facet.enqueue(queue, payload, headers=headers))
        self._add(id, queue, payload, headers, priority)

    @_needs(AsyncQueueDelayed)
    @rule(queue=QUEUES, payload=PAYLOADS, data=st.data())
    def enqueue_delayed(self, queue: str, payload: bytes, data: st.DataObject) -> None:
        delay = data.draw(st.sampled_from([0.0, *LAPSES])) if self.clocked else LONG
        id = self.do(self.facet.enqueue(queue, payload, delay=delay))
        message = self._add(id, queue, payload, None, 0)
        if delay:
            message.state = "delayed"
            message.until = (self.now() if self.clocked else 0.0) + delay

    @rule(queue=QUEUES)
    def dequeue(self, queue: str) -> None:
        self._sweep()
        ready = self._ready(queue)
        got = self.do(self.facet.dequeue(queue))
        if not ready:
            assert got is None
            return
        message = ready[0]
        message.attempts += 1
        self._check(got, message)
        del self.messages[message.id]

    @rule(queue=QUEUES)
    def peek(self, queue: str) -> None:
        self._sweep()
        ready = self._ready(queue)
        got = self.do(self.facet.peek(queue))
        if ready:
            self._check(got, ready[0])
        else:
            assert got is None
        assert self.do(self.facet.length(queue)) == len(ready)

    @_needs(AsyncQueueVisibility)
    @rule(queue=QUEUES, data=st.data())
    def receive(self, queue: str, data: st.DataObject) -> None:
        self._sweep()
        ready = self._ready(queue)
        timeout = self._duration(data)
        lease = self.do(self.facet.receive(queue, visibility_timeout=timeout))
        if not ready:
            assert lease is None
            return
        message = ready[0]
        message.attempts += 1
        self._check(lease.message, message)
        assert all(lease.receipt != old.receipt for old in self.leases), "a receipt came back"
        message.state, message.receipt = "leased", lease.receipt
        message.until = self.now() + timeout if self.clocked else LONG
        self.leases = [*self.leases[-5:], lease]

    def _held(self, lease: Lease) -> _Message | None:
        message = self.messages.get(lease.message.id)
        if message is not None and message.state == "leased" and message.receipt == lease.receipt:
            return message
        return None

    def _settle(self, action: str, lease: Lease, timeout: float) -> Any:
        if action == "ack":
            return self.do(self.facet.ack(lease))
        if action == "release":
            return self.do(self.facet.release(lease))
        return self.do(self.facet.extend_visibility(lease, timeout))

    @_needs(AsyncQueueVisibility)
    @precondition(lambda self: self.leases)
    @rule(data=st.data(), action=st.sampled_from(["ack", "release", "extend"]))
    def settle(self, data: st.DataObject, action: str) -> None:
        self._sweep()
        lease = data.draw(st.sampled_from(self.leases))
        message = self._held(lease)
        if message is None:
            with pytest.raises(prism.LeaseLostError):
                self._settle(action, lease, self._duration(data))
            return
        if action in ("ack", "release"):
            self._settle(action, lease, 0.0)
            if action == "ack":
                del self.messages[message.id]
            else:
                self._give_back(message)
            with pytest.raises(prism.LeaseLostError):  # settled: never a second time
                self._settle("ack", lease, 0.0)
        else:
            timeout = self._duration(data)
            renewed = self.do(self.facet.extend_visibility(lease, timeout))
            assert renewed.receipt == lease.receipt
            message.until = self.now() + timeout if self.clocked else LONG
            self.leases = [renewed if old is lease else old for old in self.leases]

    @_needs(AsyncQueueDelayed)
    @rule(queue=QUEUES)
    def scheduled_count(self, queue: str) -> None:
        self._sweep()
        waiting = [m for m in self.messages.values() if m.queue == queue and m.state == "delayed"]
        assert self.do(self.facet.scheduled_count(queue)) == len(waiting)

    @precondition(_clocked)
    @rule(seconds=st.sampled_from(STEPS))
    def advance_clock(self, seconds: float) -> None:
        self.advance(seconds)

    @_needs(AsyncQueueDeadLetter)
    @rule(redrive=st.booleans())
    def dead_letters(self, redrive: bool) -> None:
        self._sweep()
        got = self.do(self.facet.dead_letters(DEAD_FROM))
        by_id = {m.id: (m, sweep) for m, sweep in self.dead}
        assert sorted(m.id for m in got) == sorted(by_id), "dead letters differ"
        sweeps = [by_id[m.id][1] for m in got]
        assert sweeps == sorted(sweeps), "dead letters are not oldest first"
        for found in got:
            self._check(found, by_id[found.id][0])
            assert found.queue == DEAD_TO
        if redrive:
            assert self.do(self.facet.redrive(DEAD_FROM)) == len(got)
            for found in got:  # to the tail, in the order dead_letters listed them
                message = by_id[found.id][0]
                message.attempts, message.state = 0, "ready"
                self.seq += 1
                message.seq = self.seq
                self.messages[message.id] = message
            self.dead = []

    @invariant()
    def lengths_match(self) -> None:
        self._sweep()
        for queue in QUEUE_NAMES:
            assert self.do(self.facet.length(queue)) == len(self._ready(queue))


# stream -----------------------------------------------------------------------------------------

STREAMS = st.sampled_from(["s", "s*?%_流"])
GROUPS = st.sampled_from(["g", "g[%]"])
CONSUMERS = st.sampled_from(["c1", "c*\\"])


class _Group:
    def __init__(self, position: int) -> None:
        self.position = position  # the next offset a new delivery may start from
        self.pending: dict[int, list[Any]] = {}  # offset -> [consumer, deliveries, since]


class AsyncStreamMachine(_Machine):
    model = "stream"

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, list[tuple[int, bytes, dict[str, str]]]] = {}
        self.groups: dict[tuple[str, str], _Group] = {}

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few records, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.append(data.draw(STREAMS), data.draw(PAYLOADS), data.draw(HEADERS))
        if self.has(AsyncStreamConsumerGroups):  # and a group reading one stream from the start
            self.create_group_at(data.draw(STREAMS), "g", "earliest")

    @rule(stream=STREAMS, payload=PAYLOADS, headers=HEADERS)
    def append(self, stream: str, payload: bytes, headers: Any) -> None:
        offset = self.do(self.facet.append(stream, payload, headers=headers))
        log = self.records.setdefault(stream, [])
        assert isinstance(offset, int)
        assert offset >= 0
        assert not log or offset > log[-1][0], f"offset {offset} after {log[-1][0]}"
        log.append((offset, payload, dict(headers or {})))
        assert self.do(self.facet.latest_offset(stream)) == offset

    @rule(stream=STREAMS, payloads=st.lists(PAYLOADS, max_size=3), headers=HEADERS)
    def append_many(self, stream: str, payloads: list[bytes], headers: Any) -> None:
        offsets = self.do(self.facet.append_many(stream, payloads, headers=headers))
        log = self.records.setdefault(stream, [])
        assert len(offsets) == len(payloads)
        before = [log[-1][0]] if log else []
        assert before + offsets == sorted(set(before + offsets)), f"{offsets} after {before}"
        log.extend((o, p, dict(headers or {})) for o, p in zip(offsets, payloads, strict=True))
        known = log[-1][0] if log else None
        assert self.do(self.facet.latest_offset(stream)) == known

    @rule(stream=STREAMS, max_count=st.integers(1, 4), data=st.data())
    def read(self, stream: str, max_count: int, data: st.DataObject) -> None:
        log = self.records.get(stream, [])
        known = [o for o, _, _ in log]
        start = data.draw(st.sampled_from([0, *known, *(o + 1 for o in known), 10**9]))
        got = self.do(self.facet.read(stream, start, max_count=max_count))
        expected = [r for r in log if r[0] >= start][:max_count]
        assert [(r.offset, r.payload, dict(r.headers)) for r in got] == expected
        assert all(r.stream == stream for r in got)
        assert self.do(self.facet.latest_offset(stream)) == (known[-1] if known else None)

    @_needs(AsyncStreamConsumerGroups)
    @rule(stream=STREAMS, group=GROUPS, data=st.data())
    def create_group(self, stream: str, group: str, data: st.DataObject) -> None:
        known = [o for o, _, _ in self.records.get(stream, [])]
        self.create_group_at(
            stream, group, data.draw(st.sampled_from(["earliest", "latest", *known]))
        )

    def create_group_at(self, stream: str, group: str, start: Any) -> None:
        known = [o for o, _, _ in self.records.get(stream, [])]
        created = self.do(self.facet.create_group(stream, group, start=start))
        assert created is ((stream, group) not in self.groups)
        if created:
            if start == "earliest":
                position = 0
            elif start == "latest":
                position = known[-1] + 1 if known else 0
            else:
                position = int(start)
            self.groups[stream, group] = _Group(position)

    def _claim_timeout(self, data: st.DataObject) -> float:
        return data.draw(st.sampled_from(STEPS)) if self.clocked else LONG

    @_needs(AsyncStreamConsumerGroups)
    @rule(
        stream=STREAMS,
        group=GROUPS,
        consumer=CONSUMERS,
        max_count=st.integers(1, 3),
        data=st.data(),
    )
    def consume(
        self, stream: str, group: str, consumer: str, max_count: int, data: st.DataObject
    ) -> None:
        claim = self._claim_timeout(data)
        state = self.groups.get((stream, group))
        if state is None:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.consume(stream, group, consumer, max_count=max_count))
            return
        got = self.do(
            self.facet.consume(stream, group, consumer, max_count=max_count, claim_timeout=claim)
        )
        now = self.now() if self.clocked else 0.0
        expected: list[tuple[int, int]] = []
        for offset in sorted(state.pending):
            entry = state.pending[offset]
            if len(expected) < max_count and self.clocked and now - entry[2] >= claim:
                entry[:] = [consumer, entry[1] + 1, now]
                expected.append((offset, entry[1]))
        log = self.records.get(stream, [])
        for offset, _, _ in log:
            if len(expected) < max_count and offset >= state.position:
                state.pending[offset] = [consumer, 1, now]
                state.position = offset + 1
                expected.append((offset, 1))
        assert [(r.offset, r.delivery_count) for r in got] == expected
        payloads = {o: p for o, p, _ in log}
        assert all(r.payload == payloads[r.offset] for r in got)

    @_needs(AsyncStreamConsumerGroups)
    @rule(stream=STREAMS, group=GROUPS, data=st.data())
    def ack(self, stream: str, group: str, data: st.DataObject) -> None:
        state = self.groups.get((stream, group))
        if state is None:
            return
        candidates = [*state.pending, *(o for o, _, _ in self.records.get(stream, [])), 10**9]
        offsets = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=4))
        pending = {o for o in offsets if o in state.pending}
        assert self.do(self.facet.ack(stream, group, offsets)) == len(pending)
        for offset in pending:
            del state.pending[offset]

    @_needs(AsyncStreamConsumerGroups)
    @precondition(_clocked)
    @rule(seconds=st.sampled_from(STEPS))
    def advance_clock(self, seconds: float) -> None:
        self.advance(seconds)

    @invariant()
    def groups_match(self) -> None:
        for (stream, group), state in self.groups.items():
            info = self.do(self.facet.group_info(stream, group))
            assert info.pending == len(state.pending)
            held: dict[str, int] = {}
            for consumer, _, _ in state.pending.values():
                held[consumer] = held.get(consumer, 0) + 1
            for consumer in {*held, *info.consumers}:
                assert info.consumers.get(consumer, 0) == held.get(consumer, 0), consumer


# timeseries -------------------------------------------------------------------------------------

SERIES = st.sampled_from(["cpu", "cpu*%_温度"])
BASE = 1_600_000_000.0
OFFSETS = (7.0, 0.0, 3.25, 1.5, 10.0, 2.0, 0.5)
"""Timestamps are ``BASE`` plus one of these, drawn in any order (out of order on purpose)."""
TIMES = st.sampled_from(OFFSETS).map(lambda o: BASE + o)
LABELS = st.sampled_from([None, {"host": "a"}, {"host": "b*", "dc": "%_"}])
VALUES = st.integers(-5, 5).map(float)


def _bucket(timestamp: float, width: float) -> float:
    return math.floor(timestamp / width) * width


class AsyncTimeSeriesMachine(_Machine):
    model = "timeseries"

    def __init__(self) -> None:
        super().__init__()
        self.points: dict[str, dict[float, tuple[float, dict[str, str]]]] = {}

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few points, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.insert(data.draw(SERIES), data.draw(TIMES), data.draw(VALUES), data.draw(LABELS))

    @rule(series=SERIES, timestamp=TIMES, value=VALUES, labels=LABELS)
    def insert(self, series: str, timestamp: float, value: float, labels: Any) -> None:
        self.do(self.facet.insert(series, timestamp, value, labels=labels))
        self.points.setdefault(series, {})[timestamp] = (value, dict(labels or {}))

    @rule(
        series=SERIES,
        points=st.lists(st.tuples(TIMES, VALUES, st.none() | LABELS), max_size=5),
        labels=LABELS,
    )
    def insert_many(self, series: str, points: list[Any], labels: Any) -> None:
        batch = [
            (t, v) if point_labels is None else Point(t, v, point_labels or {})
            for t, v, point_labels in points
        ]
        assert self.do(self.facet.insert_many(series, batch, labels=labels)) == len(batch)
        stored = self.points.setdefault(series, {})
        for t, v, point_labels in points:
            stored[t] = (v, dict(point_labels or labels or {}))

    @rule(
        series=SERIES,
        bounds=st.tuples(TIMES, TIMES),
        labels=st.sampled_from([None, {}, {"host": "a"}, {"dc": "%_"}, {"host": "%"}]),
    )
    def query(self, series: str, bounds: tuple[float, float], labels: Any) -> None:
        start, end = bounds
        want = dict(labels or {})
        got = self.do(self.facet.query(series, start, end, labels=labels))
        expected = [
            (t, v, lab)
            for t, (v, lab) in sorted(self.points.get(series, {}).items())
            if start <= t <= end and want.items() <= lab.items()
        ]
        assert [(p.timestamp, p.value, dict(p.labels)) for p in got] == expected

    @_needs(AsyncTimeSeriesAggregation)
    @rule(
        series=SERIES,
        bounds=st.tuples(TIMES, TIMES),
        width=st.sampled_from([0.5, 1.0, 2.0, 4.0]),
        fn=st.sampled_from(["count", "sum", "min", "max", "avg", "first", "last"]),
    )
    def aggregate(self, series: str, bounds: tuple[float, float], width: float, fn: str) -> None:
        start, end = bounds
        buckets: dict[float, list[float]] = {}
        for t, (v, _) in sorted(self.points.get(series, {}).items()):
            if start <= t <= end:
                buckets.setdefault(_bucket(t, width), []).append(v)
        fold: dict[str, Any] = {
            "count": len,
            "sum": math.fsum,
            "min": min,
            "max": max,
            "avg": lambda vs: math.fsum(vs) / len(vs),
            "first": lambda vs: vs[0],
            "last": lambda vs: vs[-1],
        }
        expected = [(b, float(fold[fn](vs))) for b, vs in sorted(buckets.items())]
        got = self.do(self.facet.aggregate(series, start, end, width, fn))
        assert [p.timestamp for p in got] == [b for b, _ in expected]
        for point, (_, value) in zip(got, expected, strict=True):
            assert point.value == pytest.approx(value)

    @_needs(AsyncTimeSeriesRetention)
    @precondition(_clocked)
    @rule(series=SERIES, keep_from=st.sampled_from(OFFSETS))
    def compact(self, series: str, keep_from: float) -> None:
        # One rule sets, applies and clears the retention: until a compaction, points past it
        # may or may not be returned, which a model cannot pin.
        max_age = self.now() - (BASE + keep_from)
        self.do(self.facet.set_retention(series, max_age))
        assert self.do(self.facet.get_retention(series)) == max_age
        stored = self.points.get(series, {})
        old = [t for t in stored if self.now() - t > max_age]
        assert self.do(self.facet.compact(series)) == len(old)
        for t in old:
            del stored[t]
        self.do(self.facet.set_retention(series, None))

    @invariant()
    def everything_matches(self) -> None:
        for series, stored in self.points.items():
            got = self.do(self.facet.query(series, BASE - 1, BASE + 100))
            assert [(p.timestamp, p.value) for p in got] == [
                (t, v) for t, (v, _) in sorted(stored.items())
            ]


# graph ------------------------------------------------------------------------------------------

NODE_IDS = st.sampled_from(["n1", "n*", "n%_", "节点", "n\\"])
EDGE_NAMES = ("e1", "e2", "e*?", "e%_")
EDGE_IDS = st.sampled_from(EDGE_NAMES)
EDGE_LABELS = st.sampled_from(["knows", "owns"])


class AsyncGraphMachine(_Machine):
    model = "graph"

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[str, tuple[str, dict[str, Any]]] = {}
        self.edges: dict[str, tuple[str, str, str, dict[str, Any]]] = {}

    @initialize(ids=st.lists(NODE_IDS, min_size=2, max_size=4, unique=True))
    def seed_nodes(self, ids: list[str]) -> None:
        """Start from a few nodes and one edge between the first two, so edges (which need both
        ends) and deleting a node that has edges come early in every run."""
        for id in ids:
            self.add_node(id, "person", None)
        self.add_edge(EDGE_NAMES[0], ids[0], ids[1], "knows", 1)

    @rule(id=NODE_IDS, label=st.sampled_from(["person", "thing"]), age=st.none() | VALUES)
    def add_node(self, id: str, label: str, age: float | None) -> None:
        properties = {} if age is None else {"age": age}
        if id in self.nodes:
            with pytest.raises(prism.ConflictError):
                self.do(self.facet.add_node(id, label, properties))
            return
        node = self.do(self.facet.add_node(id, label, properties))
        assert (node.id, node.label, dict(node.properties)) == (id, label, properties)
        self.nodes[id] = (label, properties)

    @rule(
        id=EDGE_IDS,
        source=NODE_IDS,
        to=NODE_IDS,
        label=EDGE_LABELS,
        weight=st.integers(0, 3),
    )
    def add_edge(self, id: str, source: str, to: str, label: str, weight: int) -> None:
        target = to  # hypothesis reserves the argument name ``target``
        properties = {"w": weight}
        missing = source not in self.nodes or target not in self.nodes
        if id in self.edges or missing:
            errors: Any = (prism.ConflictError, prism.NotFoundError)
            if id not in self.edges:
                errors = prism.NotFoundError
            elif not missing:
                errors = prism.ConflictError
            with pytest.raises(errors):
                self.do(self.facet.add_edge(id, source, target, label, properties))
            return
        edge = self.do(self.facet.add_edge(id, source, target, label, properties))
        assert (edge.id, edge.source, edge.target, edge.label) == (id, source, target, label)
        self.edges[id] = (source, target, label, properties)

    @rule(id=NODE_IDS)
    def get_node(self, id: str) -> None:
        if id not in self.nodes:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.get_node(id))
            return
        node = self.do(self.facet.get_node(id))
        assert (node.label, dict(node.properties)) == self.nodes[id]

    @rule(id=EDGE_IDS)
    def get_edge(self, id: str) -> None:
        if id not in self.edges:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.get_edge(id))
            return
        edge = self.do(self.facet.get_edge(id))
        assert (edge.source, edge.target, edge.label, dict(edge.properties)) == self.edges[id]

    @rule(id=NODE_IDS)
    def delete_node(self, id: str) -> None:
        assert self.do(self.facet.delete_node(id)) is (id in self.nodes)
        self.nodes.pop(id, None)
        self.edges = {e: v for e, v in self.edges.items() if id not in (v[0], v[1])}

    @rule(id=EDGE_IDS)
    def delete_edge(self, id: str) -> None:
        assert self.do(self.facet.delete_edge(id)) is (id in self.edges)
        self.edges.pop(id, None)

    @invariant()
    def graph_matches(self) -> None:
        """Every edge the model holds, and no other, is there; with traversal, every node's
        neighbourhood (an edge left dangling by a deleted node shows up once it is re-added)."""
        for id in EDGE_NAMES:
            if id in self.edges:
                assert self.do(self.facet.get_edge(id)).source == self.edges[id][0]
            else:
                with pytest.raises(prism.NotFoundError):
                    self.do(self.facet.get_edge(id))
        if self.has(AsyncGraphTraversal):
            for node in self.nodes:
                got = self.do(self.facet.traverse(node, direction="both", max_depth=1))
                assert [n.id for n in got] == [
                    node,
                    *(n for n in self._neighbours(node, "both", None) if n != node),
                ]

    def _neighbours(self, node: str, direction: str, labels: Sequence[str] | None) -> list[str]:
        found = set()
        for source, target, label, _ in self.edges.values():
            if labels is not None and label not in labels:
                continue
            if source == node and direction in ("out", "both"):
                found.add(target)
            if target == node and direction in ("in", "both"):
                found.add(source)
        return sorted(found)

    @_needs(AsyncGraphTraversal)
    @rule(
        start=NODE_IDS,
        direction=st.sampled_from(["out", "in", "both"]),
        labels=st.none() | st.lists(EDGE_LABELS, max_size=2),
        max_depth=st.none() | st.integers(0, 2),
        order=st.sampled_from(["bfs", "dfs"]),
    )
    def traverse(
        self,
        start: str,
        direction: str,
        labels: list[str] | None,
        max_depth: int | None,
        order: str,
    ) -> None:
        if start not in self.nodes:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.traverse(start))
            return
        limit = math.inf if max_depth is None else max_depth
        visited: list[str] = []
        if order == "bfs":
            seen, frontier, depth = {start}, [start], 0
            while frontier:
                visited.extend(frontier)
                if depth >= limit:
                    break
                following = []
                for node in frontier:
                    for nb in self._neighbours(node, direction, labels):
                        if nb not in seen:
                            seen.add(nb)
                            following.append(nb)
                frontier, depth = following, depth + 1
        else:

            def visit(node: str, depth: int) -> None:
                visited.append(node)
                if depth < limit:
                    for nb in self._neighbours(node, direction, labels):
                        if nb not in visited:
                            visit(nb, depth + 1)

            visit(start, 0)
        got = self.do(
            self.facet.traverse(
                start, direction=direction, edge_labels=labels, max_depth=max_depth, order=order
            )
        )
        assert [n.id for n in got] == visited

    @_needs(AsyncGraphAnalytics)
    @rule(source=NODE_IDS, to=NODE_IDS)
    def analytics(self, source: str, to: str) -> None:
        target = to
        components: list[set[str]] = []
        for node in sorted(self.nodes):
            if any(node in c for c in components):
                continue
            component, todo = {node}, [node]
            while todo:
                for nb in self._neighbours(todo.pop(), "both", None):
                    if nb not in component:
                        component.add(nb)
                        todo.append(nb)
            components.append(component)
        got = self.do(self.facet.connected_components())
        assert sorted(map(sorted, got)) == sorted(map(sorted, components))
        if source not in self.nodes or target not in self.nodes:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.shortest_path(source, target))
            return
        distance, frontier = {source: 0}, [source]
        while frontier:
            following = []
            for node in frontier:
                for nb in self._neighbours(node, "out", None):
                    if nb not in distance:
                        distance[nb] = distance[node] + 1
                        following.append(nb)
            frontier = following
        path = self.do(self.facet.shortest_path(source, target))
        if target not in distance:
            assert path is None
            return
        assert path is not None
        assert (path[0], path[-1]) == (source, target)
        assert len(path) == distance[target] + 1
        for a, b in itertools.pairwise(path):
            assert b in self._neighbours(a, "out", None), f"{path} is not a path"


# document ---------------------------------------------------------------------------------------

COLLECTIONS = st.sampled_from(["c", "c*%_文档"])
DOC_IDS = st.sampled_from(["d1", "d*?", "d%_", "文", "d\\"])
SCALARS = st.sampled_from([0, 1, 1.0, 2.5, -3, True, False, None, "", "a", "b*", "%_", "é"])
FIELDS = ("n", "s", "o.x")
MISSING = object()


def _documents() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "n": SCALARS,
            "s": SCALARS,
            "o": st.fixed_dictionaries({}, optional={"x": SCALARS, "y": SCALARS}),
        },
    )


def _json_eq(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value, booleans are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_eq(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_json_eq, a, b))
    same_kind = type(a) is type(b) or (_is_number(a) and _is_number(b))
    return same_kind and a == b


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _field(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _condition(value: Any, op: str, operand: Any) -> bool:
    if op == "$eq":
        if operand is None:
            return value is None or value is MISSING
        return value is not MISSING and _json_eq(value, operand)
    if op == "$ne":
        return not _condition(value, "$eq", operand)
    if op == "$in":
        return any(_condition(value, "$eq", o) for o in operand)
    if op == "$nin":
        return not _condition(value, "$in", operand)
    if op == "$exists":
        return (value is not MISSING) is operand
    if _is_number(operand):
        if not _is_number(value):
            return False
    elif not (isinstance(operand, str) and isinstance(value, str)):
        return False
    outcome = {"$gt": value > operand, "$gte": value >= operand, "$lt": value < operand}
    return bool(outcome.get(op, value <= operand))


def _merge(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(merged.get(key), value)
    return merged


@st.composite
def _filters(draw: st.DrawFn) -> tuple[str, str, Any]:
    field = draw(st.sampled_from([*FIELDS, "absent"]))
    op = draw(
        st.sampled_from(["$eq", "$ne", "$in", "$nin", "$exists", "$gt", "$gte", "$lt", "$lte"])
    )
    if op in ("$in", "$nin"):
        operand: Any = draw(st.lists(SCALARS, max_size=3))
    elif op == "$exists":
        operand = draw(st.booleans())
    elif op.startswith(("$gt", "$lt")):
        operand = draw(st.sampled_from([0, 1, 1.0, -3, 2.5, "", "a", "b"]))
    else:
        operand = draw(SCALARS)
    return field, op, operand


class AsyncDocumentMachine(_Machine):
    model = "document"

    def __init__(self) -> None:
        super().__init__()
        self.docs: dict[str, dict[str, dict[str, Any]]] = {}

    def _same(self, got: Any, expected: dict[str, Any]) -> None:
        assert _json_eq(dict(got), expected), f"{got!r} != {expected!r}"

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        """Start each example from a few documents, so the rules that need some meet them early."""
        for _ in range(data.draw(st.integers(2, 4), label="seeded")):
            self.insert(data.draw(COLLECTIONS), data.draw(DOC_IDS), data.draw(_documents()))

    @rule(collection=COLLECTIONS, id=DOC_IDS, document=_documents())
    def insert(self, collection: str, id: str, document: dict[str, Any]) -> None:
        stored = self.docs.setdefault(collection, {})
        if id in stored:
            with pytest.raises(prism.ConflictError):
                self.do(self.facet.insert(collection, document, id=id))
            return
        assert self.do(self.facet.insert(collection, document, id=id)) == id
        stored[id] = {**document, "_id": id}

    @rule(collection=COLLECTIONS, id=DOC_IDS)
    def get(self, collection: str, id: str) -> None:
        stored = self.docs.get(collection, {})
        if id not in stored:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.get(collection, id))
            return
        self._same(self.do(self.facet.get(collection, id)), stored[id])

    @rule(collection=COLLECTIONS, id=DOC_IDS, document=_documents())
    def replace(self, collection: str, id: str, document: dict[str, Any]) -> None:
        stored = self.docs.get(collection, {})
        if id not in stored:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.replace(collection, id, document))
            return
        self.do(self.facet.replace(collection, id, document))
        stored[id] = {**document, "_id": id}

    @rule(collection=COLLECTIONS, id=DOC_IDS, patch=_documents())
    def update(self, collection: str, id: str, patch: dict[str, Any]) -> None:
        stored = self.docs.get(collection, {})
        if id not in stored:
            with pytest.raises(prism.NotFoundError):
                self.do(self.facet.update(collection, id, patch))
            return
        stored[id] = _merge(stored[id], patch)
        self._same(self.do(self.facet.update(collection, id, patch)), stored[id])

    @rule(collection=COLLECTIONS, id=DOC_IDS)
    def delete(self, collection: str, id: str) -> None:
        stored = self.docs.get(collection, {})
        assert self.do(self.facet.delete(collection, id)) is (id in stored)
        stored.pop(id, None)

    @_needs(AsyncDocumentQuery)
    @rule(collection=COLLECTIONS, conditions=st.lists(_filters(), max_size=2))
    def find(self, collection: str, conditions: list[tuple[str, str, Any]]) -> None:
        query = {"$and": [{f: {op: operand}} for f, op, operand in conditions]}
        expected = sorted(
            id
            for id, document in self.docs.get(collection, {}).items()
            if all(_condition(_field(document, f), op, o) for f, op, o in conditions)
        )
        flt = query if conditions else None
        got = self.do(self.facet.find(collection, flt, sort=[("_id", 1)]))
        assert [d["_id"] for d in got] == expected, f"filter {flt}"
        assert self.do(self.facet.count(collection, flt)) == len(expected)


# pubsub -----------------------------------------------------------------------------------------

TOPICS = st.sampled_from(["t", "t%_", "话题"])
WAIT = 10.0
"""The most a ``get`` waits for a message the model says is due; a correct backend returns at
once (memstore) or within milliseconds."""


class AsyncPubSubMachine(_Machine):
    model = "pubsub"

    def __init__(self) -> None:
        super().__init__()
        self.subscriptions: list[tuple[AsyncSubscription, str, list[tuple[bytes, dict[str, str]]]]]
        self.subscriptions = []
        self.sentinels = 0

    @precondition(lambda self: len(self.subscriptions) < 4)
    @rule(topic=TOPICS)
    def subscribe(self, topic: str) -> None:
        self.subscriptions.append((self.do(self.facet.subscribe(topic)), topic, []))

    @precondition(lambda self: self.subscriptions)
    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(self.subscriptions) - 1))
        subscription, _, _ = self.subscriptions.pop(index)
        self.do(subscription.close())
        assert subscription.closed
        assert self.do(subscription.get(0)) is None

    @rule(topic=TOPICS, payload=PAYLOADS, headers=HEADERS)
    def publish(self, topic: str, payload: bytes, headers: Any) -> None:
        self.do(self.facet.publish(topic, payload, headers=headers))
        for _, subscribed, expected in self.subscriptions:
            if subscribed == topic:
                expected.append((payload, dict(headers or {})))

    @rule()
    def drain(self) -> None:
        """Every subscription receives exactly what was published to its topic while it was
        active, in order: a sentinel published last must come right after the expected ones."""
        self.sentinels += 1
        for topic in {t for _, t, _ in self.subscriptions}:
            self.publish(topic, f"sentinel {self.sentinels}".encode(), None)
        for subscription, topic, expected in self.subscriptions:
            for payload, headers in expected:
                message = self.do(subscription.get(WAIT))
                assert message is not None, f"a message to {topic!r} never arrived"
                assert (message.topic, message.payload, dict(message.headers)) == (
                    topic,
                    payload,
                    headers,
                )
            expected.clear()

    def teardown(self) -> None:
        try:
            self.drain()
            for subscription, _, _ in self.subscriptions:
                self.do(subscription.close())
        finally:
            super().teardown()


# the suite --------------------------------------------------------------------------------------

MACHINES: dict[str, type[_Machine]] = {
    "keyvalue_basic": AsyncKeyValueMachine,
    "pubsub_basic": AsyncPubSubMachine,
    "stream_basic": AsyncStreamMachine,
    "queue_basic": AsyncQueueMachine,
    "list_basic": AsyncListMachine,
    "set_basic": AsyncSetMachine,
    "sortedset_basic": AsyncSortedSetMachine,
    "timeseries_basic": AsyncTimeSeriesMachine,
    "graph_basic": AsyncGraphMachine,
    "document_basic": AsyncDocumentMachine,
}
"""Basic interface of each data model → its state machine."""


class AsyncStatefulSuite(AsyncSuite):
    """Adds ``test_stateful_model`` to a basic interface's suite class (see ``_collect``).

    The test is a plain function in both flavours: the async machine owns its event loop."""

    def test_stateful_model(self) -> None:
        machine = MACHINES[self.interface]
        bound = type(machine.__name__, (machine,), {"bound_target": self.target})
        with storage_outside_cwd():
            run_state_machine_as_test(bound, settings=SETTINGS)
