"""The redis backend's connection settings: URL and ``options:`` parsed and checked (no driver).

Connection strings::

    redis://[user:password@]host[:port][/db]            standalone
    rediss://...                                         standalone over TLS
    redis+cluster://[user:password@]host[:port]          Redis Cluster (a seed node)
    rediss+cluster://...                                 Redis Cluster over TLS
    unix://[user:password@]/path/to/socket[?db=N]        standalone over a Unix socket

Query parameters (``?socket_timeout=2``) are read like ``options:``; ``options:`` wins over
both the query and the URL's user info (``username`` / ``password`` overrides).  Unknown options
are a ``ConfigurationError`` so a typo never goes unnoticed.  The password never appears in a
repr, a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from prism._redact import describe, redact, scheme_of
from prism.credentials import CredentialProvider
from prism.errors import ConfigurationError

__all__ = ["DEFAULTS", "OPTIONS", "RedisConfig", "parse_config"]

_SCHEMES = {
    "redis": (False, False),
    "rediss": (False, True),
    "redis+cluster": (True, False),
    "rediss+cluster": (True, True),
    "unix": (False, False),
}


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in (
        "1",
        "true",
        "yes",
        "on",
        "0",
        "false",
        "no",
        "off",
    ):
        return value.lower() in ("1", "true", "yes", "on")
    msg = f"redis option {name!r} must be true or false, got {value!r}"
    raise ConfigurationError(msg)


def _number(
    value: Any, name: str, *, integer: bool = False, minimum: float = 0.0, allow_none: bool = False
) -> Any:
    if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
        if allow_none:
            return None
        msg = f"redis option {name!r} must be a number"
        raise ConfigurationError(msg)
    try:
        number = int(value) if integer else float(value)
        if isinstance(value, bool) or (integer and float(value) != number):
            raise ValueError
    except (TypeError, ValueError):
        kind = "an integer" if integer else "a number"
        msg = f"redis option {name!r} must be {kind}, got {value!r}"
        raise ConfigurationError(msg) from None
    if number < minimum:
        msg = f"redis option {name!r} must be >= {minimum:g}, got {value!r}"
        raise ConfigurationError(msg)
    return number


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        msg = f"redis option {name!r} must be a string"
        raise ConfigurationError(msg)
    return value


def _cert_reqs(value: Any, name: str) -> str:
    text = _text(value, name).lower()
    if text not in ("required", "optional", "none"):
        msg = f"redis option {name!r} must be 'required', 'optional' or 'none', got {value!r}"
        raise ConfigurationError(msg)
    return text


def _nodes(value: Any, name: str) -> list[tuple[str, int]]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        msg = f"redis option {name!r} must be a list of 'host:port'"
        raise ConfigurationError(msg)
    out = []
    for item in items:
        host, _, port = str(item).strip().rpartition(":")
        if not host or not port.isdigit():
            msg = f"redis option {name!r}: {item!r} is not 'host:port'"
            raise ConfigurationError(msg)
        out.append((host.strip("[]"), int(port)))
    return out


def _key_prefix(value: Any, name: str) -> str:
    text = _text(value, name)
    if not text or "{" in text or "}" in text:
        msg = f"redis option {name!r} must be non-empty and contain no '{{' or '}}'"
        raise ConfigurationError(msg)
    return text


OPTIONS: dict[str, Any] = {
    "cluster": _bool,
    "max_connections": lambda v, n: _number(v, n, integer=True, minimum=1),
    "socket_timeout": lambda v, n: _number(v, n, allow_none=True),
    "socket_connect_timeout": lambda v, n: _number(v, n, allow_none=True),
    "socket_keepalive": _bool,
    "health_check_interval": _number,
    "retries": lambda v, n: _number(v, n, integer=True),
    "ssl": _bool,
    "ssl_ca_certs": _text,
    "ssl_certfile": _text,
    "ssl_keyfile": _text,
    "ssl_cert_reqs": _cert_reqs,
    "ssl_check_hostname": _bool,
    "username": _text,
    "password": _text,
    "client_name": _text,
    "db": lambda v, n: _number(v, n, integer=True),
    "protocol": lambda v, n: _number(v, n, integer=True, minimum=2),
    "key_prefix": _key_prefix,
    "startup_nodes": _nodes,
}
"""Every option the backend accepts, with its checker (value, name) → converted value."""

DEFAULTS: dict[str, Any] = {
    "socket_timeout": 5.0,
    "socket_connect_timeout": 5.0,
    "retries": 1,
    "key_prefix": "prism",
}
"""Defaults that differ from redis-py's (or that redis-py does not have)."""

# options that are ours, not redis-py connection keyword arguments
_OWN = frozenset({"cluster", "retries", "key_prefix", "startup_nodes", "db", "ssl"})


@dataclass(frozen=True)
class RedisConfig:
    """What the backend needs to make its clients.  ``client_kwargs`` may hold the password:
    it is never shown (see :meth:`__repr__`)."""

    backend: str
    cluster: bool
    host: str
    port: int
    db: int
    ssl: bool
    unix_path: str | None
    key_prefix: str
    retries: int
    socket_timeout: float | None
    startup_nodes: tuple[tuple[str, int], ...]
    redacted_url: str
    client_kwargs: Mapping[str, Any] = field(repr=False, default_factory=dict)
    credentials: CredentialProvider | None = field(repr=False, default=None)
    """When ``prism.yaml`` names a provider: asked on every new connection (AUTH), replacing
    the URL's user name and password."""

    def __repr__(self) -> str:
        mode = "cluster" if self.cluster else "standalone"
        return f"RedisConfig({self.redacted_url!r}, {mode})"


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _port(parts: SplitResult) -> int | None:
    """The URL's port, None when absent, -1 when it is not a port."""
    try:
        return parts.port
    except ValueError:
        return -1


def parse_config(backend: str, connection: str | None, options: Mapping[str, Any]) -> RedisConfig:
    """Check the connection string and the options; raise ``ConfigurationError`` naming the
    problem (never the password)."""
    url = connection or "redis://127.0.0.1:6379/0"
    scheme = scheme_of(url) or ""
    if scheme not in _SCHEMES:
        msg = (
            f"the {backend} connection must start with redis://, rediss://, "
            f"redis+cluster://, rediss+cluster:// or unix://; it is {describe(url)}"
        )
        raise ConfigurationError(msg, backend=backend)
    # from here on, text that fails to parse is named by its scheme only (it may hold a
    # password); a parser's own exception is not chained, since its text may quote the URL
    shown = f"{scheme}://..."
    parts = _split(url.strip())
    if parts is None:  # raised outside any handler: urllib's error may quote the URL
        msg = f"the {backend} connection ({shown}) is not a valid URL (check the host part)"
        raise ConfigurationError(msg, backend=backend)
    after = url.strip()[len(scheme) + 3 :]
    if "@" in after[len(parts.netloc) :]:
        msg = (
            f"the {backend} connection ({shown}) has a user name or password with '/', '?' "
            "or '#' in it; percent-encode them in a URL (%2F, %3F, %23; '@' is %40)"
        )
        raise ConfigurationError(msg, backend=backend)
    shown = redact(url.strip())
    cluster, ssl = _SCHEMES[scheme]
    raw: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
    for name, value in options.items():
        raw[name] = value
    unknown = sorted(set(raw) - set(OPTIONS))
    if unknown:
        msg = (
            f"{backend}: unknown option(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(OPTIONS))}"
        )
        raise ConfigurationError(msg, backend=backend)
    opts = {**DEFAULTS}
    for name, value in raw.items():
        try:
            opts[name] = OPTIONS[name](value, name)
        except ConfigurationError as exc:
            raise ConfigurationError(exc.message, backend=backend) from None

    port = _port(parts)
    if port == -1:
        msg = (
            f"the {backend} connection ({scheme}://...) has no valid port: write "
            f"{scheme}://[user:password@]host[:port], the port a number up to 65535"
        )
        raise ConfigurationError(msg, backend=backend)
    unix_path = parts.path if scheme == "unix" else None
    host = parts.hostname or "127.0.0.1"
    db = 0
    if scheme != "unix" and parts.path not in ("", "/"):
        text = parts.path.lstrip("/")
        if not text.isdigit():
            msg = f"{backend} connection {shown!r}: the path must be a database number"
            raise ConfigurationError(msg, backend=backend)
        db = int(text)
    db = int(opts.get("db", db))
    if "cluster" in opts:
        if cluster and not opts["cluster"]:
            msg = f"{backend}: the connection {shown!r} names a cluster but the option cluster is false"
            raise ConfigurationError(msg, backend=backend)
        cluster = bool(opts["cluster"])
    elif backend == "redis-cluster":
        cluster = True
    if cluster and db != 0:
        msg = f"{backend}: Redis Cluster has only database 0, the connection asks for {db}"
        raise ConfigurationError(msg, backend=backend)
    if cluster and unix_path is not None:
        msg = f"{backend}: a cluster cannot be reached through a unix:// socket"
        raise ConfigurationError(msg, backend=backend)
    ssl = bool(opts.get("ssl", ssl))

    kwargs: dict[str, Any] = {k: v for k, v in opts.items() if k not in _OWN}
    if parts.username and "username" not in opts:
        kwargs["username"] = unquote(parts.username)
    if parts.password is not None and "password" not in opts:
        kwargs["password"] = unquote(parts.password)
    if ssl:
        kwargs["ssl"] = True
    elif any(k.startswith("ssl_") for k in kwargs):
        msg = f"{backend}: ssl_* options need a rediss:// connection (or the option ssl: true)"
        raise ConfigurationError(msg, backend=backend)
    kwargs.pop("key_prefix", None)
    return RedisConfig(
        backend=backend,
        cluster=cluster,
        host=host,
        port=port or 6379,
        db=db,
        ssl=ssl,
        unix_path=unix_path,
        key_prefix=opts["key_prefix"],
        retries=int(opts["retries"]),
        socket_timeout=opts["socket_timeout"],
        startup_nodes=tuple(opts.get("startup_nodes", ())),
        redacted_url=shown,
        client_kwargs=kwargs,
    )
