"""A small harness: run prism and a baseline on the same work in one process, print the ratio.

Each case is a pair of zero-argument callables (sync) or coroutine functions (async) doing one
operation.  They are interleaved over several rounds, the order turned round each time (A B,
B A, A B ...), so drift on a noisy machine hits both alike.  Each round gives one ratio, prism's
time over the baseline's in that round; the figure reported is the median of those ratios, with
their middle half beside it.  The median round of each side gives its ops/s.

Pairing the two sides round by round matters on a shared machine: a slow patch lasting a round
moves both of that round's times, and leaves its ratio nearly alone.  A ratio of the two sides'
medians, which this harness reported until 2026-12-01, took its two medians from different
rounds and moved by about 0.05 between runs of the same code.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    prism_ops: float
    baseline_ops: float
    ratios: tuple[float, ...] = ()
    """The ratio of each round (prism's time over the baseline's), when the two sides ran in
    paired rounds; empty for a result built from two separate measurements."""

    @property
    def ratio(self) -> float:
        """prism time per op / baseline time per op (1.00 = same speed; lower is better): the
        median of the rounds' ratios, else the ratio of the two rates."""
        if self.ratios:
            return statistics.median(self.ratios)
        return self.baseline_ops / self.prism_ops

    def spread(self) -> str:
        """The middle half of the rounds' ratios, as ``(low-high)``; empty without rounds."""
        if len(self.ratios) < 4:
            return ""
        low, _, high = statistics.quantiles(self.ratios, n=4)
        return f" ({low:.2f}-{high:.2f})"

    def line(self) -> str:
        return (
            f"{self.name:<44} prism {self.prism_ops:>12,.0f} ops/s   "
            f"baseline {self.baseline_ops:>12,.0f} ops/s   ratio {self.ratio:5.2f}x{self.spread()}"
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
    """Time ``n`` calls of each in ``rounds`` paired rounds (the order turned round each
    round); return the median ops/s of each and the ratio of every round."""
    _time_sync(prism_fn, max(1, n // 10))
    _time_sync(baseline_fn, max(1, n // 10))
    a, b = [], []
    for i in range(rounds):
        if i % 2:
            b.append(_time_sync(baseline_fn, n))
            a.append(_time_sync(prism_fn, n))
        else:
            a.append(_time_sync(prism_fn, n))
            b.append(_time_sync(baseline_fn, n))
    return _result(name, n, a, b)


def _result(name: str, n: int, a: list[float], b: list[float]) -> Result:
    ratios = tuple(x / y for x, y in zip(a, b, strict=True))
    return Result(name, n / statistics.median(a), n / statistics.median(b), ratios)


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
    for i in range(rounds):
        if i % 2:
            b.append(await _time_async(baseline_fn, n))
            a.append(await _time_async(prism_fn, n))
        else:
            a.append(await _time_async(prism_fn, n))
            b.append(await _time_async(baseline_fn, n))
    return _result(name, n, a, b)


def pin_apart(server_pid: int | None) -> str:
    """Put this process on one CPU and the server it talks to on another (Linux, two CPUs or
    more; elsewhere nothing changes).  On the project's 2-core VM the scheduler otherwise
    moves the client, the server and their wake-ups between the cores from round to round, a
    noise of its own in every round; both sides are measured under the same placement either
    way.  Returns a line saying what was done, for the report."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    if setaffinity is None or server_pid is None:
        return "not pinned"
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return "not pinned (one CPU)"
    setaffinity(server_pid, {allowed[0]})
    setaffinity(0, {allowed[-1]})
    return f"client pinned to CPU {allowed[-1]}, server to CPU {allowed[0]}"


@contextlib.contextmanager
def one_cpu() -> Iterator[None]:
    """Pin this thread, and the threads it starts meanwhile, to one CPU (Linux; elsewhere a
    no-op), for rows whose calls hop between threads of this process.  On a 2-core VM a hop's
    cost depends on where the scheduler puts the two threads: unpinned, a round of the same
    hop took from 37 to 75 µs a call, and two identical pools differed 2.5-fold in one run.
    Pinned, a hop costs the same every round (23 µs, ±1 %), so the ratio shows prism's own
    work; pinning also makes the hop cheaper, so the ratio is if anything stricter."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    if setaffinity is None:
        yield
        return
    allowed = os.sched_getaffinity(0)
    setaffinity(0, {max(allowed)})
    try:
        yield
    finally:
        setaffinity(0, allowed)


def report(title: str, results: list[Result]) -> None:
    print(f"== {title}")
    for result in results:
        print(result.line())
