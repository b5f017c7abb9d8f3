"""postgres's connection settings, checked without connecting (``prism validate``).

The connection is a libpq URL, ``postgresql://[user[:password]@]host[:port]/dbname[?param=value]``
(``postgres://`` too), or omitted to use libpq's defaults and ``PG*`` environment variables.
Every libpq parameter may also be given under ``options:`` (``sslmode``, ``sslrootcert``,
``application_name``, ``options``, ``password`` ... see :data:`LIBPQ_OPTIONS`); ``${VAR}`` in
either place is expanded by the config loader.  Pool options: ``min_size``, ``max_size``,
``timeout`` (seconds to wait for a pooled connection), ``max_idle``, ``max_lifetime``;
``prepare_threshold`` is psycopg's (executions before a statement is prepared server-side).

Nothing here imports psycopg, and no error text quotes the connection string or a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prism._redact import redact
from prism.errors import ConfigurationError

__all__ = ["LIBPQ_OPTIONS", "POOL_OPTIONS", "PostgresConfig", "parse_config"]

LIBPQ_OPTIONS = frozenset(
    {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service",
        "connect_timeout", "client_encoding", "options", "application_name",
        "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "sslmode", "sslnegotiation", "sslcompression",
        "sslcert", "sslkey", "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir",
        "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
        "gssencmode", "krbsrvname", "gsslib", "gssdelegation", "channel_binding",
        "require_auth", "target_session_attrs", "load_balance_hosts",
    }
)  # fmt: skip
"""libpq connection parameters accepted under ``options:`` and passed through unchanged."""

SECRET_OPTIONS = frozenset({"password", "sslpassword"})

POOL_OPTIONS = (
    "min_size", "max_size", "timeout", "max_idle", "max_lifetime", "prepare_threshold",
)  # fmt: skip

_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class PostgresConfig:
    """What the backend connects with.  ``repr`` never shows a password."""

    conninfo: str = field(repr=False)
    libpq: Mapping[str, str] = field(default_factory=dict, repr=False)
    min_size: int = 1
    max_size: int = 10
    timeout: float = 10.0
    max_idle: float = 600.0
    max_lifetime: float = 3600.0
    prepare_threshold: int | None = 5

    @property
    def redacted(self) -> str:
        shown = {k: ("***" if k in SECRET_OPTIONS else v) for k, v in self.libpq.items()}
        return f"{redact(self.conninfo) or '(libpq defaults)'} {shown}"

    def __repr__(self) -> str:
        return (
            f"PostgresConfig({self.redacted}, min_size={self.min_size}, "
            f"max_size={self.max_size}, timeout={self.timeout})"
        )


def _number(backend: str, name: str, value: Any, *, minimum: float, integer: bool) -> Any:
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
        what = "an integer" if integer else "a number of seconds"
        msg = f"{backend} option {name!r} must be {what} >= {minimum}; got {value!r}"
        raise ConfigurationError(msg, backend=backend)
    return value


def parse_config(
    backend: str, connection: str | None, options: Mapping[str, Any]
) -> PostgresConfig:
    """The connection and options as the backend will use them; ``ConfigurationError`` naming
    what is wrong and what is allowed (never quoting the connection string)."""
    conninfo = (connection or "").strip()
    if conninfo and not conninfo.startswith(_SCHEMES):
        msg = (
            f"a {backend} connection is a URL postgresql://[user[:password]@]host[:port]/dbname"
            "[?param=value...] (or postgres://); the one given does not start with either scheme"
        )
        raise ConfigurationError(msg, backend=backend)
    known = LIBPQ_OPTIONS | set(POOL_OPTIONS)
    unknown = sorted(str(k) for k in set(options) - known)
    if unknown:
        msg = (
            f"unknown {backend} option(s) {', '.join(unknown)}; known: pool options "
            f"{', '.join(POOL_OPTIONS)} and the libpq parameters ({', '.join(sorted(LIBPQ_OPTIONS))})"
        )
        raise ConfigurationError(msg, backend=backend)
    libpq: dict[str, str] = {}
    for key in sorted(LIBPQ_OPTIONS & set(options)):
        value = options[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            shown = "a secret" if key in SECRET_OPTIONS else repr(value)
            msg = f"{backend} option {key!r} must be a string or a number; got {shown}"
            raise ConfigurationError(msg, backend=backend)
        libpq[key] = str(value)
    kwargs: dict[str, Any] = {}
    for name in ("min_size", "max_size"):
        if name in options:
            kwargs[name] = _number(backend, name, options[name], minimum=0, integer=True)
    for name in ("timeout", "max_idle", "max_lifetime"):
        if name in options:
            value = _number(backend, name, options[name], minimum=0, integer=False)
            if value == 0:
                msg = f"{backend} option {name!r} must be a positive number of seconds; got 0"
                raise ConfigurationError(msg, backend=backend)
            kwargs[name] = float(value)
    if "prepare_threshold" in options and options["prepare_threshold"] is not None:
        kwargs["prepare_threshold"] = _number(
            backend, "prepare_threshold", options["prepare_threshold"], minimum=0, integer=True
        )
    elif "prepare_threshold" in options:
        kwargs["prepare_threshold"] = None
    config = PostgresConfig(conninfo=conninfo, libpq=libpq, **kwargs)
    if config.max_size < 1 or config.min_size > config.max_size:
        msg = (
            f"{backend} options need 1 <= max_size and min_size <= max_size; got "
            f"min_size={config.min_size}, max_size={config.max_size}"
        )
        raise ConfigurationError(msg, backend=backend)
    return config
