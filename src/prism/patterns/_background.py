"""A loop run in the background until stopped: a thread (sync twin) or an asyncio task (async).

Hand-written in both flavours (the generator maps ``AsyncBackground`` to ``Background``).  The
wait between rounds is an event, so ``stop()`` ends the loop at once, without sleeping it out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable

__all__ = ["AsyncBackground", "Background"]

log = logging.getLogger("prism.patterns")


class Background:
    """Calls ``step()`` every ``interval`` seconds (at once again when it returned work done)."""

    def __init__(self, name: str, step: Callable[[], int], interval: float) -> None:
        self._step = step
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self._step()
            except Exception:  # keep relaying; the next round retries
                log.exception("background %s round failed", self._thread.name)
                busy = 0
            if not busy:
                self._stop.wait(self._interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


class AsyncBackground:
    """The asyncio flavour of :class:`Background`: a task on the running loop."""

    def __init__(self, name: str, step: Callable[[], Awaitable[int]], interval: float) -> None:
        self._step = step
        self._interval = interval
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=name)

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = await self._step()
            except Exception:
                log.exception("background %s round failed", self._task.get_name())
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self._interval)

    async def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
