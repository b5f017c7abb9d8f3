"""memstore's connection settings: ``memory://<name>`` and the ``clock`` option (no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from prism.errors import ConfigurationError

__all__ = ["OPTIONS", "MemstoreConfig", "parse_config"]

OPTIONS = ("clock",)
"""Every option memstore accepts: ``clock``, a callable returning epoch seconds."""

_SCHEMES = ("memory://", "memstore://")


@dataclass(frozen=True)
class MemstoreConfig:
    """Which store (``memory://<name>``) and which clock (None: the wall clock)."""

    name: str
    clock: Callable[[], float] | None


def parse_config(
    backend: str, connection: str | None, options: Mapping[str, Any]
) -> MemstoreConfig:
    """Check the connection string and the options; a ``ConfigurationError`` names the
    problem without echoing the connection string."""
    conn = connection or "memory://default"
    if not isinstance(conn, str) or not conn.startswith(_SCHEMES):
        msg = (
            f"the {backend} connection must look like memory://<name> (or memstore://<name>); "
            "the one given does not"
        )
        raise ConfigurationError(msg, backend=backend)
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        msg = (
            f"unknown {backend} option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(OPTIONS)}"
        )
        raise ConfigurationError(msg, backend=backend)
    clock: Any = options.get("clock")
    if clock is not None and not callable(clock):
        msg = f"{backend} option 'clock' must be a callable returning epoch seconds"
        raise ConfigurationError(msg, backend=backend)
    return MemstoreConfig(conn.split("://", 1)[1] or "default", clock)
