"""keyvalue SQL (table ``prism_kv``).  Plain functions ``fn(conn, ...)``, shared by both flavours.

A key is live while ``expires`` is NULL or later than now (every read says
``(expires IS NULL OR expires > ?)``); an expired row is invisible at once
and deleted by :func:`sweep` (run every few hundred writes) or when it is overwritten.  Every
write stamps a fresh random ``version``, which transactions compare at commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from prism.backends.sqlite._core import Clock, first_row, reads, write
from prism.errors import ConflictError, KeyNotFoundError

_UPSERT = (
    "INSERT INTO prism_kv (ns, key, value, expires, version) VALUES (?, ?, ?, ?, random()) "
    "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires = excluded.expires, "
    "version = excluded.version"
)
_UPSERT_PLAIN = (
    "INSERT INTO prism_kv (ns, key, value, expires, version) VALUES (?, ?, ?, NULL, random()) "
    "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires = NULL, "
    "version = excluded.version"
)
"""``_UPSERT`` without an expiry: the common ``set`` binds three values instead of four."""


def prefix_bounds(prefix: str) -> tuple[str, str | None]:
    """``(low, high)`` such that a key starts with ``prefix`` iff ``low <= key < high`` (``high``
    None: no upper bound).  SQLite compares text as UTF-8 bytes, which is code point order."""
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if code == 0xD800:
            code = 0xE000  # skip the surrogates, which never occur in valid text
        if code <= 0x10FFFF:
            chars[-1] = chr(code)
            return prefix, "".join(chars)
        chars.pop()
    return prefix, None


def _range(prefix: str) -> tuple[str, tuple[str, ...]]:
    low, high = prefix_bounds(prefix)
    if not low:
        return "", ()
    if high is None:
        return " AND key >= ?", (low,)
    return " AND key >= ? AND key < ?", (low, high)


def missing(key: str, operation: str) -> KeyNotFoundError:
    """The error of a read that found no live ``key``."""
    return KeyNotFoundError(f"key {key!r} not found", backend="sqlite", operation=operation)


# -- keyvalue_basic / keyvalue_ttl -----------------------------------------------------------


def set_value(
    conn: sqlite3.Connection, clock: Clock, ns: str, key: str, value: bytes, ttl: float | None
) -> None:
    if ttl is None:
        conn.execute(_UPSERT_PLAIN, (ns, key, value))
    else:
        conn.execute(_UPSERT, (ns, key, value, clock() + ttl))


GET = "SELECT value FROM prism_kv WHERE ns = ? AND key = ? AND (expires IS NULL OR expires > ?)"
"""keyvalue ``get``: run through ``Database.first`` (parameters: ns, key, now)."""
get = first_row("get")


def delete(conn: sqlite3.Connection, clock: Clock, ns: str, key: str) -> bool:
    row = conn.execute(
        "DELETE FROM prism_kv WHERE ns = ? AND key = ? RETURNING expires", (ns, key)
    ).fetchone()
    return row is not None and (row[0] is None or row[0] > clock())


@reads
def exists(conn: sqlite3.Connection, clock: Clock, ns: str, key: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM prism_kv WHERE ns = ? AND key = ? AND (expires IS NULL OR expires > ?)",
        (ns, key, clock()),
    ).fetchone()
    return row is not None


def expire(conn: sqlite3.Connection, clock: Clock, ns: str, key: str, ttl: float) -> bool:
    now = clock()
    cur = conn.execute(
        "UPDATE prism_kv SET expires = ?, version = random() "
        "WHERE ns = ? AND key = ? AND (expires IS NULL OR expires > ?)",
        (now + ttl, ns, key, now),
    )
    return cur.rowcount > 0


@reads
def get_ttl(conn: sqlite3.Connection, clock: Clock, ns: str, key: str) -> float | None:
    now = clock()
    row = conn.execute(
        "SELECT expires FROM prism_kv "
        "WHERE ns = ? AND key = ? AND (expires IS NULL OR expires > ?)",
        (ns, key, now),
    ).fetchone()
    if row is None:
        raise missing(key, "get_ttl")
    return None if row[0] is None else max(0.0, row[0] - now)


def persist(conn: sqlite3.Connection, clock: Clock, ns: str, key: str) -> bool:
    cur = conn.execute(
        "UPDATE prism_kv SET expires = NULL, version = random() "
        "WHERE ns = ? AND key = ? AND expires IS NOT NULL AND expires > ?",
        (ns, key, clock()),
    )
    return cur.rowcount > 0


def sweep(conn: sqlite3.Connection, clock: Clock, limit: int = 1000) -> int:
    """Delete up to ``limit`` expired rows (of any namespace); return how many."""
    cur = conn.execute(
        "DELETE FROM prism_kv WHERE rowid IN (SELECT rowid FROM prism_kv "
        "WHERE expires IS NOT NULL AND expires <= ? LIMIT ?)",
        (clock(), limit),
    )
    return cur.rowcount


# -- keyvalue_scan ---------------------------------------------------------------------------


@reads
def scan_page(
    conn: sqlite3.Connection,
    clock: Clock,
    ns: str,
    prefix: str,
    after: str | None,
    size: int,
    values: bool,
) -> list[tuple[str, bytes]]:
    """The next ``size`` live ``(key, value)`` pairs after ``after``, in key order (with
    empty values unless ``values``)."""
    where, params = _range(prefix)
    if after is not None:
        where += " AND key > ?"
        params += (after,)
    column = "value" if values else "x''"
    return conn.execute(
        f"SELECT key, {column} FROM prism_kv WHERE ns = ?{where} "
        "AND (expires IS NULL OR expires > ?) ORDER BY key LIMIT ?",
        (ns, *params, clock(), size),
    ).fetchall()


@reads
def count(conn: sqlite3.Connection, clock: Clock, ns: str, prefix: str) -> int:
    where, params = _range(prefix)
    row = conn.execute(
        f"SELECT count(*) FROM prism_kv WHERE ns = ?{where} AND (expires IS NULL OR expires > ?)",
        (ns, *params, clock()),
    ).fetchone()
    return int(row[0])


# -- keyvalue_batch --------------------------------------------------------------------------


def set_many(conn: sqlite3.Connection, ns: str, items: Mapping[str, bytes]) -> None:
    with write(conn):
        conn.executemany(_UPSERT_PLAIN, [(ns, k, v) for k, v in items.items()])


@reads
def get_many(conn: sqlite3.Connection, clock: Clock, ns: str, keys: list[str]) -> dict[str, bytes]:
    rows = conn.execute(
        "SELECT key, value FROM prism_kv WHERE ns = ? "
        "AND key IN (SELECT value FROM json_each(?)) AND (expires IS NULL OR expires > ?)",
        (ns, json.dumps(keys, ensure_ascii=False), clock()),
    ).fetchall()
    return dict(rows)


def delete_many(conn: sqlite3.Connection, clock: Clock, ns: str, keys: list[str]) -> int:
    now = clock()
    rows = conn.execute(
        "DELETE FROM prism_kv WHERE ns = ? AND key IN (SELECT value FROM json_each(?)) "
        "RETURNING expires",
        (ns, json.dumps(keys, ensure_ascii=False)),
    ).fetchall()
    return sum(1 for (expires,) in rows if expires is None or expires > now)


# -- keyvalue_cas ----------------------------------------------------------------------------


def compare_and_swap(
    conn: sqlite3.Connection, clock: Clock, ns: str, key: str, expected: bytes | None, new: bytes
) -> bool:
    now = clock()
    if expected is None:  # insert, or take over an expired row; one statement, so atomic
        cur = conn.execute(
            "INSERT INTO prism_kv (ns, key, value, expires, version) "
            "VALUES (?, ?, ?, NULL, random()) ON CONFLICT (ns, key) DO UPDATE SET "
            "value = excluded.value, expires = NULL, version = excluded.version "
            "WHERE prism_kv.expires IS NOT NULL AND prism_kv.expires <= ?",
            (ns, key, new, now),
        )
    else:
        cur = conn.execute(
            "UPDATE prism_kv SET value = ?, expires = NULL, version = random() "
            "WHERE ns = ? AND key = ? AND value = ? AND (expires IS NULL OR expires > ?)",
            (new, ns, key, expected, now),
        )
    return cur.rowcount > 0


def compare_and_delete(
    conn: sqlite3.Connection, clock: Clock, ns: str, key: str, expected: bytes
) -> bool:
    cur = conn.execute(
        "DELETE FROM prism_kv "
        "WHERE ns = ? AND key = ? AND value = ? AND (expires IS NULL OR expires > ?)",
        (ns, key, expected, clock()),
    )
    return cur.rowcount > 0


# -- keyvalue_transactional ------------------------------------------------------------------


@reads
def read_versioned(
    conn: sqlite3.Connection, clock: Clock, ns: str, key: str
) -> tuple[bytes | None, int | None]:
    """``(value, version)`` of a live key, or ``(None, None)``."""
    row = conn.execute(
        "SELECT value, version FROM prism_kv "
        "WHERE ns = ? AND key = ? AND (expires IS NULL OR expires > ?)",
        (ns, key, clock()),
    ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def commit(
    conn: sqlite3.Connection,
    clock: Clock,
    ns: str,
    seen: Mapping[str, int | None],
    writes: Mapping[str, bytes | None],
) -> None:
    """Apply ``writes`` (None: delete) if every key in ``seen`` still has the version the
    transaction saw (None: absent); otherwise raise ConflictError and apply nothing."""
    with write(conn):
        now = clock()
        for key, version in seen.items():
            row = conn.execute(
                "SELECT version FROM prism_kv "
                "WHERE ns = ? AND key = ? AND (expires IS NULL OR expires > ?)",
                (ns, key, now),
            ).fetchone()
            if (None if row is None else row[0]) != version:
                msg = f"key {key!r} changed since this transaction read it"
                raise ConflictError(msg, backend="sqlite", operation="commit")
        deletes = [(ns, k) for k, v in writes.items() if v is None]
        if deletes:
            conn.executemany("DELETE FROM prism_kv WHERE ns = ? AND key = ?", deletes)
        sets = [(ns, k, v, None) for k, v in writes.items() if v is not None]
        if sets:
            conn.executemany(_UPSERT, sets)
