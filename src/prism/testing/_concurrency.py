"""Run callables concurrently: tasks for async suites, threads for sync suites."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


async def run_concurrently_async(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Start every call as a task at once; return their results in order."""
    return list(await asyncio.gather(*(call() for call in calls)))


def run_concurrently(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run every call on its own thread at once; return their results in order."""
    if not calls:
        return []
    with ThreadPoolExecutor(max_workers=min(len(calls), 64)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [f.result() for f in futures]


def start_background_async(call: Callable[[], Awaitable[T]]) -> Any:
    """Start ``call`` as a task; ``await join_async(handle)`` gives its result."""
    return asyncio.ensure_future(call())


def start_background(call: Callable[[], T]) -> Any:
    """Start ``call`` on a thread; ``join(handle)`` gives its result."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(call)
    pool.shutdown(wait=False)
    return future


async def join_async(handle: Any, timeout: float = 10.0) -> Any:
    return await asyncio.wait_for(handle, timeout)


def join(handle: Any, timeout: float = 10.0) -> Any:
    return handle.result(timeout)
