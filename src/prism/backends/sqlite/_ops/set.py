"""set SQL (table ``prism_set``): one row per member, so a set with no rows is the empty set
(a missing key), and set algebra is SQL's own (``GROUP BY`` / ``HAVING`` / ``NOT IN``).

Members are identified by their SHA-256 ``digest``, which is what the primary key indexes: a
member may be as large as ``max_value_bytes``, and SQLite reads an index key whole every time
a lookup compares against it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence

from prism.backends.sqlite._core import reads, write


def _digest(member: bytes) -> bytes:
    return hashlib.sha256(member).digest()


def _json(keys: Sequence[str]) -> str:
    return json.dumps(list(keys), ensure_ascii=False)


def add(conn: sqlite3.Connection, ns: str, key: str, members: Sequence[bytes]) -> int:
    with write(conn):
        return conn.executemany(
            "INSERT OR IGNORE INTO prism_set (ns, key, digest, member) VALUES (?, ?, ?, ?)",
            [(ns, key, _digest(m), m) for m in members],
        ).rowcount


def remove(conn: sqlite3.Connection, ns: str, key: str, members: Sequence[bytes]) -> int:
    with write(conn):
        return conn.executemany(
            "DELETE FROM prism_set WHERE ns = ? AND key = ? AND digest = ?",
            [(ns, key, _digest(m)) for m in dict.fromkeys(members)],
        ).rowcount


@reads
def contains(conn: sqlite3.Connection, ns: str, key: str, member: bytes) -> bool:
    row = conn.execute(
        "SELECT 1 FROM prism_set WHERE ns = ? AND key = ? AND digest = ?",
        (ns, key, _digest(member)),
    ).fetchone()
    return row is not None


@reads
def members(conn: sqlite3.Connection, ns: str, key: str) -> set[bytes]:
    rows = conn.execute("SELECT member FROM prism_set WHERE ns = ? AND key = ?", (ns, key))
    return {member for (member,) in rows}


@reads
def size(conn: sqlite3.Connection, ns: str, key: str) -> int:
    row = conn.execute("SELECT count(*) FROM prism_set WHERE ns = ? AND key = ?", (ns, key))
    return int(row.fetchone()[0])


_ALGEBRA = {
    "union": "SELECT member FROM prism_set WHERE ns = :ns AND key IN "
    "(SELECT value FROM json_each(:keys)) GROUP BY digest",
    "intersection": "SELECT member FROM prism_set WHERE ns = :ns AND key IN "
    "(SELECT value FROM json_each(:keys)) GROUP BY digest HAVING count(*) = :distinct",
    "difference": "SELECT member FROM prism_set WHERE ns = :ns AND key = :first "
    "AND digest NOT IN (SELECT digest FROM prism_set WHERE ns = :ns AND key IN "
    "(SELECT value FROM json_each(:others)))",
}
"""The members of each operation over ``keys`` (``difference``: the first minus the others),
each once."""


@reads
def combine(conn: sqlite3.Connection, ns: str, op: str, keys: Sequence[str]) -> set[bytes]:
    params = {
        "ns": ns,
        "keys": _json(keys),
        "distinct": len(set(keys)),
        "first": keys[0],
        "others": _json(keys[1:]),
    }
    return {member for (member,) in conn.execute(_ALGEBRA[op], params)}


def combine_store(
    conn: sqlite3.Connection, ns: str, op: str, destination: str, keys: Sequence[str]
) -> int:
    with write(conn):
        result = combine(conn, ns, op, keys)  # computed first: destination may be a source
        conn.execute("DELETE FROM prism_set WHERE ns = ? AND key = ?", (ns, destination))
        conn.executemany(
            "INSERT INTO prism_set (ns, key, digest, member) VALUES (?, ?, ?, ?)",
            [(ns, destination, _digest(m), m) for m in result],
        )
        return len(result)


@reads
def random_members(conn: sqlite3.Connection, ns: str, key: str, count: int) -> list[bytes]:
    rows = conn.execute(
        "SELECT member FROM prism_set WHERE ns = ? AND key = ? ORDER BY random() LIMIT ?",
        (ns, key, count),
    )
    return [member for (member,) in rows]


def pop_random(conn: sqlite3.Connection, ns: str, key: str, count: int) -> list[bytes]:
    with write(conn):
        rows = conn.execute(
            "SELECT digest, member FROM prism_set WHERE ns = ? AND key = ? "
            "ORDER BY random() LIMIT ?",
            (ns, key, count),
        ).fetchall()
        conn.executemany(
            "DELETE FROM prism_set WHERE ns = ? AND key = ? AND digest = ?",
            [(ns, key, digest) for digest, _ in rows],
        )
        return [member for _, member in rows]
