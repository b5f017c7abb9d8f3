"""Joining the application's own sqlite3 transaction (the postgres keyvalue joins a psycopg
connection itself, through ``begin(conn=...)``).

:class:`SQLiteJoinedTransaction` writes prism keyvalue rows through the application's
``sqlite3.Connection`` on the same database file, inside whatever transaction the application
has open; the application's ``commit()`` makes them durable together with its own statements,
its ``rollback()`` drops them.  Used by both flavours of the outbox (sqlite3 is synchronous).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from prism.errors import InvalidArgumentError

__all__ = ["SQLiteJoinedTransaction"]


class SQLiteJoinedTransaction:
    """get / set / delete of namespace ``namespace``'s keys on the application's connection."""

    def __init__(self, conn: sqlite3.Connection, namespace: str, clock: Any = time.time) -> None:
        if not isinstance(conn, sqlite3.Connection):
            msg = f"conn must be a sqlite3.Connection, got {type(conn).__name__}"
            raise InvalidArgumentError(msg)
        self._conn = conn
        self._ns = namespace
        self._clock = clock

    def get(self, key: str) -> bytes:
        from prism.backends.sqlite._ops import keyvalue as ops

        row = ops.get(self._conn, ops.GET, (self._ns, key, self._clock()))
        if row is None:
            raise ops.missing(key, "get")
        return row[0]  # type: ignore[no-any-return]

    def set(self, key: str, value: bytes) -> None:
        from prism.backends.sqlite._ops import keyvalue as ops

        ops.set_value(self._conn, self._clock, self._ns, key, bytes(value), None)

    def delete(self, key: str) -> bool:
        from prism.backends.sqlite._ops import keyvalue as ops

        return ops.delete(self._conn, self._clock, self._ns, key)
