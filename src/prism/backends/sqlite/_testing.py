"""The compliance suites' server for sqlite: a fresh database file and a manual clock."""

from __future__ import annotations

import uuid
from pathlib import Path

from prism.testing.target import TestServer


def sqlite_server(workdir: Path) -> TestServer:
    """A new database file in ``workdir`` and a :class:`~prism.backends.memstore.ManualClock`
    handed to the backend (option ``clock``), so TTL, lease, delay and retention tests move
    time instead of waiting."""
    from prism.backends.memstore import ManualClock

    clock = ManualClock()
    path = (workdir / f"compliance-{uuid.uuid4().hex[:8]}.db").absolute()
    return TestServer(
        connection=f"sqlite:///{path}",
        options={"clock": clock},
        clock=clock,
        description=f"SQLite file {path.name} (WAL) with a manual clock",
    )
