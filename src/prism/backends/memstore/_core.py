"""The in-process store behind memstore: shared by the sync and async facets of a process.

One :class:`Store` per connection string (``memory://<name>``) lives for the whole process, like
a server would: every namespace opened on ``memory://default`` — sync or async — sees the same
data.  All state is guarded by one re-entrant lock; operations are short, so holding it never
blocks an event loop noticeably.  Waiting (blocking pops, queue waits, subscriptions) goes
through :class:`Signal`, which wakes threads and asyncio tasks alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["Clock", "ManualClock", "Signal", "Store", "get_store"]

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


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Signal:
    """A condition variable that threads and asyncio tasks can both wait on.

    ``fn`` passed to :meth:`wait` / :meth:`wait_async` runs under the store lock and returns a
    result (done) or None (keep waiting); whatever it takes, it takes atomically, so one element
    goes to exactly one waiter.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._cond = threading.Condition(lock)
        self._futures: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    def notify_all(self) -> None:
        """Wake every waiter.  Call with the store lock held."""
        self._cond.notify_all()
        if self._futures:
            futures, self._futures = self._futures, set()
            for loop, fut in futures:
                with contextlib.suppress(RuntimeError):  # the loop is closed
                    loop.call_soon_threadsafe(_wake, fut)

    def wait(self, fn: Callable[[], T | None], timeout: float | None) -> T | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while True:
                result = fn()
                if result is not None:
                    return result
                if deadline is None:
                    self._cond.wait()
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    async def wait_async(self, fn: Callable[[], T | None], timeout: float | None) -> T | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            with self._lock:
                result = fn()
                if result is not None:
                    return result
                fut: asyncio.Future[None] = loop.create_future()
                entry = (loop, fut)
                self._futures.add(entry)
            try:
                if deadline is None:
                    await fut
                else:
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
                    self._futures.discard(entry)


class Store:
    """All data of one ``memory://`` connection.

    ``sections`` holds one dict per data model (``store.section("keyvalue")``), each mapping a
    namespace to that model's state for the namespace.
    """

    def __init__(self, name: str, clock: Clock | None = None) -> None:
        self.name = name
        self.lock = threading.RLock()
        self.signal = Signal(self.lock)
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
            self.signal.notify_all()

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
