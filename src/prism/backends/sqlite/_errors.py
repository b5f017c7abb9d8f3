"""Translation of ``sqlite3`` exceptions into prism errors (used with
:func:`prism.backends._errors.translating`, so the original is always chained).

=====================================================  ===========================================
SQLite result (primary code)                           prism error
=====================================================  ===========================================
BUSY, LOCKED ("database is locked")                    BackendUnavailableError (retry later)
IOERR, FULL, NOMEM, INTERRUPT                          BackendUnavailableError
CANTOPEN, PERM, READONLY, AUTH                         ConfigurationError naming the file
NOTADB, CORRUPT ("file is not a database")             ConfigurationError naming the file
CONSTRAINT (``sqlite3.IntegrityError``)                ConflictError (a duplicate)
TOOBIG                                                 ValueTooLargeError
anything else                                          PrismError("unexpected ...")
=====================================================  ===========================================
"""

from __future__ import annotations

import sqlite3

from prism._redact import redact
from prism.backends._errors import Translate
from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    ConflictError,
    PrismError,
    ValueTooLargeError,
)

__all__ = ["translator"]

BACKEND = "sqlite"

# primary result codes (https://www.sqlite.org/rescode.html)
_PERM, _BUSY, _LOCKED, _NOMEM, _READONLY, _INTERRUPT, _IOERR = 3, 5, 6, 7, 8, 9, 10
_CORRUPT, _FULL, _CANTOPEN, _TOOBIG, _CONSTRAINT, _AUTH, _NOTADB = 11, 13, 14, 18, 19, 23, 26


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def translator(location: str) -> Translate:
    """The translation for one database; ``location`` names it in messages (a file path or
    ``in-memory database ...``)."""

    def translate(exc: BaseException) -> PrismError | None:
        if not isinstance(exc, sqlite3.Error):
            return None
        text = redact(str(exc))
        code = _code(exc)
        if isinstance(exc, sqlite3.IntegrityError) or code == _CONSTRAINT:
            return ConflictError(f"constraint violated in {location}: {text}")
        if code in (_BUSY, _LOCKED) or "locked" in text or "busy" in text:
            return BackendUnavailableError(
                f"{location} is locked by another connection and stayed locked for the whole "
                f"busy_timeout ({text}); retry later or raise the 'busy_timeout' option"
            )
        if code in (_NOTADB, _CORRUPT) or "not a database" in text or "malformed" in text:
            return ConfigurationError(
                f"{location} is not a usable SQLite database ({text}); point the connection at "
                "a SQLite file written by prism, or at a path where a new one may be created"
            )
        if code in (_CANTOPEN, _PERM, _READONLY, _AUTH) or "unable to open" in text:
            return ConfigurationError(
                f"cannot open or write {location} ({text}); check that the path is a file (not a "
                "directory), that its folder exists, and that this process may read and write it"
            )
        if code == _TOOBIG:
            return ValueTooLargeError(f"value too large for {location}: {text}")
        if code in (_IOERR, _FULL, _NOMEM, _INTERRUPT):
            return BackendUnavailableError(f"{location} failed: {text}")
        return None

    return translate
