"""set's statements over ``set_member(key, digest, member)``: one row per member, so a set
with no rows is the empty set (a missing key), and the algebra is SQL's own (``GROUP BY`` /
``HAVING`` / ``NOT IN``).  Rows are identified by ``digest = sha256(member)`` (computed by the
server), so the primary key stays small whatever a member's size."""

from __future__ import annotations

from functools import lru_cache

from psycopg import sql  # noqa: TID253 (backend-internal module)

__all__ = ["statements"]

_KEYS = "key = ANY(%(keys)s::text[])"

_TEMPLATES = {
    "add": (
        "INSERT INTO {s} (key, digest, member) SELECT %(key)s, sha256(m), m "
        "FROM unnest(%(members)s::bytea[]) AS u(m) ON CONFLICT DO NOTHING"
    ),
    "remove": (
        "DELETE FROM {s} WHERE key = %(key)s AND digest = ANY(SELECT sha256(m) "
        "FROM unnest(%(members)s::bytea[]) AS u(m))"
    ),
    "contains": "SELECT 1 FROM {s} WHERE key = %(key)s AND digest = sha256(%(member)s::bytea)",
    "members": "SELECT member FROM {s} WHERE key = %(key)s",
    "size": "SELECT count(*) FROM {s} WHERE key = %(key)s",
    "union": f"SELECT digest, (array_agg(member))[1] FROM {{s}} WHERE {_KEYS} GROUP BY digest",
    "intersection": (
        f"SELECT digest, (array_agg(member))[1] FROM {{s}} WHERE {_KEYS} GROUP BY digest "
        "HAVING count(*) = %(distinct)s"
    ),
    "difference": (
        "SELECT digest, member FROM {s} WHERE key = %(first)s AND digest NOT IN "
        "(SELECT digest FROM {s} WHERE key = ANY(%(others)s::text[]))"
    ),
    "clear": "DELETE FROM {s} WHERE key = %(key)s",
    "store": (
        "INSERT INTO {s} (key, digest, member) SELECT %(key)s, d, m "
        "FROM unnest(%(digests)s::bytea[], %(members)s::bytea[]) AS u(d, m) "
        "ON CONFLICT DO NOTHING"
    ),
    "lock": "SELECT pg_advisory_xact_lock(hashtext(%(schema)s), hashtext(%(key)s))",
    "random": "SELECT member FROM {s} WHERE key = %(key)s ORDER BY random() LIMIT %(count)s",
    "pop": (
        "DELETE FROM {s} WHERE key = %(key)s AND digest IN (SELECT digest FROM {s} "
        "WHERE key = %(key)s ORDER BY random() LIMIT %(count)s FOR UPDATE SKIP LOCKED) "
        "RETURNING member"
    ),
}


@lru_cache(maxsize=1024)
def statements(schema: str) -> dict[str, str]:
    """Every statement, rendered once per schema."""
    parts = {"s": sql.Identifier(schema, "set_member")}
    return {
        name: sql.SQL(text).format(**parts).as_string(None) for name, text in _TEMPLATES.items()
    }
