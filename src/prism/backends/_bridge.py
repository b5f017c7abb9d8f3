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
import contextvars
import functools
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from prism.errors import ConfigurationError, UnsupportedError

__all__ = ["LoopThread", "WorkerPool"]

T = TypeVar("T")
P = ParamSpec("P")


class WorkerPool:
    """Runs blocking calls on a bounded, lazily made pool of threads (async over sync)."""

    __slots__ = ("_executor", "_lock", "_pid", "max_workers", "name")

    def __init__(self, name: str, max_workers: int = 8) -> None:
        if max_workers < 1:
            msg = f"max_workers must be at least 1, got {max_workers}"
            raise ConfigurationError(msg)
        self.name = name
        self.max_workers = max_workers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        executor = self._executor
        if executor is not None and self._pid == os.getpid():
            return executor
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                # after fork() the parent's threads do not exist here: start over
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.max_workers, thread_name_prefix=f"prism-{self.name}"
                )
                self._pid = os.getpid()
            return self._executor

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on a worker thread, with the caller's context variables."""
        ctx = contextvars.copy_context()
        call = functools.partial(ctx.run, fn, *args, **kwargs)
        future = self._pool().submit(call)
        return await asyncio.wrap_future(future)

    def close(self, *, wait: bool = False) -> None:
        """Stop taking calls; ``wait`` waits for those already running.  Idempotent."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None and self._pid == os.getpid():
            executor.shutdown(wait=wait, cancel_futures=not wait)

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
