"""The shared bridge between prism's flavours and single-flavour drivers (prism.backends._bridge)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from prism.backends import LoopThread, WorkerPool
from prism.errors import ConfigurationError, UnsupportedError


def test_worker_pool_runs_calls_off_the_event_loop_and_keeps_context() -> None:
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    pool = WorkerPool("test", max_workers=2)

    async def main() -> tuple[str, str, bool]:
        var.set("caller")
        loop_thread = threading.current_thread().name
        name, seen = await pool.run(lambda: (threading.current_thread().name, var.get()))
        return name, seen, name != loop_thread

    try:
        name, seen, elsewhere = asyncio.run(main())
    finally:
        pool.close(wait=True)
    assert elsewhere and name.startswith("prism-test")
    assert seen == "caller"


def test_worker_pool_bounds_calls_in_flight() -> None:
    pool = WorkerPool("bound", max_workers=2)
    lock = threading.Lock()
    running = peak = 0
    release = threading.Event()
    two_running = threading.Event()

    def work() -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            if running == 2:
                two_running.set()
        release.wait(5)
        with lock:
            running -= 1

    async def main() -> None:
        tasks = [asyncio.ensure_future(pool.run(work)) for _ in range(6)]
        await asyncio.to_thread(two_running.wait, 5)
        release.set()
        await asyncio.gather(*tasks)

    try:
        asyncio.run(main())
    finally:
        pool.close(wait=True)
    assert peak == 2


class _Held:
    """A pool of one worker that a first call holds busy until ``release`` is set."""

    def __init__(self, name: str) -> None:
        self.pool = WorkerPool(name, max_workers=1)
        self.busy = threading.Event()
        self.release = threading.Event()
        self.ran: list[str] = []

    def hold(self) -> str:
        self.busy.set()
        self.release.wait(5)
        self.ran.append("hold")
        return "held"

    async def queued_behind_the_hold(self) -> tuple[asyncio.Future[str], asyncio.Future[None]]:
        """The holding call, running, and a second call queued behind it."""
        first = asyncio.ensure_future(self.pool.run(self.hold))
        await asyncio.to_thread(self.busy.wait, 5)
        second = asyncio.ensure_future(self.pool.run(self.ran.append, "queued"))
        await asyncio.sleep(0)  # a yield, no timing: the second call is queued now
        return first, second


def test_worker_pool_skips_a_call_its_caller_stopped_waiting_for_before_it_ran() -> None:
    """One worker, busy: a second call cancelled while queued never runs; a third runs."""
    held = _Held("cancel")

    async def main() -> None:
        first, second = await held.queued_behind_the_hold()
        second.cancel()
        held.release.set()
        assert await first == "held"
        assert await held.pool.run(held.ran.append, "third") is None
        with pytest.raises(asyncio.CancelledError):
            await second

    try:
        asyncio.run(main())
    finally:
        held.pool.close(wait=True)
    assert held.ran == ["hold", "third"]


def test_worker_pool_close_cancels_queued_calls_and_a_later_call_starts_anew() -> None:
    held = _Held("close")

    async def main() -> None:
        first, second = await held.queued_behind_the_hold()
        held.pool.close()  # no wait: the queued call is cancelled, the running one finishes
        held.release.set()
        assert await first == "held"
        with pytest.raises(asyncio.CancelledError):
            await second
        name = await held.pool.run(lambda: threading.current_thread().name)
        assert name.startswith("prism-close")

    try:
        asyncio.run(main())
    finally:
        held.pool.close(wait=True)
    assert held.ran == ["hold"]


def test_worker_pool_passes_exceptions_through_and_refuses_zero_workers() -> None:
    pool = WorkerPool("errors")

    def boom() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        asyncio.run(pool.run(boom))
    pool.close()
    pool.close()  # idempotent
    with pytest.raises(ConfigurationError, match="max_workers must be at least 1"):
        WorkerPool("zero", max_workers=0)


def test_loop_thread_runs_coroutines_and_refuses_a_blocking_call_from_its_own_loop() -> None:
    bridge = LoopThread("prism-test-loop")
    try:

        async def where() -> str:
            return threading.current_thread().name

        assert bridge.run(where()) == "prism-test-loop"

        async def nested() -> None:
            bridge.run(where())

        with pytest.raises(UnsupportedError, match="use the async API"):
            bridge.run(nested())

        async def slow() -> None:
            await asyncio.sleep(10)

        with pytest.raises(TimeoutError):
            bridge.run(slow(), timeout=0.05)
    finally:
        bridge.stop()
    assert "idle" in repr(bridge)


def test_loop_thread_may_be_used_from_inside_another_running_loop() -> None:
    bridge = LoopThread()

    async def value() -> int:
        return 7

    async def main() -> int:
        return bridge.run(value())

    try:
        assert asyncio.run(main()) == 7
    finally:
        bridge.stop()


@pytest.mark.skipif(sys.platform == "win32", reason="fork() is POSIX")
def test_loop_thread_and_worker_pool_start_anew_in_a_forked_child() -> None:
    bridge = LoopThread()
    pool = WorkerPool("fork")

    async def value() -> int:
        return os.getpid()

    parent = bridge.run(value())
    asyncio.run(pool.run(os.getpid))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: the parent's loop thread does not exist here
        try:
            ok = (
                bridge.run(value(), timeout=5) == os.getpid()
                and asyncio.run(pool.run(os.getpid)) == os.getpid()
            )
            os.write(write, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read, 2)
    os.close(read)
    bridge.stop()
    pool.close()
    assert parent == os.getpid()
    assert answer == b"ok" and status == 0
