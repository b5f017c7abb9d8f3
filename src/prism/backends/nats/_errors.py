"""Translation of nats-py exceptions into prism errors (used with
:func:`prism.backends.translating`, so the original is always chained).

=========================================================  ===================================
nats-py exception                                          prism error
=========================================================  ===================================
no servers, connection closed / draining, timeouts,        BackendUnavailableError
stale connection, JetStream unavailable, no responders
authorization violation, bad credentials                   ConfigurationError
max payload exceeded                                       ValueTooLargeError
wrong last sequence (a compare-and-set lost)               ConflictError
a stream at its limits refusing a write ("maximum ...")    PrismError (not unavailable: the
                                                           server is up)
any other ``nats.errors.Error`` / JetStream API error      PrismError("unexpected ...")
=========================================================  ===================================
"""

from __future__ import annotations

import asyncio

import nats.errors  # noqa: TID253 (backend-internal module)
import nats.js.errors  # noqa: TID253

from prism._redact import redact
from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    ConflictError,
    PrismError,
    ValueTooLargeError,
)

__all__ = ["translate"]

_UNAVAILABLE = (
    nats.errors.NoServersError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionDrainingError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.TimeoutError,
    nats.errors.StaleConnectionError,
    nats.errors.NoRespondersError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.FlushTimeoutError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.ServerError,
    asyncio.TimeoutError,
    ConnectionError,
)


def _text(exc: BaseException) -> str:
    text = str(exc).strip()
    return redact(text.splitlines()[0] if text else type(exc).__name__)


def translate(exc: BaseException) -> PrismError | None:
    """The prism error for a nats-py exception; None when it is not nats-py's."""
    if isinstance(exc, nats.errors.AuthorizationError) or (
        type(exc) is nats.errors.Error and "authori" in str(exc).lower()
    ):
        return ConfigurationError(
            f"the NATS server refused the credentials ({_text(exc)}); check token, user/password, "
            "creds or nkey"
        )
    if isinstance(exc, nats.errors.MaxPayloadError):
        return ValueTooLargeError(
            f"message larger than the NATS server's max_payload: {_text(exc)}"
        )
    if isinstance(exc, nats.js.errors.KeyWrongLastSequenceError):
        return ConflictError(f"concurrent update: {_text(exc)}")
    if isinstance(exc, nats.js.errors.APIError) and "maximum" in str(exc.description or ""):
        # a stream at its limits with ``discard: new`` refuses writes (503, "maximum messages
        # exceeded"): the server is up and the write will not succeed by waiting for it
        return PrismError(f"the NATS stream refused the write at its limits: {_text(exc)}")
    if isinstance(exc, _UNAVAILABLE):
        return BackendUnavailableError(f"NATS is unavailable: {_text(exc)}")
    if isinstance(exc, nats.errors.Error | nats.js.errors.Error):
        return PrismError(f"unexpected NATS error: {_text(exc)}")
    return None
