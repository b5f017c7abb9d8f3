"""Translation of gremlinpython / transport exceptions into prism errors.

===========================================================  ====================================
driver exception                                             prism error
===========================================================  ====================================
``GremlinServerError`` "already exists" (TinkerGraph,       ConflictError
Neptune ``ConstraintViolationException``)
``GremlinServerError`` ``ConcurrentModificationException``   retried (option ``retries``), then
(Neptune's throttling of conflicting writes)                 ConflictError
``GremlinServerError`` 401 / 407 / ``AccessDenied``, a      ConfigurationError
handshake refused with 403 (Neptune IAM)
``GremlinServerError`` 598 (server timeout), client          BackendUnavailableError
timeouts, refused or lost connections (``OSError``,
aiohttp client errors)
===========================================================  ====================================
"""

from __future__ import annotations

import asyncio
import concurrent.futures

from prism._redact import redact
from prism.errors import BackendUnavailableError, ConfigurationError, ConflictError, PrismError

__all__ = ["is_retryable", "translate"]


def _text(exc: BaseException) -> str:
    text = str(exc).strip()
    return redact(text.splitlines()[0] if text else type(exc).__name__)[:500]


def _server_error(exc: BaseException) -> bool:
    return type(exc).__name__ == "GremlinServerError"


def is_retryable(exc: BaseException) -> bool:
    """Neptune's ConcurrentModificationException: the request may succeed when sent again."""
    return _server_error(exc) and "ConcurrentModificationException" in str(exc)


def translate(exc: BaseException) -> PrismError | None:
    """The prism error for a driver exception; None when unexpected."""
    if _server_error(exc):
        code = getattr(exc, "status_code", 0)
        text = str(exc)
        if "already exists" in text.lower():
            return ConflictError(f"duplicate id: {_text(exc)}")
        if is_retryable(exc):
            return ConflictError(f"concurrent modification, retries exhausted: {_text(exc)}")
        if code in (401, 407) or "AccessDenied" in text:
            return ConfigurationError(
                f"the Gremlin server refused the credentials ({_text(exc)}); check IAM (iam, "
                "region, the AWS credential chain) or the server's authentication"
            )
        if code == 598 or "TimeLimitExceeded" in text:
            return BackendUnavailableError(f"the Gremlin server timed out: {_text(exc)}")
        return None
    if "HTTP Error code 403" in str(exc):  # gremlinpython's refused WebSocket handshake
        return ConfigurationError(
            "the Gremlin server refused the WebSocket handshake (403): check IAM (iam, region, "
            "the credential provider or AWS credential chain) and the IAM policy (prism acl)"
        )
    if isinstance(exc, asyncio.TimeoutError | concurrent.futures.TimeoutError | TimeoutError):
        return BackendUnavailableError(
            "the Gremlin server did not answer in time (see the 'timeout' option)"
        )
    if isinstance(exc, OSError | ConnectionError) or type(exc).__module__.startswith("aiohttp"):
        return BackendUnavailableError(f"the Gremlin server is unavailable: {_text(exc)}")
    return None
