"""Translation of clickhouse-driver and chdb exceptions into prism errors (used with
:func:`prism.backends.translating`, so the original is always chained).

Both drivers report the server's error code (``Code: N.``); the table maps codes:

=========================================================  ===================================
driver exception / ClickHouse error code                   prism error
=========================================================  ===================================
connection refused or lost, socket timeout (209, 210,      BackendUnavailableError
95, 96), ``OSError``/``EOFError`` from the socket, too
many simultaneous queries (202), memory limit (241),
timeout exceeded (159)
unknown user (192), wrong password (193), password         ConfigurationError
required (194), authentication failed (516), access
denied (497), unknown database (81), the chdb engine
already open on another path (36 with that text)
any other clickhouse-driver or chdb error                  PrismError("unexpected ...")
=========================================================  ===================================

No driver is imported here: errors are recognised by their module, so the native transport
works without chdb installed and the other way round.
"""

from __future__ import annotations

import re

from prism._redact import redact
from prism.errors import BackendUnavailableError, ConfigurationError, PrismError

__all__ = ["AUTH_CODES", "UNAVAILABLE_CODES", "error_code", "translate"]

AUTH_CODES = frozenset({81, 192, 193, 194, 497, 516})
UNAVAILABLE_CODES = frozenset({95, 96, 159, 202, 209, 210, 241})
_CODE = re.compile(r"Code:\s*(\d+)")


def error_code(exc: BaseException) -> int | None:
    """The ClickHouse error code of a driver exception, if it carries one."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code
    found = _CODE.search(str(exc))
    return int(found.group(1)) if found else None


def _text(exc: BaseException) -> str:
    """The first line of the server's message (no stack trace), without secrets."""
    text = str(exc).strip()
    text = text.split("Stack trace", 1)[0].strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and re.fullmatch(r"Code:\s*\d+\.?", lines[0]):
        lines = [f"{lines[0]} {lines[1]}"]
    return redact(lines[0][:500] if lines else type(exc).__name__)


def _is_driver_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    if module.startswith(("clickhouse_driver", "chdb")):
        return True
    return isinstance(exc, RuntimeError) and "DB::Exception" in str(exc)


def translate(exc: BaseException) -> PrismError | None:
    """The prism error for a clickhouse-driver / chdb exception; None when not theirs."""
    if isinstance(exc, OSError | EOFError):  # the native transport's socket
        return BackendUnavailableError(f"ClickHouse is unavailable: {_text(exc)}")
    if not _is_driver_error(exc):
        return None
    code = error_code(exc)
    text = _text(exc)
    if code in AUTH_CODES:
        return ConfigurationError(
            f"ClickHouse refused the connection or the statement ({text}); check the user, "
            "password and database of the connection"
        )
    if code == 36 and "already initialized with path" in str(exc):
        return ConfigurationError(
            "chdb runs one engine per process and it is already open on another path; every "
            f"clickhouse backend of this process must use the same chdb path ({text})"
        )
    if code in UNAVAILABLE_CODES or type(exc).__name__ in ("NetworkError", "SocketTimeoutError"):
        return BackendUnavailableError(f"ClickHouse is unavailable: {text}")
    return PrismError(f"unexpected ClickHouse error: {text}")
