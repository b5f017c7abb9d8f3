"""Every compliance case runs under its own deadline, enforced by the prism plugin itself.

A backend whose blocking call never returns must fail that case, not hang the run, and that has
to hold where pytest-timeout is not installed or is disabled (``-p no:timeout``).  Each case runs
in a worker thread that the runner stops waiting for after the deadline:

* sync flavour: the test function runs in the worker; when the deadline passes the case fails
  with :class:`CaseDeadlineExceeded` (naming the deadline and showing where the worker was
  blocked) and the worker, a daemon thread, is abandoned;
* async flavour: the coroutine runs on a fresh event loop in the worker under
  ``asyncio.timeout(deadline)``, so a case that awaits forever is cancelled (its namespaces are
  still closed); a loop that never yields is caught by the same thread join, a little later.

Fixtures (the suite's server among them) are still set up and torn down on pytest's own
thread; only the case body moves, so a server started by the harness outlives the worker (its
parent-death signal is tied to the thread that started it).

The deadline is ``--prism-case-deadline`` (default ``$PRISM_CASE_DEADLINE``, else
:data:`DEFAULT_DEADLINE` seconds; ``0`` turns it off); a case may carry its own with
``@pytest.mark.prism_deadline(seconds)``.  A suite's stress cases (10,000 keys or points in one
case) carry ``@pytest.mark.prism_stress``; a backend whose local server is too slow for them
declares ``stress_deadline`` in its plugin entry, which applies to those cases only.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import sys
import threading
import traceback
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

__all__ = [
    "DEFAULT_DEADLINE",
    "ENV_VAR",
    "MARKER",
    "STRESS_MARKER",
    "CaseDeadlineExceeded",
    "add_option",
    "case_deadline",
    "configure",
    "run_case",
]

DEFAULT_DEADLINE = 60.0
ENV_VAR = "PRISM_CASE_DEADLINE"
MARKER = "prism_deadline"
STRESS_MARKER = "prism_stress"
_OPTION = "--prism-case-deadline"
#: how much longer than its deadline an async case's thread is waited for when its event loop
#: does not hand control back (so ``asyncio.timeout`` cannot fire)
_GRACE = 2.0


class CaseDeadlineExceeded(Exception):
    """A compliance case did not finish within its deadline (not an AssertionError: a known gap
    declared as a failing assertion does not cover a hang)."""

    __test__ = False


def _seconds(value: str, where: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        msg = (
            f"{where}: a case deadline is a finite number of seconds >= 0 (0: none), not {value!r}"
        )
        raise pytest.UsageError(msg)
    return seconds


def add_option(group: Any) -> None:
    """Add ``--prism-case-deadline`` to the plugin's option group."""
    group.addoption(
        _OPTION,
        default=None,
        metavar="SECONDS",
        help="fail a compliance case that runs longer than this, so a backend that blocks "
        f"forever cannot hang the run (default: ${ENV_VAR}, else {DEFAULT_DEADLINE:g}; 0: none)",
    )


def configure(config: pytest.Config) -> None:
    """Register the marker and refuse a bad ``--prism-case-deadline``/``$PRISM_CASE_DEADLINE``
    before anything runs."""
    config.addinivalue_line("markers", f"{MARKER}(seconds): this compliance case's own deadline")
    config.addinivalue_line(
        "markers",
        f"{STRESS_MARKER}: a compliance stress case (a backend's plugin entry may give such "
        "cases a longer deadline with stress_deadline)",
    )
    _configured(config)


def _configured(config: pytest.Config) -> float:
    option = config.getoption(_OPTION)
    if option is not None:
        return _seconds(str(option), _OPTION)
    env = os.environ.get(ENV_VAR)
    if env:
        return _seconds(env, f"${ENV_VAR}")
    return DEFAULT_DEADLINE


def case_deadline(item: pytest.Item) -> float:
    """The deadline of ``item`` in seconds (0: none): its marker, the option, the environment."""
    mark = item.get_closest_marker(MARKER)
    if mark is not None:
        return _seconds(str(mark.args[0]), f"@pytest.mark.{MARKER}")
    return _configured(item.config)


def _message(seconds: float, blocked_in: str) -> str:
    return (
        f"the case did not finish within its deadline of {seconds:g} s "
        f"(a blocking call that never returns?); set it with {_OPTION}, ${ENV_VAR} or "
        f"@pytest.mark.{MARKER}(seconds){blocked_in}"
    )


def _run_in_worker(call: Callable[[], None], wait: float | None, name: str) -> str | None:
    """Run ``call`` in a daemon thread; re-raise what it raised.  Returns None when it finished,
    else (after ``wait`` seconds) the stack it is blocked in, and leaves it behind."""
    outcome: list[BaseException | None] = []

    def worker() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 (handed to the runner's thread)
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=worker, name=name, daemon=True)
    thread.start()
    thread.join(wait)
    if not outcome:
        frame = sys._current_frames().get(thread.ident or -1)
        return "".join(traceback.format_stack(frame, limit=12)) if frame is not None else ""
    error = outcome[0]
    if error is not None:
        try:
            raise error
        finally:
            del error, outcome
    return None


def run_case(
    item: pytest.Function, seconds: float, cleanup: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Call the test function of ``item`` with its fixtures, under a deadline of ``seconds``
    (0: none).  A coroutine function runs on a fresh event loop; ``cleanup`` is awaited after it
    on that loop, whatever happened (the async suites close their namespaces there)."""
    func = item.obj
    kwargs = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}
    limit = seconds or None
    wait = limit

    if inspect.iscoroutinefunction(func):

        async def case() -> None:
            try:
                await func(**kwargs)
            finally:
                if cleanup is not None:
                    await cleanup()

        async def bounded() -> None:
            timeout = asyncio.timeout(limit)
            try:
                async with timeout:
                    await case()
            except TimeoutError as exc:
                if timeout.expired():
                    raise CaseDeadlineExceeded(_message(seconds, "")) from exc
                raise

        def call() -> None:
            asyncio.run(bounded())

        wait = None if limit is None else limit + _GRACE
    else:

        def call() -> None:
            if func(**kwargs) is not None:
                warnings.warn(
                    pytest.PytestReturnNotNoneWarning(f"{item.nodeid} returned a value"),
                    stacklevel=1,
                )

    blocked = _run_in_worker(call, wait, f"prism case {item.name}")
    if blocked is not None:
        where = f"; it was blocked in:\n{blocked}" if blocked else ""
        raise CaseDeadlineExceeded(_message(seconds, where))
