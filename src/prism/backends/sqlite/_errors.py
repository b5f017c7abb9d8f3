"""Translation of ``sqlite3`` exceptions into prism errors, for the shared helper in
:mod:`prism.backends._errors` (``translating`` / ``translated``), so the original is always
chained.  Every ``sqlite3.Error`` becomes a prism error; anything else that is not I/O (a bug in
prism's own code) is not translated and propagates unchanged.

=====================================================  ===========================================
SQLite result (primary code) / exception                prism error
=====================================================  ===========================================
BUSY, LOCKED ("database is locked")                    BackendUnavailableError (retry later)
IOERR, FULL, NOMEM, INTERRUPT                          BackendUnavailableError
CANTOPEN, PERM, READONLY, AUTH                         ConfigurationError naming the file
NOTADB, CORRUPT ("file is not a database")             ConfigurationError naming the file
CONSTRAINT (``sqlite3.IntegrityError``)                ConflictError (a duplicate)
TOOBIG (``sqlite3.DataError``)                         ValueTooLargeError
other ``sqlite3.DataError``                            InvalidArgumentError
``sqlite3.ProgrammingError`` on a closed connection    BackendUnavailableError
``sqlite3.NotSupportedError``                          UnsupportedError
any other ``sqlite3.Error`` (the driver's base class)  PrismError ("sqlite error: ...")
``PermissionError``                                    ConfigurationError naming the file
any other ``OSError`` (I/O on the database's files)    BackendUnavailableError
anything else                                          not translated: propagates unchanged
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
    InvalidArgumentError,
    PrismError,
    UnsupportedError,
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
        if isinstance(exc, sqlite3.Error):
            return _translate_sqlite(exc, location)
        if isinstance(exc, PermissionError):
            return ConfigurationError(
                f"this process may not read or write {location} ({exc.strerror}); check the "
                "permissions of the file and its folder"
            )
        if isinstance(exc, OSError):
            return BackendUnavailableError(
                f"I/O on {location} failed: {type(exc).__name__}: {redact(str(exc))}"
            )
        return None

    return translate


def _translate_sqlite(exc: sqlite3.Error, location: str) -> PrismError:
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
    if code == _TOOBIG or "too big" in text:
        return ValueTooLargeError(f"value too large for {location}: {text}")
    if code in (_IOERR, _FULL, _NOMEM, _INTERRUPT):
        return BackendUnavailableError(f"{location} failed: {text}")
    if isinstance(exc, sqlite3.DataError):
        return InvalidArgumentError(f"{location} refused a value: {text}")
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in text:
        return BackendUnavailableError(f"the connection to {location} is closed: {text}")
    if isinstance(exc, sqlite3.NotSupportedError):
        return UnsupportedError(f"this SQLite build cannot do that on {location}: {text}")
    return PrismError(f"sqlite error on {location}: {type(exc).__name__}: {text}")
