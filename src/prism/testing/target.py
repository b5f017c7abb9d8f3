"""What a suite runs against: a backend, a server for it and a fresh namespace per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from prism._redact import redact

__all__ = ["Target", "TestServer"]


@dataclass
class TestServer:
    """A server (or in-process store) the suites may use.

    ``connection`` and ``options`` go into the backend's ``prism.yaml`` entry.  ``clock`` is set
    when the backend keeps time in-process and takes an injectable clock (memstore): the suites
    then move time with ``clock.advance(seconds)`` instead of waiting.  ``stop`` is called once at
    the end of the test run.  ``target`` names the kind of server (e.g. ``"mock"`` for a stand-in,
    ``"real"``): a known gap declared with ``targets:`` holds only on the kinds it lists.
    """

    __test__ = False  # not a pytest test class

    connection: str | None
    options: Mapping[str, Any] = field(default_factory=dict)
    clock: Any | None = None
    stop: Callable[[], None] | None = None
    description: str = ""
    target: str = ""

    def __repr__(self) -> str:
        conn = None if self.connection is None else redact(self.connection)
        return f"TestServer(connection={conn!r}, description={self.description!r})"


@dataclass
class Target:
    """One backend under test, with its server."""

    backend: str
    server: TestServer
    max_value_bytes: int | None = None
    interfaces: frozenset[str] = frozenset()
    max_message_bytes: int | None = None
    """The declared pubsub payload limit, when it is below ``max_value_bytes``."""

    @property
    def clock(self) -> Any | None:
        return self.server.clock

    def fresh_name(self) -> str:
        """A namespace name no other test uses."""
        return f"t{uuid.uuid4().hex[:16]}"

    def config(self) -> dict[str, Any]:
        """A ``prism.yaml`` mapping whose default backend is this target."""
        entry: dict[str, Any] = {"type": self.backend, "options": dict(self.server.options)}
        if self.server.connection is not None:
            entry["connection"] = self.server.connection
        return {"backends": {"target": entry}, "default_backend": "target"}
