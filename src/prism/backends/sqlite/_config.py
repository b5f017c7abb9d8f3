"""sqlite's connection settings, checked without opening the database (``prism validate``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from prism._redact import describe, scheme_of
from prism.backends.sqlite._errors import BACKEND
from prism.errors import ConfigurationError

__all__ = ["Options", "Target", "parse_config", "parse_options", "parse_target"]

Clock = Callable[[], float]
_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
_OPTIONS = ("synchronous", "busy_timeout", "poll_interval", "clock")


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Target:
    """Where the database is: what ``sqlite3.connect`` gets and how messages name it."""

    database: str
    uri: bool
    location: str
    """``database file '/abs/path.db'`` or ``in-memory database 'name'``."""
    key: str
    """Identifies the database within this process (shared by backends on the same file)."""
    memory: bool


def parse_target(connection: str | None) -> Target:
    """Parse a connection string (see ``docs/backends/sqlite.md``).

    * ``/path/to/file.db``, ``relative.db``, ``~/x.db`` — a file (created when missing);
    * ``sqlite:///relative/path.db`` and ``sqlite:////abs/path.db`` — the same, as a URL;
    * ``:memory:`` / ``sqlite://:memory:`` — a private in-memory database of one backend;
    * ``:memory:NAME`` / ``sqlite://:memory:NAME`` — an in-memory database shared by every
      backend of this process that names it, kept while one of them is open.
    """
    if connection is None or not isinstance(connection, str) or not connection.strip():
        msg = (
            "the sqlite backend needs a connection: a file path, 'sqlite:///path/to/file.db', "
            "'sqlite:////absolute/path.db' or ':memory:'"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    # a connection that does not parse is never echoed (it may be another backend's URL with
    # a password): messages name at most its scheme
    text = connection.strip()
    allowed = (
        "use a file path, 'sqlite:///relative/path.db', 'sqlite:////absolute/path.db' or "
        "'sqlite://:memory:'"
    )
    if "\x00" in text:
        msg = "the sqlite connection must not contain NUL characters"
        raise ConfigurationError(msg, backend=BACKEND)
    if "@" in text:
        msg = (
            f"the sqlite connection ({describe(text)}) has an '@': sqlite takes no user name "
            f"or password; {allowed}"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    scheme = scheme_of(text)
    if scheme == "sqlite":
        rest = text[len("sqlite://") :]
        if rest.startswith(":memory:"):
            text = rest
        elif rest.startswith("/") and len(rest) > 1:
            text = rest[1:]  # sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db
        else:
            msg = f"cannot read the sqlite connection (a sqlite:// URL with a host part): {allowed}"
            raise ConfigurationError(msg, backend=BACKEND)
    elif "://" in text:
        msg = f"the sqlite connection is {describe(text)}, not a sqlite:// URL or a file path: {allowed}"
        raise ConfigurationError(msg, backend=BACKEND)
    if text.startswith(":memory:"):
        name = text[len(":memory:") :]
        shared = bool(name)
        name = name or uuid.uuid4().hex
        database = f"file:prism-{quote(name, safe='')}?mode=memory&cache=shared"
        where = f"in-memory database {name!r}" if shared else "a private in-memory database"
        return Target(database, True, where, f"memory:{name}", True)
    path = Path(text).expanduser().absolute()
    return Target(str(path), False, f"database file '{path}'", str(path), False)


@dataclass(frozen=True)
class Options:
    """The backend's ``options:`` (see ``docs/backends/sqlite.md``)."""

    synchronous: str = "NORMAL"
    busy_timeout: float = 5.0
    poll_interval: float = 0.05
    clock: Clock = time.time


def _seconds_option(
    options: Mapping[str, Any], name: str, default: float, *, positive: bool
) -> float:
    value = options.get(name, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (value > 0 if positive else value >= 0)
        or value == float("inf")
    ):
        bound = "> 0" if positive else ">= 0"
        msg = f"sqlite option {name!r} must be a number of seconds {bound}, got {value!r}"
        raise ConfigurationError(msg, backend=BACKEND)
    return float(value)


def parse_options(options: Mapping[str, Any]) -> Options:
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        msg = (
            f"unknown sqlite option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(_OPTIONS)}"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    synchronous = options.get("synchronous", "NORMAL")
    if not isinstance(synchronous, str) or synchronous.upper() not in _SYNCHRONOUS:
        msg = (
            f"sqlite option 'synchronous' must be one of {', '.join(_SYNCHRONOUS)}, "
            f"got {synchronous!r}"
        )
        raise ConfigurationError(msg, backend=BACKEND)
    clock = options.get("clock") or time.time
    if not callable(clock):
        msg = "sqlite option 'clock' must be a callable returning epoch seconds"
        raise ConfigurationError(msg, backend=BACKEND)
    return Options(
        synchronous=synchronous.upper(),
        busy_timeout=_seconds_option(options, "busy_timeout", 5.0, positive=False),
        poll_interval=_seconds_option(options, "poll_interval", 0.05, positive=True),
        clock=clock,
    )


def parse_config(
    backend: str,  # noqa: ARG001 (the signature every backend's parser shares)
    connection: str | None,
    options: Mapping[str, Any],
) -> tuple[Target, Options]:
    """The database target and the options, as the backend will use them; a
    ``ConfigurationError`` for a malformed connection string or a wrong option."""
    return parse_target(connection), parse_options(options)
