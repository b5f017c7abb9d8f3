"""A small harness: run prism and a baseline on the same work in one process, print the ratio.

Each case is a pair of zero-argument callables (sync) or coroutine functions (async) doing one
operation.  They are interleaved over several rounds (A B A B ...) so drift on a noisy machine
hits both; the median round gives ops/s, and the ratio is prism's time over the baseline's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    prism_ops: float
    baseline_ops: float

    @property
    def ratio(self) -> float:
        """prism time per op / baseline time per op (1.00 = same speed; lower is better)."""
        return self.baseline_ops / self.prism_ops

    def line(self) -> str:
        return (
            f"{self.name:<44} prism {self.prism_ops:>12,.0f} ops/s   "
            f"baseline {self.baseline_ops:>12,.0f} ops/s   ratio {self.ratio:5.2f}x"
        )


def _time_sync(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


async def _time_async(fn: Callable[[], Awaitable[object]], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await fn()
    return time.perf_counter() - start


def compare(
    name: str,
    prism_fn: Callable[[], object],
    baseline_fn: Callable[[], object],
    *,
    n: int = 20_000,
    rounds: int = 7,
) -> Result:
    """Time ``n`` calls of each, interleaved over ``rounds``; return median ops/s of each."""
    _time_sync(prism_fn, max(1, n // 10))
    _time_sync(baseline_fn, max(1, n // 10))
    a, b = [], []
    for _ in range(rounds):
        a.append(_time_sync(prism_fn, n))
        b.append(_time_sync(baseline_fn, n))
    return Result(name, n / statistics.median(a), n / statistics.median(b))


async def compare_async(
    name: str,
    prism_fn: Callable[[], Awaitable[object]],
    baseline_fn: Callable[[], Awaitable[object]],
    *,
    n: int = 20_000,
    rounds: int = 7,
) -> Result:
    """The async form of :func:`compare`; call it inside the event loop the clients use."""
    await _time_async(prism_fn, max(1, n // 10))
    await _time_async(baseline_fn, max(1, n // 10))
    a, b = [], []
    for _ in range(rounds):
        a.append(await _time_async(prism_fn, n))
        b.append(await _time_async(baseline_fn, n))
    return Result(name, n / statistics.median(a), n / statistics.median(b))


def report(title: str, results: list[Result]) -> None:
    print(f"== {title}")
    for result in results:
        print(result.line())
