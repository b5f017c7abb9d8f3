"""Translation of psycopg exceptions into prism errors (used with
:func:`prism.backends.translating`, so the original is always chained).

==============================================================  ================================
psycopg exception / SQLSTATE                                    prism error
==============================================================  ================================
connection refused or lost, ``OperationalError`` (08xxx),       BackendUnavailableError
admin shutdown / crash shutdown / cannot connect now (57P0x),
pool timeout, too many connections (53300), query canceled
unique violation (23505), exclusion violation (23P01)           ConflictError
serialization failure (40001), deadlock detected (40P01)        ConflictError (after retries)
invalid password / authorization (28xxx), unknown database      ConfigurationError
(3D000), insufficient privilege (42501)
program limit exceeded (54xxx)                                  ValueTooLargeError
anything else                                                   PrismError("unexpected ...")
==============================================================  ================================
"""

from __future__ import annotations

import psycopg  # noqa: TID253 (backend-internal module)
import psycopg_pool

from prism._redact import redact
from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    ConflictError,
    PrismError,
    ValueTooLargeError,
)

__all__ = ["RETRYABLE", "translate"]

RETRYABLE = frozenset({"40001", "40P01"})
"""Serialization failure and deadlock: the statement may succeed when run again."""

_UNAVAILABLE_CLASSES = ("08", "53", "57")


def _text(exc: BaseException) -> str:
    return redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


def translate(exc: BaseException) -> PrismError | None:
    """The prism error for a psycopg / psycopg_pool exception; None when unexpected."""
    if isinstance(exc, psycopg_pool.PoolTimeout | psycopg_pool.PoolClosed):
        return BackendUnavailableError(
            f"no PostgreSQL connection could be had ({_text(exc)}); the server may be down or "
            "every pooled connection busy (see the 'max_size' and 'timeout' options)"
        )
    if not isinstance(exc, psycopg.Error):
        return None
    state = exc.sqlstate or ""
    text = _text(exc)
    if state in ("23505", "23P01"):
        return ConflictError(f"duplicate: {text}")
    if state in RETRYABLE:
        return ConflictError(f"concurrent update conflict: {text}")
    refused = isinstance(exc, psycopg.OperationalError) and "authentication failed" in text
    if state.startswith("28") or state in ("3D000", "42501") or refused:
        return ConfigurationError(
            f"PostgreSQL refused the connection or the statement ({text}); check the user, "
            "password, database name and privileges of the connection"
        )
    if state.startswith("54"):
        return ValueTooLargeError(f"value too large for PostgreSQL: {text}")
    if (
        state.startswith(_UNAVAILABLE_CLASSES)
        or state == "57014"
        or isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
    ):
        return BackendUnavailableError(f"PostgreSQL is unavailable: {text}")
    return None
