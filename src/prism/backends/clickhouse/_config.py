"""clickhouse's connection settings, checked without connecting (``prism validate``).

Two transports, chosen by the connection's scheme:

* ``clickhouse://[user[:password]@]host[:port]/database[?param=value...]`` (``clickhouses://``
  for TLS): a ClickHouse server over its native TCP protocol (clickhouse-driver).  The URL's
  query parameters are clickhouse-driver's connection parameters (``secure``, ``verify``,
  ``ca_certs``, ``compression``, ``connect_timeout``, ``send_receive_timeout``, ...), passed
  through unchanged.
* ``chdb:///absolute/path``, ``chdb://relative/path`` or ``chdb://:memory:``: the ClickHouse
  engine in this process (chdb).  chdb runs one engine per process: every backend object of the
  process must name the same path.

Options: ``settings`` (a mapping of ClickHouse settings sent with every query), ``ttl`` (seconds:
a table TTL every points table gets, a backstop that removes points older than that in the
background whatever the series' retention), ``workers`` (threads of the async flavour's bridge,
default 4), ``clock`` (a callable returning epoch seconds, for retention; default ``time.time``).

Nothing here imports a driver, and no error text quotes the connection string or a secret.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from prism._redact import redact
from prism.errors import ConfigurationError

__all__ = ["OPTIONS", "ClickHouseConfig", "parse_config"]

OPTIONS = ("settings", "ttl", "workers", "clock")

Clock = Callable[[], float]


@dataclass(frozen=True)
class ClickHouseConfig:
    """What the backend connects with.  ``repr`` never shows a password."""

    transport: Literal["native", "chdb"]
    url: str = field(repr=False)
    """The native transport's URL (clickhouse-driver's ``Client.from_url``)."""
    path: str = ""
    """The chdb transport's database path (``:memory:`` for a temporary one)."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    ttl: float | None = None
    workers: int = 4
    clock: Clock = field(default=time.time, repr=False)

    @property
    def location(self) -> str:
        """Where the data is, for messages (no secret)."""
        return f"chdb {self.path}" if self.transport == "chdb" else redact(self.url) or "?"

    def __repr__(self) -> str:
        return f"ClickHouseConfig({self.location}, settings={dict(self.settings)}, ttl={self.ttl})"


def _fail(backend: str, text: str) -> ConfigurationError:
    return ConfigurationError(text, backend=backend)


def parse_config(
    backend: str, connection: str | None, options: Mapping[str, Any]
) -> ClickHouseConfig:
    """The connection and options as the backend will use them; ``ConfigurationError`` naming
    what is wrong and what is allowed (never quoting the connection string)."""
    conn = (connection or "").strip()
    unknown = sorted(str(k) for k in set(options) - set(OPTIONS))
    if unknown:
        msg = f"unknown {backend} option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}"
        raise _fail(backend, msg)
    settings = options.get("settings") or {}
    if not isinstance(settings, Mapping) or not all(isinstance(k, str) for k in settings):
        msg = f"{backend} option 'settings' must be a mapping of ClickHouse setting names to values"
        raise _fail(backend, msg)
    ttl = options.get("ttl")
    if ttl is not None and (
        isinstance(ttl, bool)
        or not isinstance(ttl, int | float)
        or not math.isfinite(ttl)
        or ttl < 1
    ):
        msg = f"{backend} option 'ttl' must be a number of seconds >= 1; got {ttl!r}"
        raise _fail(backend, msg)
    workers = options.get("workers", 4)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        msg = f"{backend} option 'workers' must be an integer >= 1; got {workers!r}"
        raise _fail(backend, msg)
    clock = options.get("clock") or time.time
    if not callable(clock):
        msg = f"{backend} option 'clock' must be a callable returning epoch seconds"
        raise _fail(backend, msg)
    common: dict[str, Any] = {
        "settings": dict(settings),
        "ttl": None if ttl is None else float(ttl),
        "workers": workers,
        "clock": clock,
    }
    if conn.startswith("chdb://"):
        rest = conn[len("chdb://") :]
        path = rest if rest == ":memory:" else rest.split("?", 1)[0]
        if not path:
            msg = f"a {backend} chdb connection names a path: chdb:///abs/path or chdb://:memory:"
            raise _fail(backend, msg)
        return ClickHouseConfig(transport="chdb", url="", path=path, **common)
    if conn.startswith(("clickhouse://", "clickhouses://")):
        parts = urlsplit(conn)
        try:
            parts.port  # noqa: B018 (a bad port raises)
        except ValueError:
            msg = f"the {backend} connection's port must be a number from 0 to 65535"
            raise _fail(backend, msg) from None
        if not parts.hostname:
            msg = f"a {backend} connection names a host: clickhouse://[user[:password]@]host..."
            raise _fail(backend, msg)
        return ClickHouseConfig(transport="native", url=conn, **common)
    msg = (
        f"a {backend} connection is clickhouse://[user[:password]@]host[:port]/database"
        "[?param=value...] (clickhouses:// for TLS), chdb:///path or chdb://:memory:; the one "
        "given is neither"
    )
    raise _fail(backend, msg)
