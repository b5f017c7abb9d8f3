"""keyvalue's statements over the table ``<schema>.kv``:
``key text COLLATE "C" PRIMARY KEY, value bytea, expires_at timestamptz, version bigint``.

A key is live while ``expires_at`` is NULL or later than the server's ``now()`` (the start of
the statement's transaction: every read filters on it, so an expired key is invisible at once);
a sweeper deletes expired rows every so often.  ``version`` grows with every write of the value
and lets a transaction's commit detect that a key changed since it was read.  Prefix scans are
index range scans ``key >= prefix AND key < successor(prefix)`` in byte (= code point) order,
so no pattern character in a key or prefix is special.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from prism.backends.postgres._core import render

__all__ = ["Statements", "prefix_end", "statements"]

LIVE = "(expires_at IS NULL OR expires_at > now())"
_DEADLINE = "now() + %s::float8 * interval '1 second'"

_TEMPLATES = {
    "set": (
        "INSERT INTO {t} AS k (key, value, expires_at) VALUES (%s, %s, " + _DEADLINE + ") "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "
        "expires_at = EXCLUDED.expires_at, version = k.version + 1"
    ),
    "get": f"SELECT value FROM {{t}} WHERE key = %s AND {LIVE}",
    "delete": f"DELETE FROM {{t}} WHERE key = %s RETURNING {LIVE}",
    "exists": f"SELECT 1 FROM {{t}} WHERE key = %s AND {LIVE}",
    "expire": f"UPDATE {{t}} SET expires_at = {_DEADLINE} WHERE key = %s AND {LIVE}",
    "get_ttl": (
        f"SELECT extract(epoch FROM expires_at - now())::float8 FROM {{t}} "
        f"WHERE key = %s AND {LIVE}"
    ),
    "persist": "UPDATE {t} SET expires_at = NULL WHERE key = %s AND expires_at > now()",
    "set_many": (
        "INSERT INTO {t} AS k (key, value) SELECT * FROM unnest(%s::text[], %s::bytea[]) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = NULL, "
        "version = k.version + 1"
    ),
    "get_many": f"SELECT key, value FROM {{t}} WHERE key = ANY(%s::text[]) AND {LIVE}",
    "delete_many": (
        "WITH d AS (DELETE FROM {t} WHERE key = ANY(%s::text[]) RETURNING expires_at) "
        f"SELECT count(*) FILTER (WHERE {LIVE}) FROM d"
    ),
    "insert_if_absent": (
        "INSERT INTO {t} AS k (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
        "SET value = EXCLUDED.value, expires_at = NULL, version = k.version + 1 "
        "WHERE k.expires_at IS NOT NULL AND k.expires_at <= now()"
    ),
    "swap": (
        "UPDATE {t} SET value = %s, expires_at = NULL, version = version + 1 "
        f"WHERE key = %s AND value = %s AND {LIVE}"
    ),
    "delete_if": f"DELETE FROM {{t}} WHERE key = %s AND value = %s AND {LIVE}",
    "sweep": (
        "DELETE FROM {t} WHERE ctid = ANY(ARRAY("
        "SELECT ctid FROM {t} WHERE expires_at <= now() LIMIT 1000))"
    ),
    "read_versioned": f"SELECT value, version FROM {{t}} WHERE key = %s AND {LIVE}",
    "lock_versions": (
        f"SELECT key, version FROM {{t}} WHERE key = ANY(%s::text[]) AND {LIVE} "
        "ORDER BY key FOR UPDATE"
    ),
    "overwrite": (
        "UPDATE {t} SET value = %s, expires_at = NULL, version = version + 1 WHERE key = %s"
    ),
    "remove": "DELETE FROM {t} WHERE key = %s",
}


def _scan(values: bool, after: bool, bounded: bool) -> str:
    columns = "key, value" if values else "key, NULL"
    low = "key > %s" if after else "key >= %s"
    high = " AND key < %s" if bounded else ""
    return f"SELECT {columns} FROM {{t}} WHERE {low}{high} AND {LIVE} ORDER BY key LIMIT %s"


def _count(bounded: bool) -> str:
    high = " AND key < %s" if bounded else ""
    return f"SELECT count(*) FROM {{t}} WHERE key >= %s{high} AND {LIVE}"


@dataclass(frozen=True)
class Statements:
    """Every statement, rendered once per schema (plain strings, so psycopg prepares them)."""

    sql: dict[str, str]
    scan: dict[tuple[bool, bool, bool], str]
    count: dict[bool, str]


@lru_cache(maxsize=1024)
def statements(schema: str) -> Statements:
    return Statements(
        sql={name: render(text, schema, t="kv") for name, text in _TEMPLATES.items()},
        scan={
            (v, a, b): render(_scan(v, a, b), schema, t="kv")
            for v in (False, True)
            for a in (False, True)
            for b in (False, True)
        },
        count={b: render(_count(b), schema, t="kv") for b in (False, True)},
    )


_MAX = 0x10FFFF


def prefix_end(prefix: str) -> str | None:
    """The least string greater than every string starting with ``prefix`` (code point
    order), or None when there is none (the empty prefix, or one of U+10FFFF only)."""
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < _MAX:
            nxt = last + 1
            if 0xD800 <= nxt <= 0xDFFF:  # surrogates are not characters: skip them
                nxt = 0xE000
            return "".join(chars) + chr(nxt)
    return None
