"""Health checks: one real round trip per backend of a namespace, with its latency.

``ns.health()`` (sync) / ``await ns.health()`` (async) and ``prism health [NAMESPACE...]``
use the same probe: the backend's own ``ping()`` when it has one, else the cheapest read of
one of the namespace's facets (``keyvalue.exists``, ``queue.length``, ...) on a name that
is never written.  The probe bypasses the resilience wrappers (an open circuit breaker does not
make a recovered server look down) and reports errors as text, redacted like every prism
error.
"""

from __future__ import annotations

import inspect
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["PROBE_NAME", "Health", "probe", "probe_async"]

PROBE_NAME = "prism-health-probe"
"""The name probed; nothing is ever written under it."""

_PROBES: tuple[tuple[str, str], ...] = (
    ("keyvalue", "exists"),
    ("queue", "length"),
    ("list", "length"),
    ("set", "size"),
    ("sortedset", "size"),
    ("document", "count"),
)


@dataclass(frozen=True)
class Health:
    """The outcome of one probe."""

    namespace: str
    backend: str
    ok: bool
    latency: float
    """Seconds the round trip took (until the failure, when it failed)."""
    error: str | None = None

    def line(self) -> str:
        state = "ok  " if self.ok else "DOWN"
        tail = f"{self.latency * 1000:8.2f} ms"
        if self.error is not None:
            tail += f"  {self.error}"
        return f"{state}  {self.namespace:<24} {self.backend:<28} {tail}"


def _target(backend: Any, facets: dict[str, Any]) -> tuple[Any, tuple[Any, ...]] | None:
    """The callable to probe and its arguments, bypassing instance-level wrappers."""
    ping = getattr(type(backend), "ping", None)
    if ping is not None:
        return ping, (backend,)
    for model, method in _PROBES:
        facet = facets.get(model)
        if facet is not None:
            return getattr(type(facet), method), (facet, PROBE_NAME)
    return None


def _failed(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def probe(
    namespace: str, label: str, backend: Any, facets: dict[str, Any], timeout: float | None
) -> Health:
    """The sync probe; ``timeout`` is the driver's to enforce (a sync call cannot be cut)."""
    del timeout
    target = _target(backend, facets)
    if target is None:
        return Health(namespace, label, False, 0.0, "no probe: the backend has no ping()")
    func, args = target
    start = time.perf_counter()
    try:
        func(*args)
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return Health(namespace, label, False, time.perf_counter() - start, _failed(exc))
    return Health(namespace, label, True, time.perf_counter() - start)


async def probe_async(
    namespace: str, label: str, backend: Any, facets: dict[str, Any], timeout: float | None
) -> Health:
    import asyncio

    target = _target(backend, facets)
    if target is None:
        return Health(namespace, label, False, 0.0, "no probe: the backend has no ping()")
    func, args = target
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            result = func(*args)
            if inspect.isawaitable(result):
                await result
    except TimeoutError:
        elapsed = time.perf_counter() - start
        return Health(namespace, label, False, elapsed, f"no answer within {timeout:g} s")
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        return Health(namespace, label, False, time.perf_counter() - start, _failed(exc))
    return Health(namespace, label, True, time.perf_counter() - start)
