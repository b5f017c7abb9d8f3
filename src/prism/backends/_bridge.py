"""The one bridge between prism's two flavours and a driver that speaks only the other one.

prism serves every interface both as blocking calls and as coroutines.  Most drivers give both
(redis-py, psycopg); some give only one.  Backends over such drivers use exactly one of the two
classes here, never a bridge of their own:

* :class:`WorkerPool` — **async over a sync-only driver** (boto3, minio, clickhouse-driver, chdb,
  gremlinpython's blocking API).  Each call runs on a bounded pool of threads; the event loop
  only awaits the result.  The pool is made lazily, so a backend object costs no thread until its
  first async call, and anew after ``fork()`` (a child never reuses its parent's threads).
  ``max_workers`` bounds the calls in flight per backend object: further calls queue up, which is
  the back-pressure a connection pool of that size would give.

* :class:`LoopThread` — **sync over an async-only driver** (nats-py).  One background thread per
  process runs an event loop; a blocking call submits its coroutine there and waits for the
  result.  The thread starts on first use, stops at interpreter exit (or :meth:`LoopThread.stop`),
  and is started anew in a child after ``fork()``.  A blocking call made *from inside* that loop
  would wait for itself forever; it is refused with :class:`~prism.errors.UnsupportedError`
  instead.  A blocking call made from inside any *other* running event loop is allowed: it blocks
  that loop as every blocking driver does.

Objects a driver binds to an event loop (nats-py's client, its subscriptions) belong to the
bridge's loop: create them with :meth:`LoopThread.run` and use them only through it.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import os
import queue
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from prism.errors import ConfigurationError, UnsupportedError

__all__ = ["LoopThread", "WorkerPool"]

T = TypeVar("T")
P = ParamSpec("P")


_Call = tuple[
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    # on the caller's loop; the caller may have stopped waiting (cancelled) meanwhile
    if future.done():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _hand_back(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    with contextlib.suppress(RuntimeError):  # the caller's loop is closed: nobody waits
        loop.call_soon_threadsafe(_settle, future, result, error)


def _cancel(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any]) -> None:
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting
        loop.call_soon_threadsafe(future.cancel)


_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@atexit.register
def _finish_pools() -> None:
    """At interpreter exit, let calls already running finish (the workers are daemon threads,
    so an idle one never holds the exit up)."""
    for pool in list(_POOLS):
        pool.close(wait=True)


class WorkerPool:
    """Runs blocking calls on a bounded, lazily made pool of threads (async over sync).

    A call is queued with the caller's loop and a future of that loop; a worker runs it and
    hands the outcome back with one ``call_soon_threadsafe``.  This is lighter than
    ``loop.run_in_executor`` (no ``concurrent.futures.Future`` chained to an asyncio one):
    about 48 µs a round trip against 64 µs (medians) on the project's 2-core machine."""

    __slots__ = (
        "__weakref__",
        "_idle",
        "_lock",
        "_pid",
        "_queue",
        "_threads",
        "max_workers",
        "name",
    )

    def __init__(self, name: str, max_workers: int = 8) -> None:
        if max_workers < 1:
            msg = f"max_workers must be at least 1, got {max_workers}"
            raise ConfigurationError(msg)
        self.name = name
        self.max_workers = max_workers
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Call | None]
        self._threads: list[threading.Thread]
        self._idle: threading.Semaphore
        """Released by each worker waiting for a call: a call that can take a release needs
        no new thread."""
        self._pid: int
        self._renew()

    def _renew(self) -> None:
        """Start over with no workers: at first, after ``fork()``, at ``close()``."""
        self._queue, self._threads = queue.SimpleQueue(), []
        self._idle = threading.Semaphore(0)
        self._pid = os.getpid()

    def _work(self, calls: queue.SimpleQueue[_Call | None], idle: threading.Semaphore) -> None:
        get = calls.get
        while True:
            call = get()
            if call is None:  # close(): this worker is done
                return
            loop, future, ctx, fn, args, kwargs = call
            del call
            if not future.cancelled():  # a caller that stopped waiting before it ran
                try:
                    result = ctx.run(fn, *args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 (handed to the caller, as raised)
                    _hand_back(loop, future, None, exc)
                    del exc
                else:
                    _hand_back(loop, future, result, None)
                    del result
            del loop, future, ctx, fn, args, kwargs
            idle.release()

    def _start(self) -> None:
        """Another worker when none is idle and the bound allows (``_lock`` held)."""
        if self._pid != os.getpid():  # after fork() the parent's threads do not exist here
            self._renew()
        # a full pool starts nothing, so it need not count idle workers: the bound is looked
        # at first (``Semaphore.acquire`` is Python code, about 1 µs of every call's hop)
        if len(self._threads) >= self.max_workers or self._idle.acquire(blocking=False):
            return
        thread = threading.Thread(
            target=self._work,
            args=(self._queue, self._idle),
            name=f"prism-{self.name}_{len(self._threads)}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)
        _POOLS.add(self)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on a worker thread, with the caller's context variables."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            self._start()
            self._queue.put((loop, future, contextvars.copy_context(), fn, args, kwargs))
        return await future

    def close(self, *, wait: bool = False) -> None:
        """Stop the workers once the calls already queued ran (``wait`` waits for that);
        without ``wait``, calls not started yet are cancelled.  Idempotent; a later call
        starts new workers."""
        with self._lock:
            if self._pid != os.getpid():
                return
            calls, threads = self._queue, self._threads
            self._renew()
        if not wait:
            while True:
                try:
                    call = calls.get_nowait()
                except queue.Empty:
                    break
                if call is not None:
                    _cancel(call[0], call[1])
        for _ in threads:
            calls.put(None)
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()

    def __repr__(self) -> str:
        return f"WorkerPool({self.name!r}, max_workers={self.max_workers})"


class LoopThread:
    """One event loop on a background thread, for blocking calls over an async-only driver."""

    _shared: LoopThread | None = None
    _shared_lock = threading.Lock()

    def __init__(self, name: str = "prism-loop") -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> LoopThread:
        """The process's one bridge loop (made on first use, stopped at interpreter exit)."""
        bridge = cls._shared
        if bridge is None:
            with cls._shared_lock:
                bridge = cls._shared
                if bridge is None:
                    bridge = cls._shared = cls()
                    atexit.register(bridge.stop)
        return bridge

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (started if need be, and anew in a forked child)."""
        loop = self._loop
        if loop is not None and self._pid == os.getpid() and not loop.is_closed():
            return loop
        with self._lock:
            if self._loop is None or self._pid != os.getpid() or self._loop.is_closed():
                self._start()
            assert self._loop is not None
            return self._loop

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def main() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=main, name=self.name, daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread, self._pid = loop, thread, os.getpid()

    def in_loop(self) -> bool:
        """Whether the caller runs on the bridge's own loop thread."""
        thread = self._thread
        return thread is not None and thread is threading.current_thread()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the bridge loop; the caller gets a thread-safe future."""
        if self.in_loop():
            coro.close()
            msg = (
                "a blocking prism call was made from inside prism's own bridge event loop, where "
                "it would wait for itself; use the async API (prism.open_async) in that code"
            )
            raise UnsupportedError(msg)
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the bridge loop and block for its result (or its exception).

        With ``timeout`` the coroutine is cancelled when it passes and ``TimeoutError`` raised.
        """
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"bridge call did not finish within {timeout} s") from None

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``run(fn(*args, **kwargs))`` — the coroutine is made on the caller's thread."""

        async def call() -> T:
            return await fn(*args, **kwargs)

        return self.run(call())

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop and join its thread (pending tasks are cancelled).  Idempotent."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None or self._pid != os.getpid() or loop.is_closed():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            asyncio.get_running_loop().stop()

        if thread is threading.current_thread():
            loop.stop()
            return
        asyncio.run_coroutine_threadsafe(cancel_all(), loop)
        thread.join(timeout)

    def __repr__(self) -> str:
        state = "running" if self._loop is not None and self._pid == os.getpid() else "idle"
        return f"LoopThread({self.name!r}, {state})"
