"""What the stateful compliance tests share in both flavours (hand-written, not generated).

Hypothesis state machines are synchronous: a rule is a plain method.  The async flavour drives
its facet from the rules through :class:`AsyncDriver`, an event loop the machine owns (created
with the machine, closed in its teardown); the sync flavour's :class:`Driver` passes results
through unchanged.  ``tools/async_to_sync.py`` turns ``AsyncDriver`` into ``Driver``, so the
generated sync twin of ``suites/_async/stateful.py`` needs no hand edits.

:data:`SETTINGS` is the one hypothesis profile (``prism-stateful``) every state machine runs
with: a fixed budget, derandomized (the same examples on every run, so CI is reproducible), no
example database (nothing is written into the caller's working directory) and no deadline
(a server round trip is not a performance bug).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, Phase, configuration, settings

T = TypeVar("T")

__all__ = ["PROFILE", "SETTINGS", "AsyncDriver", "Driver", "storage_outside_cwd"]

PROFILE = "prism-stateful"
MAX_EXAMPLES = int(os.environ.get("PRISM_STATEFUL_EXAMPLES", "12"))
"""Examples (fresh namespaces) per state machine; ``$PRISM_STATEFUL_EXAMPLES`` raises it to
search harder locally, at proportional cost."""
STEP_COUNT = int(os.environ.get("PRISM_STATEFUL_STEPS", "12"))
"""The most rules one example runs (``$PRISM_STATEFUL_STEPS``)."""

settings.register_profile(
    PROFILE,
    max_examples=MAX_EXAMPLES,
    stateful_step_count=STEP_COUNT,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
SETTINGS = settings.get_profile(PROFILE)
"""Loaded by name, never with ``settings.load_profile``: the caller's own hypothesis settings
stay as they are."""


class AsyncDriver:
    """Runs one awaitable at a time to completion on an event loop of its own."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()

    def run(self, step: Awaitable[T]) -> T:
        async def wrapped() -> T:
            return await step

        return self._loop.run_until_complete(wrapped())

    def close(self) -> None:
        try:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()


class Driver:
    """The sync flavour's driver: the facet already returned the result."""

    def run(self, result: T) -> T:
        return result

    def close(self) -> None:
        pass


@contextmanager
def storage_outside_cwd() -> Iterator[None]:
    """Keep hypothesis's storage (its cache of constants found in local modules) out of the
    caller's working directory while a state machine runs, unless the caller chose a place
    (``$HYPOTHESIS_STORAGE_DIRECTORY`` or ``set_hypothesis_home_dir``)."""
    current = getattr(configuration, "__hypothesis_home_directory", None)
    default = getattr(configuration, "__hypothesis_home_directory_default", None)
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY") or current not in (None, default):
        yield
        return
    configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "prism-hypothesis")
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(current)
