"""The connection settings of the object-store backends, checked without connecting.

The connection is one of

* ``s3://bucket[/prefix]`` — AWS S3 (endpoint from the ``endpoint_url`` option, else the
  driver's default for the region);
* ``http[s]://[access_key[:secret_key]@]host[:port]/bucket[/prefix]`` — any S3-compatible
  endpoint (MinIO, moto, Ceph, R2 ...), path-style addressing unless said otherwise;

or omitted, with everything under ``options:``.  Query parameters (``?region=eu-west-1``) are read
as options of the same name.  Options: ``endpoint_url``, ``region``, ``bucket``, ``prefix``
(default ``prism/``), ``addressing_style`` (``auto``/``path``/``virtual``), ``access_key``,
``secret_key``, ``session_token``, ``profile`` (boto3 only), ``verify`` (bool), ``ca_bundle``
(a file), ``connect_timeout`` and ``read_timeout`` (seconds), ``retry_mode``
(``standard``/``adaptive``/``legacy``, boto3), ``max_attempts``, ``multipart_threshold`` and
``part_size`` (bytes, at least 5 MiB), ``max_workers`` (parallel requests per backend and per
batch), ``sweep_every`` (writes between two sweeps of expired keys, 0 = never),
``bucket_per_namespace`` (bool: each namespace in a bucket of its own, named
``<namespace_bucket_prefix>-<namespace>`` — see ``_layout.bucket_name``), ``namespace_bucket_prefix``
(default: the ``bucket``), ``create_buckets`` (bool: create a namespace's bucket on first use),
``install_lifecycle`` (bool, s3 only: install the bucket lifecycle rules of ``_lifecycle``),
``clock`` (a callable returning epoch seconds, for the TTL rules; default ``time.time``; the
compliance suites pass a ``ManualClock``).
``${VAR}`` anywhere is expanded by the config loader.  Without credentials the driver's default
chain applies (environment, shared profile, instance or container role).

No error text quotes the connection string or a secret; ``repr`` shows neither.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from prism._redact import scheme_of
from prism.credentials import CredentialProvider
from prism.errors import ConfigurationError

__all__ = ["MIB", "OPTIONS", "ObjectConfig", "parse_config"]

MIB = 1024 * 1024
_STRINGS = (
    "endpoint_url", "region", "bucket", "prefix", "addressing_style", "access_key",
    "secret_key", "session_token", "profile", "ca_bundle", "retry_mode",
    "namespace_bucket_prefix",
)  # fmt: skip
_NUMBERS = ("connect_timeout", "read_timeout")
_INTEGERS = (
    "max_attempts", "multipart_threshold", "part_size", "max_workers", "sweep_every",
)  # fmt: skip
_BOOLEANS = ("verify", "bucket_per_namespace", "create_buckets", "install_lifecycle")
OPTIONS = frozenset((*_STRINGS, *_NUMBERS, *_INTEGERS, *_BOOLEANS, "clock"))
BUCKET_PREFIX_MAX = 40
"""The longest ``namespace_bucket_prefix``: room is left for ``-``, part of the namespace,
``--`` and a 16-digit hash within S3's 63 characters."""
_BUCKET_PREFIX = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_RESERVED_STARTS = ("xn--", "sthree-", "amzn-s3-demo-")
SECRETS = frozenset({"secret_key", "session_token"})
_CHOICES = {
    "addressing_style": ("auto", "path", "virtual"),
    "retry_mode": ("standard", "adaptive", "legacy"),
}


@dataclass(frozen=True)
class ObjectConfig:
    """What the backend connects with.  ``repr`` never shows a secret."""

    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    prefix: str = "prism/"
    addressing_style: str = "auto"
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    profile: str | None = None
    verify: bool = True
    ca_bundle: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retry_mode: str = "standard"
    max_attempts: int = 3
    multipart_threshold: int = 16 * MIB
    part_size: int = 8 * MIB
    max_workers: int = 16
    sweep_every: int = 512
    bucket_per_namespace: bool = False
    namespace_bucket_prefix: str | None = None
    create_buckets: bool = False
    install_lifecycle: bool = False
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)
    """What the TTL rules read the time from (expiry deadlines are epoch seconds kept in each
    object's metadata, compared with this clock on every read)."""
    credentials: CredentialProvider | None = field(default=None, repr=False)
    """A ``prism.yaml`` credential provider: the access key id is its user name, the secret
    key its secret, ``extra['session_token']`` the session token (the ``aws`` provider gives
    all three); the driver asks it again when the credential expires."""

    @property
    def secure(self) -> bool:
        return self.endpoint_url is None or self.endpoint_url.startswith("https://")

    @property
    def where(self) -> str:
        """``bucket 'b' at <endpoint>`` for error text (no credentials in it)."""
        return f"bucket {self.bucket!r} at {self.endpoint_url or 'the AWS default endpoint'}"

    def __repr__(self) -> str:
        shown = "***" if self.access_key or self.secret_key else None
        return (
            f"ObjectConfig({self.where}, prefix={self.prefix!r}, region={self.region!r}, "
            f"addressing_style={self.addressing_style!r}, credentials={shown})"
        )


def _fail(backend: str, msg: str) -> ConfigurationError:
    return ConfigurationError(msg, backend=backend)


def _from_url(backend: str, connection: str) -> dict[str, Any]:
    scheme = scheme_of(connection)
    if scheme not in ("s3", "http", "https"):
        msg = (
            f"a {backend} connection is s3://bucket[/prefix] or "
            "http[s]://[access_key[:secret_key]@]host[:port]/bucket[/prefix]; the one given "
            + (f"has scheme {scheme!r}" if scheme else "has no scheme")
        )
        raise _fail(backend, msg)
    try:
        parts = urlsplit(connection)
        port = parts.port
    except ValueError:
        msg = f"the {backend} connection URL does not parse (check the host and port)"
        raise _fail(backend, msg) from None
    found: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
    path = unquote(parts.path).strip("/")
    if scheme == "s3":
        bucket, _, prefix = f"{parts.hostname or ''}/{path}".strip("/").partition("/")
    else:
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        found["endpoint_url"] = f"{scheme}://{host}" + (f":{port}" if port else "")
        bucket, _, prefix = path.partition("/")
        found.setdefault("addressing_style", "path")
    if bucket:
        found["bucket"] = bucket
    if prefix:
        found["prefix"] = prefix.rstrip("/") + "/"
    if parts.username:
        found["access_key"] = unquote(parts.username)
    if parts.password:
        found["secret_key"] = unquote(parts.password)
    return found


def _boolean(backend: str, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    msg = f"{backend} option {name!r} must be true or false; got {value!r}"
    raise _fail(backend, msg)


def _number(backend: str, name: str, value: Any, *, integer: bool, minimum: float) -> Any:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = int(value) if integer else float(value)
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or value < minimum:
        what = "an integer" if integer else "a number of seconds"
        msg = f"{backend} option {name!r} must be {what} >= {minimum}; got {value!r}"
        raise _fail(backend, msg)
    return value


def _check_buckets(backend: str, kwargs: dict[str, Any]) -> None:
    """The bucket-per-namespace and lifecycle options, checked together."""
    per_namespace = kwargs.get("bucket_per_namespace", False)
    for name in ("namespace_bucket_prefix", "create_buckets"):
        if kwargs.get(name) and not per_namespace:
            msg = f"{backend} option {name!r} needs 'bucket_per_namespace: true'"
            raise _fail(backend, msg)
    if kwargs.get("install_lifecycle") and backend != "s3":
        msg = (
            f"{backend} option 'install_lifecycle' is not supported: only the s3 backend "
            "installs lifecycle rules (allowed here: false)"
        )
        raise _fail(backend, msg)
    if not per_namespace:
        return
    prefix = kwargs.get("namespace_bucket_prefix") or kwargs.get("bucket")
    if not prefix:
        msg = (
            f"{backend} option 'bucket_per_namespace' needs 'namespace_bucket_prefix' (or a "
            "bucket, whose name is then the prefix of the namespaces' buckets)"
        )
        raise _fail(backend, msg)
    if (
        len(prefix) > BUCKET_PREFIX_MAX
        or not _BUCKET_PREFIX.fullmatch(prefix)
        or prefix.startswith(_RESERVED_STARTS)
    ):
        name = "namespace_bucket_prefix" if kwargs.get("namespace_bucket_prefix") else "bucket"
        msg = (
            f"{backend} option {name!r} is, under bucket_per_namespace, the prefix of the "
            "namespaces' bucket names and must "
            f"be 1-{BUCKET_PREFIX_MAX} lowercase letters, digits and single hyphens, starting "
            "and ending with a letter or digit, not starting with xn--, sthree- or "
            f"amzn-s3-demo-; got {prefix!r}"
        )
        raise _fail(backend, msg)
    kwargs["namespace_bucket_prefix"] = prefix
    kwargs.setdefault("bucket", prefix)


def parse_config(backend: str, connection: str | None, options: Mapping[str, Any]) -> ObjectConfig:
    """The settings as the backend will use them; ``ConfigurationError`` naming what is wrong
    and what is allowed (never quoting the connection string or a secret)."""
    merged: dict[str, Any] = _from_url(backend, connection.strip()) if connection else {}
    unknown = sorted(str(k) for k in set(options) | set(merged) if k not in OPTIONS)
    if unknown:
        msg = (
            f"unknown {backend} option(s) {', '.join(unknown)}; known: {', '.join(sorted(OPTIONS))}"
        )
        raise _fail(backend, msg)
    merged.update(options)
    kwargs: dict[str, Any] = {}
    for name in _STRINGS:
        if merged.get(name) is None:
            continue
        value = merged[name]
        if not isinstance(value, str):
            shown = "a secret" if name in SECRETS else repr(value)
            msg = f"{backend} option {name!r} must be a string; got {shown}"
            raise _fail(backend, msg)
        if name in _CHOICES and value not in _CHOICES[name]:
            msg = f"{backend} option {name!r} must be one of {', '.join(_CHOICES[name])}; got {value!r}"
            raise _fail(backend, msg)
        kwargs[name] = value
    for name in _NUMBERS:
        if merged.get(name) is not None:
            kwargs[name] = float(_number(backend, name, merged[name], integer=False, minimum=0.001))
    for name in _INTEGERS:
        if merged.get(name) is not None:
            least = 5 * MIB if name in ("part_size", "multipart_threshold") else 0
            least = 1 if name in ("max_attempts", "max_workers") else least
            kwargs[name] = _number(backend, name, merged[name], integer=True, minimum=least)
    for name in _BOOLEANS:
        if merged.get(name) is not None:
            kwargs[name] = _boolean(backend, name, merged[name])
    if merged.get("clock") is not None:
        if not callable(merged["clock"]):
            msg = f"{backend} option 'clock' must be a callable returning epoch seconds"
            raise _fail(backend, msg)
        kwargs["clock"] = merged["clock"]
    _check_buckets(backend, kwargs)
    if not kwargs.get("bucket"):
        msg = (
            f"the {backend} backend needs a bucket: in the connection URL "
            "(s3://bucket or http://host:port/bucket) or as the 'bucket' option"
        )
        raise _fail(backend, msg)
    prefix = kwargs.get("prefix")
    if prefix is not None and prefix and not prefix.endswith("/"):
        kwargs["prefix"] = prefix + "/"
    if bool(kwargs.get("access_key")) != bool(kwargs.get("secret_key")):
        msg = f"{backend} credentials need both access_key and secret_key (or neither)"
        raise _fail(backend, msg)
    config = ObjectConfig(**kwargs)
    if config.part_size > config.multipart_threshold:
        msg = (
            f"{backend} option 'part_size' ({config.part_size}) must not exceed "
            f"'multipart_threshold' ({config.multipart_threshold})"
        )
        raise _fail(backend, msg)
    return config
