"""The compliance suites' server for memstore: a private store and a manual clock."""

from __future__ import annotations

import uuid
from pathlib import Path

from prism.testing.target import TestServer

__all__ = ["memstore_server"]


def memstore_server(workdir: Path) -> TestServer:  # noqa: ARG001 (no files needed)
    """memstore needs no server: a private store (dropped at the end of the run) with a
    :class:`~prism.backends.memstore.ManualClock`, so time-based tests move time."""
    from prism.backends.memstore._core import ManualClock, drop_store

    clock = ManualClock()
    name = f"compliance-{uuid.uuid4().hex[:8]}"
    return TestServer(
        connection=f"memory://{name}",
        options={"clock": clock},
        clock=clock,
        stop=lambda: drop_store(name),
        description="in-process store with a manual clock",
    )
