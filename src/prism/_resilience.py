"""The runtime of resilience policies: deadline, retries with a budget, circuit breaker.

Installed on a facet only when a policy is active for its model (see :mod:`prism._instrument`);
with no policy nothing here is imported on the call path.

* **Deadline.**  Async calls run under ``asyncio.timeout``; sync calls rely on the driver's own
  timeout, which the backend receives as :attr:`BackendSettings.call_timeout` (redis: the socket
  timeout, with redis-py's own resend switched off so a timed-out write is never sent twice).
  Operations that wait by contract (``receive(timeout=5)``, ``blocking_pop_left``, ``get`` of
  a subscription) get the deadline on top of their own wait.
* **Retries** only for operations in :data:`IDEMPOTENT` (reads and writes whose repetition
  leaves the same state), only on ``BackendUnavailableError`` (which includes a missed
  deadline), with tenacity's exponential backoff and jitter, bounded by a retry budget.
  tenacity was chosen over stamina: it has sync and async retry loops with the stop / wait /
  retry predicates as separate, composable parts, so prism's own predicate (the budget, "never
  while the circuit is open") plugs in; stamina wraps tenacity with fixed opinions and adds its
  own instrumentation layer that prism does not need.  The first attempt runs outside tenacity,
  so a call that succeeds pays nothing for it.
* **Circuit breaker**: ours (:class:`Breaker`).  pybreaker is sync-only (its async support is
  Tornado's), aiobreaker is async-only and unmaintained, and prism needs one breaker shared by
  the sync and async facets of a connection, thread-safe, with an injectable clock; that is
  about sixty lines.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from prism.errors import BackendUnavailableError, ConfigurationError
from prism.policy import BreakerPolicy, ModelPolicy, RetryPolicy

__all__ = ["IDEMPOTENT", "Breaker", "CircuitOpenError", "RetryBudget", "wrap_method"]

log = logging.getLogger("prism.resilience")

IDEMPOTENT: dict[str, frozenset[str]] = {
    "keyvalue": frozenset(
        {
            "get",
            "exists",
            "get_many",
            "get_ttl",
            "count",
            "set",
            "delete",
            "set_many",
            "delete_many",
            "expire",
            "persist",
        }
    ),
    "document": frozenset(
        {"get", "find", "find_one", "count", "aggregate", "list_indexes", "replace", "delete"}
    ),
    "graph": frozenset(
        {
            "get_node",
            "get_edge",
            "traverse",
            "shortest_path",
            "pagerank",
            "connected_components",
            "query_languages",
        }
    ),
    "list": frozenset({"get", "get_range", "length", "set"}),
    "set": frozenset(
        {
            "contains",
            "is_member",
            "members",
            "size",
            "union",
            "intersection",
            "difference",
            "add",
            "remove",
        }
    ),
    "sortedset": frozenset(
        {
            "range",
            "range_by_lex",
            "range_by_score",
            "rank",
            "reverse_rank",
            "score",
            "size",
            "union",
            "intersection",
            "add",
            "remove",
        }
    ),
    "pubsub": frozenset({"last_message_id"}),
    "queue": frozenset({"length", "peek", "scheduled_count", "dead_letters"}),
    "stream": frozenset(
        {
            "get_retention",
            "group_info",
            "latest_offset",
            "partitions",
            "replay_range",
            "set_retention",
            "read",
            "read_partition",
        }
    ),
    "timeseries": frozenset(
        {"query", "aggregate", "interpolate", "get_retention", "set_retention"}
    ),
}
"""Operations safe to repeat, per data model: never publish, enqueue, append, push, pop,
receive, increment or compare-and-swap (a repeat of those is a second effect)."""

WAIT_PARAMS = ("timeout", "block")
"""Parameters by which an operation waits by contract; the deadline is added to their value."""


class CircuitOpenError(BackendUnavailableError):
    """Raised without any I/O while a backend's circuit breaker is open."""


class Breaker:
    """Closed → (``failures`` consecutive failures) → open → (``reset_after`` seconds) →
    half-open: ``probes`` calls go through; their success closes it, a failure reopens it."""

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

    def __init__(
        self,
        policy: BreakerPolicy,
        name: str,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[Breaker], None] | None = None,
    ) -> None:
        self.policy = policy
        self.name = name
        self.clock = clock
        self.state = self.CLOSED
        self.failures = 0
        self._opened_at = 0.0
        self._probing = 0
        self._succeeded = 0
        self._lock = threading.Lock()
        self.on_change = on_change

    def _set(self, state: str) -> None:
        self.state = state
        level = logging.WARNING if state == self.OPEN else logging.INFO
        log.log(level, "circuit breaker of %s is %s", self.name, state)
        if self.on_change is not None:
            self.on_change(self)

    def before(self, operation: str) -> None:
        """Let a call through, or raise :class:`CircuitOpenError` (no I/O) while open."""
        if self.state is self.CLOSED:
            return
        with self._lock:
            if self.state is self.OPEN:
                if self.clock() - self._opened_at < self.policy.reset_after:
                    self._refuse(operation)
                self._set(self.HALF_OPEN)
                self._probing = self._succeeded = 0
            if self.state is self.HALF_OPEN:
                if self._probing >= self.policy.probes:
                    self._refuse(operation)
                self._probing += 1

    def _refuse(self, operation: str) -> None:
        msg = (
            f"{self.name}: circuit breaker open after {self.failures} consecutive failures; "
            f"failing fast (next probe within {self.policy.reset_after:g} s)"
        )
        raise CircuitOpenError(msg, backend=self.name, operation=operation)

    def success(self) -> None:
        if self.state is self.CLOSED:
            self.failures = 0
            return
        with self._lock:
            if self.state is self.HALF_OPEN:
                self._succeeded += 1
                if self._succeeded >= self.policy.probes:
                    self.failures = 0
                    self._set(self.CLOSED)

    def failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.state is self.HALF_OPEN or (
                self.state is self.CLOSED and self.failures >= self.policy.failures
            ):
                self._opened_at = self.clock()
                self._set(self.OPEN)


class RetryBudget:
    """Retries may add at most ``ratio`` of the calls made, plus a burst of ``burst``.

    A call only counts itself (one integer increment); the tokens are worked out when a retry
    asks for one.
    """

    def __init__(self, ratio: float, burst: float = 10.0) -> None:
        self.ratio = ratio
        self.burst = burst
        self.calls = 0
        self._counted = 0
        self._tokens = burst
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            calls = self.calls
            self._tokens = min(self.burst, self._tokens + (calls - self._counted) * self.ratio)
            self._counted = calls
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


def _tenacity() -> Any:
    try:
        import tenacity
    except ImportError as exc:  # pragma: no cover - the extra is part of the test group
        msg = "resilience retries need tenacity: install prism[resilience]"
        raise ConfigurationError(msg) from exc
    return tenacity


def _wait_index(func: Callable[..., Any]) -> tuple[str, int, Any] | None:
    """(name, positional index, default) of the parameter by which ``func`` waits, if any."""
    params = list(inspect.signature(func).parameters.values())
    for i, p in enumerate(params):
        if p.name in WAIT_PARAMS:
            default = None if p.default is inspect.Parameter.empty else p.default
            return p.name, i, default
    return None


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None  # a bad value: the checks refuse it with their own message


class _Shared:
    """What one wrapped method needs, built once at install time."""

    def __init__(
        self,
        policy: ModelPolicy,
        backend: str,
        operation: str,
        breaker: Breaker | None,
        budget: RetryBudget | None,
        idempotent: bool,
        func: Callable[..., Any],
    ) -> None:
        self.timeout = policy.timeout
        self.backend = backend
        self.operation = operation
        self.breaker = breaker
        self.retries: RetryPolicy | None = policy.retries if idempotent else None
        self.budget = budget
        self.wait = _wait_index(func) if policy.timeout is not None else None

    def deadline(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> float | None:
        """The deadline of one call: the policy's, plus what the call waits by contract
        (``blocking_pop_left(timeout=None)`` waits without bound: no deadline then)."""
        if self.timeout is None or self.wait is None:
            return self.timeout
        name, index, default = self.wait
        if name in kwargs:
            value = kwargs[name]
        elif len(args) > index:
            value = args[index]
        else:
            value = default
        if value is None:
            return None if self.operation.startswith("blocking_") else self.timeout
        waited = _seconds(value)
        return self.timeout if waited is None else self.timeout + waited

    def retryable(self, exc: BaseException) -> bool:
        return (
            isinstance(exc, BackendUnavailableError)
            and not isinstance(exc, CircuitOpenError)
            and (self.budget is None or self.budget.take())
        )

    def retrying(self, tenacity: Any, cls: Any, sleep: Any) -> Any:
        policy = self.retries
        assert policy is not None
        return cls(
            stop=tenacity.stop_after_attempt(policy.attempts),
            wait=tenacity.wait_exponential(multiplier=policy.initial, max=policy.max_backoff)
            + tenacity.wait_random(0, policy.jitter),
            retry=tenacity.retry_if_exception(self.retryable),
            reraise=True,
            before_sleep=self._log_retry,
            **({} if sleep is None else {"sleep": sleep}),
        )

    def _log_retry(self, state: Any) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        log.warning(
            "%s %s: attempt %d failed (%s); retrying",
            self.backend,
            self.operation,
            state.attempt_number,
            type(exc).__name__,
        )

    def timed_out(self, seconds: float) -> BackendUnavailableError:
        msg = f"{self.backend} {self.operation} missed its deadline of {seconds:g} s"
        return BackendUnavailableError(msg, backend=self.backend, operation=self.operation)


def wrap_method(
    func: Callable[..., Any],
    *,
    policy: ModelPolicy,
    backend: str,
    operation: str,
    breaker: Breaker | None,
    budget: RetryBudget | None,
    idempotent: bool,
    is_async: bool,
    sleep: Callable[[float], Any] | None = None,
) -> Callable[..., Any]:
    """``func`` (a bound facet method) under ``policy``."""
    shared = _Shared(policy, backend, operation, breaker, budget, idempotent, func)
    if is_async:
        return _wrap_async(func, shared, sleep)
    return _wrap_sync(func, shared, sleep)


def _wrap_sync(
    func: Callable[..., Any], shared: _Shared, sleep: Callable[[float], Any] | None
) -> Callable[..., Any]:
    breaker = shared.breaker
    budget = shared.budget

    def once(*args: Any, **kwargs: Any) -> Any:
        if breaker is not None:
            breaker.before(shared.operation)
        try:
            result = func(*args, **kwargs)
        except BackendUnavailableError as exc:
            if breaker is not None and not isinstance(exc, CircuitOpenError):
                breaker.failure()
            raise
        if breaker is not None:
            breaker.success()
        return result

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        if budget is not None:
            budget.calls += 1
        try:
            return once(*args, **kwargs)
        except BackendUnavailableError as exc:
            if shared.retries is None or not shared.retryable(exc):
                raise
            first: list[BaseException] = [exc]
        tenacity = _tenacity()

        def attempt() -> Any:
            if first:
                raise first.pop()
            return once(*args, **kwargs)

        return shared.retrying(tenacity, tenacity.Retrying, sleep)(attempt)

    return call


def _wrap_async(
    func: Callable[..., Any], shared: _Shared, sleep: Callable[[float], Any] | None
) -> Callable[..., Any]:
    breaker = shared.breaker
    budget = shared.budget

    async def once(*args: Any, **kwargs: Any) -> Any:
        if breaker is not None:
            breaker.before(shared.operation)
        try:
            deadline = shared.deadline(args, kwargs)
            if deadline is None:
                result = await func(*args, **kwargs)
            else:
                try:
                    async with asyncio.timeout(deadline):
                        result = await func(*args, **kwargs)
                except TimeoutError as exc:
                    raise shared.timed_out(deadline) from exc
        except BackendUnavailableError as exc:
            if breaker is not None and not isinstance(exc, CircuitOpenError):
                breaker.failure()
            raise
        if breaker is not None:
            breaker.success()
        return result

    @functools.wraps(func)
    async def call(*args: Any, **kwargs: Any) -> Any:
        if budget is not None:
            budget.calls += 1
        try:
            return await once(*args, **kwargs)
        except BackendUnavailableError as exc:
            if shared.retries is None or not shared.retryable(exc):
                raise
            first: list[BaseException] = [exc]
        tenacity = _tenacity()

        async def attempt() -> Any:
            if first:
                raise first.pop()
            return await once(*args, **kwargs)

        return await shared.retrying(tenacity, tenacity.AsyncRetrying, sleep)(attempt)

    return call


def jitter_seed(seed: int) -> None:
    """Seed the jitter (tests): tenacity draws from :mod:`random`."""
    random.seed(seed)
