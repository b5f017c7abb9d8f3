"""The in-process store behind memstore: shared by the sync and async facets of a process.

One :class:`Store` per connection string (``memory://<name>``) lives for the whole process, like
a server would: every namespace opened on ``memory://default`` — sync or async — sees the same
data.  All state is guarded by one re-entrant lock; operations are short, so holding it never
blocks an event loop noticeably; yet async calls hand control to the event loop as I/O
would (:func:`yield_per_call`), so polling memstore never starves the other tasks.  Waiting
(blocking pops, queue waits, stream reads, subscriptions) goes through :class:`Waiters`, which
wakes threads and asyncio tasks alike, and only those waiting for what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from prism.interfaces._base import Around

__all__ = [
    "Clock",
    "ManualClock",
    "Signal",
    "Store",
    "Waiters",
    "get_store",
    "yield_per_call",
]

T = TypeVar("T")
Clock = Callable[[], float]
"""Returns the current time in epoch seconds."""


class ManualClock:
    """A clock that moves only when told to: ``clock.advance(5)``.  Thread-safe."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
        self._moved()

    def set(self, now: float) -> None:
        with self._lock:
            self._now = now
        self._moved()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever the time moves (stores wake their waiters with it)."""
        with self._lock:
            self._listeners.append(listener)

    def _moved(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


_WakeHook = Callable[[tuple[Hashable, ...]], None]


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class _Waiter:
    """One thread or task waiting for any of ``keys``; woken through ``cond`` (a thread) or
    ``fut`` (a task, replaced by each round of waiting)."""

    __slots__ = ("cond", "fut", "keys", "loop")

    def __init__(
        self,
        keys: tuple[Hashable, ...],
        cond: threading.Condition | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.keys = keys
        self.cond = cond
        self.loop = loop
        self.fut: asyncio.Future[None] | None = None


class Waiters:
    """Threads and asyncio tasks waiting for something to happen in the store, by key.

    A key names what a waiter waits for — ``("queue", namespace, name)``, ``("list", namespace,
    key)``, one pubsub subscription — and :meth:`notify` wakes the waiters of that key only, so a
    push to queue A never disturbs the waiters of queue B.  ``fn`` passed to :meth:`wait` /
    :meth:`wait_async` runs under the store lock and returns a result (done) or None (keep
    waiting); whatever it takes, it takes atomically, so one element goes to exactly one waiter.
    A waiter registers under the lock before it sleeps and a notifier holds the lock, so no
    wake-up is lost between a look and the sleep.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._by_key: dict[Hashable, set[_Waiter]] = {}
        self.on_wake: _WakeHook | None = None
        """Test hook: called with the keys of every waiter a notification wakes."""

    def _add(self, waiter: _Waiter) -> None:
        for key in waiter.keys:
            self._by_key.setdefault(key, set()).add(waiter)

    def _remove(self, waiter: _Waiter) -> None:
        for key in waiter.keys:
            found = self._by_key.get(key)
            if found is not None:
                found.discard(waiter)
                if not found:
                    del self._by_key[key]

    def _wake(self, waiter: _Waiter) -> None:
        if waiter.cond is not None:
            if self.on_wake is not None:
                self.on_wake(waiter.keys)
            waiter.cond.notify()
            return
        fut, loop = waiter.fut, waiter.loop
        if fut is None or loop is None or fut.done():
            return
        if self.on_wake is not None:
            self.on_wake(waiter.keys)
        if asyncio._get_running_loop() is loop:  # the notifier runs on the waiter's loop
            fut.set_result(None)
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed
            loop.call_soon_threadsafe(_wake, fut)

    def waiting(self, key: Hashable | None = None) -> int:
        """How many threads and tasks wait for ``key`` now (for anything, without a key)."""
        with self._lock:
            if key is None:
                return len(set().union(*self._by_key.values()))
            return len(self._by_key.get(key, ()))

    def notify(self, key: Hashable) -> None:
        """Wake the waiters of ``key``.  Call with the store lock held."""
        found = self._by_key.get(key)
        if found:
            for waiter in tuple(found):
                self._wake(waiter)

    def notify_all(self) -> None:
        """Wake every waiter (the clock moved).  Call with the store lock held."""
        everyone: set[_Waiter] = set()
        for found in self._by_key.values():
            everyone.update(found)
        for waiter in everyone:
            self._wake(waiter)

    def wait(
        self, keys: tuple[Hashable, ...], fn: Callable[[], T | None], timeout: float | None
    ) -> T | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            result = fn()
            if result is not None or (timeout is not None and timeout <= 0):
                return result
            cond = threading.Condition(self._lock)
            waiter = _Waiter(keys, cond=cond)
            self._add(waiter)
            try:
                while True:
                    if deadline is None:
                        cond.wait()
                    else:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            return None
                        cond.wait(remaining)
                    result = fn()
                    if result is not None:
                        return result
            finally:
                self._remove(waiter)

    async def wait_async(
        self, keys: tuple[Hashable, ...], fn: Callable[[], T | None], timeout: float | None
    ) -> T | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        if timeout is not None and timeout <= 0:
            with self._lock:
                return fn()
        waiter = _Waiter(keys, loop=loop)
        try:
            while True:
                with self._lock:
                    result = fn()
                    if result is not None:
                        return result
                    fut = waiter.fut = loop.create_future()
                    self._add(waiter)
                if deadline is None:
                    await fut
                    continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    with self._lock:
                        return fn()
                try:
                    async with asyncio.timeout(remaining):
                        await fut
                except TimeoutError:
                    with self._lock:
                        return fn()
        finally:
            with self._lock:
                self._remove(waiter)


class Signal:
    """A private wake-up channel on a store's :class:`Waiters` (one pubsub subscription)."""

    __slots__ = ("_key", "_waiters")

    def __init__(self, waiters: Waiters) -> None:
        self._waiters = waiters
        self._key = object()

    def notify_all(self) -> None:
        """Wake this channel's waiters.  Call with the store lock held."""
        self._waiters.notify(self._key)

    def wait(self, fn: Callable[[], T | None], timeout: float | None) -> T | None:
        return self._waiters.wait((self._key,), fn, timeout)

    async def wait_async(self, fn: Callable[[], T | None], timeout: float | None) -> T | None:
        return await self._waiters.wait_async((self._key,), fn, timeout)


YIELD_EVERY = 256
"""A call that found something still yields at least once every this many calls (1: always).
A yield is one turn of the event loop, a few µs: every 32 calls (until 2026-12-01) that was
about 0.12 µs a call, every 256 about 0.015.  256 calls are about 0.1 ms of memstore work, the
longest another task of the loop then waits."""

_YIELDS = "__memstore_yields__"


_LEFT = [YIELD_EVERY]
"""memstore async calls left before the next forced yield (process-wide; approximate across
threads, which only makes a yield come sooner).  A one-item list that the code of
:func:`_yield_around` shares, fused or wrapped."""


def _returns_nothing(func: Callable[..., Any]) -> bool:
    """Whether ``func`` is declared ``-> None`` (a write: nothing a poll could look at)."""
    returns = inspect.unwrap(func).__annotations__.get("return", "?")
    return returns is None or returns == "None"


_BEFORE = """
_prism_left[0] -= 1
if _prism_left[0] <= 0:
    _prism_left[0] = _prism_every
    await _prism_sleep(0)
"""
_AFTER = """
if not _prism_r:  # None, empty, 0, False: what a poll sees while it waits
    _prism_left[0] = _prism_every
    await _prism_sleep(0)
"""


def _yield_around(func: Callable[..., Any]) -> Around:
    """The yields of an async memstore call: one every :data:`YIELD_EVERY` calls, before the
    checks, and for a method that returns something, one after a falsy result.  Fused into a
    checked method's own coroutine, the second comes once the body has left every ``try`` and
    ``with`` (no lock is held across it); elsewhere :meth:`Around.wrap` runs them round the
    method.  Fused, a call is one coroutine instead of two: an async ``get`` took 0.47 µs
    wrapped, 0.36 µs fused (both yielding every 32 calls)."""
    from prism.interfaces._base import Around  # here, as in yield_per_call

    env = {"_prism_left": _LEFT, "_prism_every": YIELD_EVERY, "_prism_sleep": asyncio.sleep}
    after = None if _returns_nothing(func) else _AFTER
    return Around(_BEFORE, after, env)


def _yielding(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with the yields of :func:`_yield_around` round it (marked as done)."""
    wrapper = _yield_around(func).wrap(func)
    setattr(wrapper, _YIELDS, True)
    return wrapper


# as the first decorator of a checked method not built yet, its yields are fused into the
# method's own body instead (see prism.interfaces._base.decorate_checked)
_yielding.__prism_around__ = _yield_around  # type: ignore[attr-defined]


def yield_per_call(classes: Iterable[type]) -> None:
    """Make the public coroutine methods of ``classes`` hand control to the event loop.

    memstore does no I/O, so an awaited call would otherwise never suspend: a task polling an
    empty queue in a loop (``while not await q.dequeue("jobs"): ...``) would starve every other
    task of its loop — the producer it waits for included — where the same code on a server
    backend runs fine.  So a call yields to the loop when it finds nothing (its result is None,
    empty, 0 or False), and any call — one that found something, a write, one that raised —
    yields at least once every :data:`YIELD_EVERY` calls: every polling loop lets the other
    tasks run.  (Yielding on every call, as a round trip would, costs a loop iteration per call,
    several times the work of a memstore call; see ``benchmarks/bench_memstore.py``.)  Sync
    classes have no coroutine methods and are left as they are.
    """
    from prism.interfaces._base import decorate_checked, unbuilt

    for cls in classes:
        for name, attr in list(vars(cls).items()):
            own = unbuilt(attr)
            if own is not None:  # a checked method built on first use: fused when built
                if not name.startswith("_") and inspect.iscoroutinefunction(own):
                    decorate_checked(cls, name, _yielding)
                continue
            if name.startswith("_") or not inspect.iscoroutinefunction(attr):
                continue
            if getattr(attr, _YIELDS, False):
                continue
            setattr(cls, name, _yielding(attr))


class Store:
    """All data of one ``memory://`` connection.

    ``sections`` holds one dict per data model (``store.section("keyvalue")``), each mapping a
    namespace to that model's state for the namespace.
    """

    def __init__(self, name: str, clock: Clock | None = None) -> None:
        self.name = name
        self.lock = threading.RLock()
        self.waiters = Waiters(self.lock)
        self._sections: dict[str, dict[str, Any]] = {}
        self.clock: Clock = time.time
        self.use_clock(clock)

    def use_clock(self, clock: Clock | None) -> None:
        """Switch clocks; a :class:`ManualClock` wakes this store's waiters when it moves, so a
        delayed message or a lapsed lease is noticed at once."""
        self.clock = clock or time.time
        if isinstance(clock, ManualClock):
            clock.on_change(self.wake)

    def wake(self) -> None:
        """Wake every waiter to re-check its condition (the time moved)."""
        with self.lock:
            self.waiters.notify_all()

    def section(self, model: str) -> dict[str, Any]:
        with self.lock:
            return self._sections.setdefault(model, {})

    def namespace_state(self, model: str, namespace: str, factory: Callable[[], T]) -> T:
        """The state of ``model`` for ``namespace``, created by ``factory`` on first use."""
        with self.lock:
            section = self._sections.setdefault(model, {})
            state = section.get(namespace)
            if state is None:
                state = section[namespace] = factory()
            return state

    def now(self) -> float:
        return self.clock()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def get_store(name: str, clock: Clock | None = None) -> Store:
    """The process-wide store named ``name``, created on first use.

    A ``clock`` given when the store already exists replaces its clock (tests inject a
    :class:`ManualClock` this way).
    """
    with _stores_lock:
        store = _stores.get(name)
        if store is None:
            store = _stores[name] = Store(name, clock)
        elif clock is not None and clock is not store.clock:
            store.use_clock(clock)
        return store


def drop_store(name: str) -> None:
    """Forget a store and all its data."""
    with _stores_lock:
        _stores.pop(name, None)
