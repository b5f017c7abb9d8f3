"""nats's connection settings, checked without connecting (``prism validate``).

The connection is one server URL or a comma-separated list of them,
``nats://[user:password@|token@]host:port`` (``tls://`` for TLS), or omitted for
``nats://127.0.0.1:4222``.  Options (under ``options:``, passed through to nats-py):

* ``servers`` — a list of URLs (instead of, or besides, the connection string);
* ``token``; ``user`` and ``password``; ``creds`` (a credentials file); ``nkey`` (an nkey seed
  file) — never shown in reprs or errors;
* ``tls_ca``, ``tls_cert``, ``tls_key`` (file paths) and ``tls_hostname``: TLS;
* ``name`` (the client name the server shows; default ``prism``);
* ``max_reconnect_attempts`` (-1: forever, the default), ``reconnect_time_wait`` (seconds),
  ``connect_timeout`` (seconds), ``allow_reconnect`` (default true);
* ``request_timeout`` — seconds to wait for a JetStream API answer (default 5);
* ``max_deliver`` — ``MaxDeliver`` of the durable consumers behind durable subscriptions: how
  many times JetStream delivers an unacknowledged message (-1: until acknowledged, the default,
  which is what at-least-once delivery promises; a positive limit lets JetStream give up on a
  message after that many deliveries);
* ``prefix`` — the first subject token and stream-name prefix of everything prism makes
  (default ``prism``; letters, digits, ``-`` and ``_``).

Nothing here imports nats-py, and no error text quotes the connection string or a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prism._redact import describe, redact
from prism.errors import ConfigurationError

__all__ = ["NatsConfig", "parse_config"]

SECRET_OPTIONS = frozenset({"token", "password"})
STRING_OPTIONS = ("token", "user", "password", "creds", "nkey", "tls_ca", "tls_cert", "tls_key",
                  "tls_hostname", "name", "prefix")  # fmt: skip
NUMBER_OPTIONS = ("reconnect_time_wait", "connect_timeout", "request_timeout")
KNOWN = frozenset(
    {
        *STRING_OPTIONS,
        *NUMBER_OPTIONS,
        "servers",
        "max_reconnect_attempts",
        "allow_reconnect",
        "max_deliver",
    }
)
_SCHEMES = ("nats://", "tls://", "ws://", "wss://")
_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


@dataclass(frozen=True)
class NatsConfig:
    """What the backend connects with.  ``repr`` never shows a secret."""

    servers: tuple[str, ...] = field(default=("nats://127.0.0.1:4222",), repr=False)
    strings: Mapping[str, str] = field(default_factory=dict, repr=False)
    max_reconnect_attempts: int = -1
    reconnect_time_wait: float = 0.5
    connect_timeout: float = 5.0
    request_timeout: float = 5.0
    allow_reconnect: bool = True
    max_deliver: int = -1
    prefix: str = "prism"

    @property
    def redacted(self) -> str:
        shown = {k: ("***" if k in SECRET_OPTIONS else v) for k, v in self.strings.items()}
        return f"{','.join(redact(s) for s in self.servers)} {shown}"

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``nats.connect`` (TLS context built here, lazily)."""
        s = self.strings
        kwargs: dict[str, Any] = {
            "servers": list(self.servers),
            "name": s.get("name", "prism"),
            "allow_reconnect": self.allow_reconnect,
            "max_reconnect_attempts": self.max_reconnect_attempts,
            "reconnect_time_wait": self.reconnect_time_wait,
            "connect_timeout": self.connect_timeout,
        }
        if "token" in s:
            kwargs["token"] = s["token"]
        if "user" in s:
            kwargs["user"] = s["user"]
        if "password" in s:
            kwargs["password"] = s["password"]
        if "creds" in s:
            kwargs["user_credentials"] = s["creds"]
        if "nkey" in s:
            kwargs["nkeys_seed"] = s["nkey"]
        if any(k in s for k in ("tls_ca", "tls_cert", "tls_key")):
            import ssl

            context = ssl.create_default_context(cafile=s.get("tls_ca"))
            if "tls_cert" in s:
                context.load_cert_chain(s["tls_cert"], s.get("tls_key"))
            kwargs["tls"] = context
            if "tls_hostname" in s:
                kwargs["tls_hostname"] = s["tls_hostname"]
        return kwargs

    def __repr__(self) -> str:
        return f"NatsConfig({self.redacted}, prefix={self.prefix!r})"


def _fail(backend: str, msg: str) -> ConfigurationError:
    return ConfigurationError(msg, backend=backend)


def parse_config(backend: str, connection: str | None, options: Mapping[str, Any]) -> NatsConfig:
    """The connection and options as the backend will use them; ``ConfigurationError`` naming
    what is wrong and what is allowed (never quoting the connection string or a secret)."""
    unknown = sorted(str(k) for k in set(options) - KNOWN)
    if unknown:
        msg = f"unknown {backend} option(s) {', '.join(unknown)}; known: {', '.join(sorted(KNOWN))}"
        raise _fail(backend, msg)
    servers: list[str] = []
    for part in (connection or "").split(","):
        if part.strip():
            servers.append(part.strip())
    extra = options.get("servers", [])
    if isinstance(extra, str) or not isinstance(extra, list | tuple):
        msg = f"{backend} option 'servers' must be a list of URLs"
        raise _fail(backend, msg)
    servers.extend(str(s).strip() for s in extra)
    for url in servers:
        if not url.startswith(_SCHEMES):
            msg = (
                f"a {backend} server is a URL nats://[user:password@]host:port (or tls://, ws://, "
                f"wss://); got {describe(url)}"
            )
            raise _fail(backend, msg)
    strings: dict[str, str] = {}
    for key in STRING_OPTIONS:
        if key in options:
            value = options[key]
            if not isinstance(value, str) or not value:
                shown = "a secret" if key in SECRET_OPTIONS else repr(value)
                msg = f"{backend} option {key!r} must be a non-empty string; got {shown}"
                raise _fail(backend, msg)
            strings[key] = value
    kwargs: dict[str, Any] = {}
    for key in NUMBER_OPTIONS:
        if key in options:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                msg = (
                    f"{backend} option {key!r} must be a positive number of seconds; got {value!r}"
                )
                raise _fail(backend, msg)
            kwargs[key] = float(value)
    if "max_reconnect_attempts" in options:
        value = options["max_reconnect_attempts"]
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            msg = (
                f"{backend} option 'max_reconnect_attempts' must be an integer >= -1 "
                f"(-1: forever); got {value!r}"
            )
            raise _fail(backend, msg)
        kwargs["max_reconnect_attempts"] = value
    if "max_deliver" in options:
        value = options["max_deliver"]
        if isinstance(value, bool) or not isinstance(value, int) or value == 0 or value < -1:
            msg = (
                f"{backend} option 'max_deliver' must be a positive integer or -1 (deliver "
                f"until acknowledged); got {value!r}"
            )
            raise _fail(backend, msg)
        kwargs["max_deliver"] = value
    if "allow_reconnect" in options:
        if not isinstance(options["allow_reconnect"], bool):
            msg = f"{backend} option 'allow_reconnect' must be true or false"
            raise _fail(backend, msg)
        kwargs["allow_reconnect"] = options["allow_reconnect"]
    prefix = strings.pop("prefix", "prism")
    if not _PREFIX.fullmatch(prefix):
        msg = (
            f"{backend} option 'prefix' must be 1-32 letters, digits, '-' or '_' starting with a "
            f"letter or digit; got {prefix!r}"
        )
        raise _fail(backend, msg)
    if "tls_key" in strings and "tls_cert" not in strings:
        msg = f"{backend} option 'tls_key' needs 'tls_cert'"
        raise _fail(backend, msg)
    return NatsConfig(
        servers=tuple(servers) or ("nats://127.0.0.1:4222",),
        strings=strings,
        prefix=prefix,
        **kwargs,
    )
