"""Tiny async/sync pairs used by async sources; the generator maps ``x_async`` to ``x``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

AsyncCall = Callable[[], Awaitable[T]]
"""A zero-argument coroutine function; its sync twin is :data:`Call`."""
Call = Callable[[], T]


def current_loop_async() -> object:
    """The running event loop (async connections are bound to it)."""
    return asyncio.get_running_loop()


def current_loop() -> object:
    """Sync connections are not bound to a loop."""
    return None


async def sleep_async(seconds: float) -> None:
    await asyncio.sleep(seconds)


def sleep(seconds: float) -> None:
    time.sleep(seconds)
