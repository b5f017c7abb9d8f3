"""gremlin's (and neptune's) connection settings, checked without connecting.

The connection is a Gremlin Server WebSocket URL, ``ws://host:port/gremlin`` or
``wss://host:port/gremlin`` (Neptune: ``wss://<cluster endpoint>:8182/gremlin``).  Options:
``serializer`` (``graphbinary``, the default, or ``graphson``), ``pool_size`` (WebSocket
connections, also the async flavour's worker threads), ``timeout`` (seconds a request may take),
``traversal_source`` (default ``g``), ``retries`` (attempts after a Neptune
``ConcurrentModificationException``, default 5), and for Neptune ``iam`` (SigV4-sign the
WebSocket handshake with the AWS credential chain; default on for the ``neptune`` backend) with
``region`` (default: botocore's, e.g. ``AWS_REGION``).  Nothing here imports a driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from prism._redact import redact
from prism.errors import ConfigurationError

__all__ = ["OPTIONS", "GremlinConfig", "parse_config"]

OPTIONS = ("serializer", "pool_size", "timeout", "traversal_source", "retries", "iam", "region")
SERIALIZERS = ("graphbinary", "graphson")


@dataclass(frozen=True)
class GremlinConfig:
    """What the backend connects with (no secret is ever part of it)."""

    url: str = field(repr=False)
    serializer: str = "graphbinary"
    pool_size: int = 4
    timeout: float = 30.0
    traversal_source: str = "g"
    retries: int = 5
    iam: bool = False
    region: str | None = None

    def __repr__(self) -> str:
        return (
            f"GremlinConfig({redact(self.url)}, serializer={self.serializer}, "
            f"pool_size={self.pool_size}, timeout={self.timeout}, iam={self.iam})"
        )


def _fail(backend: str, text: str) -> ConfigurationError:
    return ConfigurationError(text, backend=backend)


def parse_config(backend: str, connection: str | None, options: Mapping[str, Any]) -> GremlinConfig:
    """The connection and options as the backend will use them; ``ConfigurationError`` naming
    what is wrong and what is allowed (never quoting the connection string)."""
    url = (connection or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        msg = (
            f"a {backend} connection is a WebSocket URL ws://host:port/gremlin or "
            "wss://host:port/gremlin; the one given is not"
        )
        raise _fail(backend, msg)
    if parts.password:
        msg = f"{backend} takes no password in the URL (Neptune signs requests with IAM: iam: true)"
        raise _fail(backend, msg)
    unknown = sorted(str(k) for k in set(options) - set(OPTIONS))
    if unknown:
        msg = f"unknown {backend} option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}"
        raise _fail(backend, msg)
    kwargs: dict[str, Any] = {"iam": backend == "neptune"}
    if "serializer" in options:
        if options["serializer"] not in SERIALIZERS:
            msg = f"{backend} option 'serializer' must be one of {', '.join(SERIALIZERS)}"
            raise _fail(backend, msg)
        kwargs["serializer"] = options["serializer"]
    for name, minimum in (("pool_size", 1), ("retries", 0)):
        if name in options:
            value = options[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                msg = f"{backend} option {name!r} must be an integer >= {minimum}; got {value!r}"
                raise _fail(backend, msg)
            kwargs[name] = value
    if "timeout" in options:
        value = options["timeout"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            msg = f"{backend} option 'timeout' must be a positive number of seconds; got {value!r}"
            raise _fail(backend, msg)
        kwargs["timeout"] = float(value)
    for name in ("traversal_source", "region"):
        if name in options:
            value = options[name]
            if not isinstance(value, str) or not value:
                msg = f"{backend} option {name!r} must be a non-empty string; got {value!r}"
                raise _fail(backend, msg)
            kwargs[name] = value
    if "iam" in options:
        if not isinstance(options["iam"], bool):
            msg = f"{backend} option 'iam' must be true or false; got {options['iam']!r}"
            raise _fail(backend, msg)
        kwargs["iam"] = options["iam"]
    return GremlinConfig(url=url, **kwargs)
