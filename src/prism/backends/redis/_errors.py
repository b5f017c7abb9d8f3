"""redis-py exceptions → prism errors, for the shared helper in ``prism.backends._errors``
(``translating`` / ``translated``): anything that is not redis-py's (or a socket error) is not
translated and propagates unchanged.

Backend-internal: imported only by the backend modules, never by ``import prism``.

| redis-py | prism | why |
|---|---|---|
| AuthenticationError, AuthorizationError, NoPermissionError, NOAUTH / WRONGPASS replies | ConfigurationError | the credentials or ACLs in the configuration are wrong; retrying will not help |
| ConnectionError, TimeoutError, BusyLoadingError, ClusterDownError, TryAgainError, MOVED/ASK, ReadOnlyError, OutOfMemoryError, SlotNotCoveredError, OSError | BackendUnavailableError | the server is unreachable, loading, failing over or full: retrying later may succeed |
| WatchError | ConflictError | a WATCHed key changed: the optimistic transaction lost the race |
| ResponseError ``WRONGTYPE`` | ConflictError | the key exists and holds another Redis type: the operation conflicts with data already stored (it is not an unsupported operation, so not UnsupportedError).  Inside prism's key layout each model has its own key space, so this only happens when something outside prism wrote the key |
| DataError | InvalidArgumentError | redis-py refused an argument client-side |
| any other ResponseError, any other RedisError | PrismError | an unexpected server reply, shown redacted |
| UnicodeError | InvalidArgumentError | a name that cannot be encoded (a lone surrogate) |
| anything else | (not translated) | a bug in prism or the caller: it propagates unchanged |
"""

from __future__ import annotations

from redis import exceptions as rx  # noqa: TID253 (backend-internal module)

from prism._redact import redact
from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    ConflictError,
    InvalidArgumentError,
    PrismError,
)

__all__ = ["NoScriptError", "WatchError", "response_text", "translate"]

NoScriptError = rx.NoScriptError
WatchError = rx.WatchError

_CONFIG = (
    rx.AuthenticationError,
    rx.AuthorizationError,
    rx.NoPermissionError,
    rx.AuthenticationWrongNumberOfArgsError,
)
_UNAVAILABLE = (
    rx.ConnectionError,
    rx.TimeoutError,
    rx.ClusterDownError,
    rx.TryAgainError,
    rx.AskError,
    rx.ReadOnlyError,
    rx.OutOfMemoryError,
    rx.SlotNotCoveredError,
    OSError,
    TimeoutError,
    EOFError,
)
_UNAVAILABLE_REPLIES = (
    "MOVED",
    "ASK",
    "CLUSTERDOWN",
    "TRYAGAIN",
    "LOADING",
    "MASTERDOWN",
    "READONLY",
    "OOM",
    "BUSY",
)
_CONFIG_REPLIES = ("NOAUTH", "WRONGPASS", "NOPERM")


def response_text(exc: BaseException) -> str:
    """The server's reply text of a ResponseError (else ``""``), for callers that map a
    specific reply (``index out of range``) to a specific prism error."""
    return str(exc) if isinstance(exc, rx.ResponseError) else ""


def translate(exc: BaseException) -> PrismError | None:
    """The most specific prism error for ``exc``; None when ``exc`` is not redis-py's."""
    text = redact(str(exc))
    if isinstance(exc, UnicodeError):
        return InvalidArgumentError("names must be valid unicode text (no lone surrogates)")
    if isinstance(exc, _CONFIG):
        return ConfigurationError(f"redis refused the credentials or permissions: {text}")
    if isinstance(exc, rx.WatchError):
        return ConflictError("a key this transaction touched was changed by another client")
    if isinstance(exc, rx.CrossSlotTransactionError | rx.ClusterCrossSlotError):
        return PrismError(f"keys of one namespace landed in different slots: {text}")
    if isinstance(exc, _UNAVAILABLE):
        return BackendUnavailableError(f"redis is unavailable: {type(exc).__name__}: {text}")
    if isinstance(exc, rx.ResponseError):
        code = text.split(" ", 1)[0]
        if code == "WRONGTYPE":
            return ConflictError(
                "the Redis key exists and holds another data type (WRONGTYPE); it was written "
                "outside prism's key layout"
            )
        if code in _CONFIG_REPLIES:
            return ConfigurationError(f"redis refused the credentials or permissions: {text}")
        if code in _UNAVAILABLE_REPLIES:
            return BackendUnavailableError(f"redis is unavailable: {text}")
        return PrismError(f"redis error: {text}")
    if isinstance(exc, rx.RedisClusterException):
        return BackendUnavailableError(f"redis cluster is unavailable: {text}")
    if isinstance(exc, rx.DataError):
        return InvalidArgumentError(f"redis refused an argument: {text}")
    if isinstance(exc, rx.RedisError):
        return PrismError(f"redis error: {type(exc).__name__}: {text}")
    return None
