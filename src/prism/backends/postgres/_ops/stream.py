"""stream's statements over the tables of ``_core._stream_1``.

``stream_partition`` holds each partition's next offset (so offsets never repeat after a trim)
and its last append time: timestamps are the server's clock, never decreasing within a
partition (a clock that steps back repeats the last one), so time seeks and age trims are index
range scans.  ``stream_meta`` holds the partition count and retention limits (no row: one
partition, no limits).  Consumer groups keep their position in ``stream_group`` and their
delivered-but-unacknowledged records in ``stream_pending`` (one row per record and group).
Every statement takes named parameters and is rendered once per schema.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg import sql  # noqa: TID253 (backend-internal module)

__all__ = ["RECORD", "statements"]

RECORD = 'r."offset", r.payload, r.headers, r.ts, r.key'
"""The columns every statement returning a record returns, in ``_record``'s order."""

_NOW = "extract(epoch FROM clock_timestamp())::float8"

_TEMPLATES = {
    "partitions": "SELECT partitions FROM {m} WHERE stream = %(stream)s",
    "append": (
        "WITH p AS (INSERT INTO {p} AS p (stream, partition, next_offset, last_ts) "
        f"VALUES (%(stream)s, %(partition)s, 1, {_NOW}) ON CONFLICT (stream, partition) "
        "DO UPDATE SET next_offset = p.next_offset + 1, "
        "last_ts = greatest(p.last_ts, EXCLUDED.last_ts) "
        "RETURNING p.next_offset - 1 AS off, p.last_ts AS ts) "
        'INSERT INTO {r} (stream, partition, "offset", payload, headers, ts, key) '
        "SELECT %(stream)s, %(partition)s, off, %(payload)s, %(headers)s, ts, %(key)s FROM p "
        'RETURNING "offset"'
    ),
    "read": (
        f"SELECT {RECORD} FROM {{r}} r WHERE r.stream = %(stream)s "
        'AND r.partition = %(partition)s AND r."offset" >= %(start)s '
        'ORDER BY r."offset" LIMIT %(count)s'
    ),
    "range": (
        f"SELECT {RECORD} FROM {{r}} r WHERE r.stream = %(stream)s AND r.partition = 0 "
        'AND r."offset" >= %(start)s AND r."offset" <= %(end)s ORDER BY r."offset" '
        "LIMIT %(count)s"
    ),
    "latest": ('SELECT max("offset") FROM {r} WHERE stream = %(stream)s AND partition = 0'),
    "set_partitions": (
        "INSERT INTO {m} (stream, partitions) VALUES (%(stream)s, %(count)s) "
        "ON CONFLICT (stream) DO UPDATE SET partitions = EXCLUDED.partitions"
    ),
    "lock_meta": "SELECT partitions FROM {m} WHERE stream = %(stream)s FOR UPDATE",
    # consumer groups
    "group_exists": "SELECT 1 FROM {g} WHERE stream = %(stream)s AND grp = %(group)s",
    "create_group": (
        "INSERT INTO {g} (stream, grp, next_offset) VALUES (%(stream)s, %(group)s, "
        "coalesce(%(start)s::bigint, (SELECT next_offset FROM {p} "
        "WHERE stream = %(stream)s AND partition = 0), 0)) ON CONFLICT DO NOTHING"
    ),
    "lock_group": (
        f"SELECT next_offset, {_NOW} FROM {{g}} WHERE stream = %(stream)s AND grp = %(group)s "
        "FOR UPDATE"
    ),
    "join": (
        "INSERT INTO {c} (stream, grp, consumer) VALUES (%(stream)s, %(group)s, %(consumer)s) "
        "ON CONFLICT DO NOTHING"
    ),
    "drop_gone": (
        "DELETE FROM {e} e WHERE e.stream = %(stream)s AND e.grp = %(group)s "
        "AND %(now)s - e.delivered_at >= %(claim)s AND NOT EXISTS (SELECT 1 FROM {r} r "
        'WHERE r.stream = e.stream AND r.partition = 0 AND r."offset" = e."offset")'
    ),
    "reclaim": (
        'WITH s AS (SELECT e."offset" FROM {e} e WHERE e.stream = %(stream)s '
        "AND e.grp = %(group)s AND %(now)s - e.delivered_at >= %(claim)s "
        'ORDER BY e."offset" LIMIT %(count)s), '
        "u AS (UPDATE {e} e SET consumer = %(consumer)s, delivered_at = %(now)s, "
        "count = e.count + 1 FROM s WHERE e.stream = %(stream)s AND e.grp = %(group)s "
        'AND e."offset" = s."offset" RETURNING e."offset", e.count) '
        f"SELECT {RECORD}, u.count FROM u JOIN {{r}} r ON r.stream = %(stream)s "
        'AND r.partition = 0 AND r."offset" = u."offset" ORDER BY r."offset"'
    ),
    "deliver": (
        f"WITH n AS MATERIALIZED (SELECT {RECORD} FROM {{r}} r WHERE r.stream = %(stream)s "
        'AND r.partition = 0 AND r."offset" >= %(start)s ORDER BY r."offset" '
        "LIMIT %(count)s), "
        'i AS (INSERT INTO {e} (stream, grp, "offset", consumer, delivered_at, count) '
        'SELECT %(stream)s, %(group)s, n."offset", %(consumer)s, %(now)s, 1 FROM n), '
        'g AS (UPDATE {g} SET next_offset = last."offset" + 1, last_delivered = last."offset" '
        'FROM (SELECT max("offset") AS "offset" FROM n) last WHERE last."offset" IS NOT NULL '
        "AND stream = %(stream)s AND grp = %(group)s) "
        'SELECT * FROM n ORDER BY "offset"'
    ),
    "ack": (
        "WITH g AS (SELECT 1 FROM {g} WHERE stream = %(stream)s AND grp = %(group)s), "
        "d AS (DELETE FROM {e} WHERE stream = %(stream)s AND grp = %(group)s "
        'AND "offset" = ANY(%(offsets)s::bigint[]) AND EXISTS (SELECT 1 FROM g) RETURNING 1) '
        "SELECT (SELECT count(*) FROM g), (SELECT count(*) FROM d)"
    ),
    "group_row": (
        "SELECT next_offset, last_delivered FROM {g} WHERE stream = %(stream)s AND grp = %(group)s"
    ),
    "consumers": (
        "SELECT c.consumer, (SELECT count(*) FROM {e} e WHERE e.stream = c.stream "
        "AND e.grp = c.grp AND e.consumer = c.consumer) FROM {c} c "
        "WHERE c.stream = %(stream)s AND c.grp = %(group)s ORDER BY c.seq"
    ),
    "lag": (
        'SELECT count(*) FROM {r} WHERE stream = %(stream)s AND partition = 0 AND "offset" >= '
        "%(start)s"
    ),
    # replay
    "seek_offset": (
        'SELECT min("offset") FROM {r} WHERE stream = %(stream)s AND partition = 0 '
        'AND "offset" >= %(start)s'
    ),
    "seek_time": (
        'SELECT "offset" FROM {r} WHERE stream = %(stream)s AND partition = 0 AND ts >= %(at)s '
        'ORDER BY ts, "offset" LIMIT 1'
    ),
    # retention
    "set_retention": (
        "INSERT INTO {m} (stream, max_age, max_length) VALUES (%(stream)s, %(age)s, %(length)s) "
        "ON CONFLICT (stream) DO UPDATE SET max_age = EXCLUDED.max_age, "
        "max_length = EXCLUDED.max_length"
    ),
    "get_retention": "SELECT max_age, max_length FROM {m} WHERE stream = %(stream)s",
    "trim_length": (
        "DELETE FROM {r} WHERE stream = %(stream)s AND partition = %(partition)s "
        'AND "offset" < (SELECT "offset" FROM {r} WHERE stream = %(stream)s '
        'AND partition = %(partition)s ORDER BY "offset" DESC LIMIT 1 OFFSET %(skip)s)'
    ),
    "trim_age": (
        "DELETE FROM {r} WHERE stream = %(stream)s AND partition = %(partition)s "
        f"AND ts < {_NOW} - %(age)s"
    ),
    "trim_pending": (
        'DELETE FROM {e} WHERE stream = %(stream)s AND "offset" < coalesce('
        '(SELECT min("offset") FROM {r} WHERE stream = %(stream)s AND partition = 0), '
        "(SELECT next_offset FROM {p} WHERE stream = %(stream)s AND partition = 0), 0)"
    ),
}


@lru_cache(maxsize=1024)
def statements(schema: str) -> dict[str, str]:
    """Every statement, rendered once per schema."""
    parts = {
        "m": sql.Identifier(schema, "stream_meta"),
        "p": sql.Identifier(schema, "stream_partition"),
        "r": sql.Identifier(schema, "stream_record"),
        "g": sql.Identifier(schema, "stream_group"),
        "c": sql.Identifier(schema, "stream_consumer"),
        "e": sql.Identifier(schema, "stream_pending"),
    }
    return {
        name: sql.SQL(text).format(**parts).as_string(None) for name, text in _TEMPLATES.items()
    }
