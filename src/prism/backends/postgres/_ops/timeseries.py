"""timeseries' statements over ``ts_point(series, ts float8, value float8, labels jsonb)`` and
``ts_retention(series, max_age)``.

Timestamps stay ``float8`` epoch seconds (not ``timestamptz``): the contract's instants are
floats to the bit, finer than PostgreSQL's microsecond, and buckets may be fractional seconds.
Bucketing therefore is :func:`prism._series.bucket_start` written in SQL —
``floor(ts / b) * b``, one bucket earlier when that rounded up past ``ts`` — which is what
``date_bin`` with the epoch as origin computes, in the same float arithmetic as every other
backend.  Aggregates run in SQL, in time order (``sum(value ORDER BY ts)``, first/last by
``ts``), so the results equal the shared reference to the bit.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg import sql  # noqa: TID253 (backend-internal module)

__all__ = ["AGGREGATES", "statements"]

_FLOOR = "floor(ts / %(bucket)s) * %(bucket)s"
_BUCKET = f"CASE WHEN {_FLOOR} > ts THEN {_FLOOR} - %(bucket)s ELSE {_FLOOR} END"

AGGREGATES = {
    "count": "count(*)::float8",
    "sum": "sum(value ORDER BY ts)",
    "min": "min(value)",
    "max": "max(value)",
    "avg": "sum(value ORDER BY ts) / count(*)",
    "first": "(array_agg(value ORDER BY ts))[1]",
    "last": "(array_agg(value ORDER BY ts DESC))[1]",
}
"""Each aggregate function as SQL over one bucket's rows."""

_BUCKETS = (
    "SELECT b, {fn} FROM (SELECT ts, value, " + _BUCKET + " AS b FROM {p} "
    "WHERE series = %(series)s AND ts >= %(start)s AND ts <= %(end)s) x GROUP BY b ORDER BY b"
)

_UPSERT = (
    "INSERT INTO {p} AS p (series, ts, value, labels) SELECT %(series)s, t, v, l::jsonb "
    "FROM unnest(%(ts)s::float8[], %(values)s::float8[], %(labels)s::text[]) AS u(t, v, l) "
    "ON CONFLICT (series, ts) DO UPDATE SET value = EXCLUDED.value, labels = EXCLUDED.labels"
)

_TEMPLATES = {
    "insert": (
        "INSERT INTO {p} AS p (series, ts, value, labels) VALUES "
        "(%(series)s, %(ts)s, %(value)s, %(labels)s::jsonb) ON CONFLICT (series, ts) "
        "DO UPDATE SET value = EXCLUDED.value, labels = EXCLUDED.labels"
    ),
    "insert_many": _UPSERT,
    "query": (
        "SELECT ts, value, labels FROM {p} WHERE series = %(series)s AND ts >= %(start)s "
        "AND ts <= %(end)s ORDER BY ts"
    ),
    "query_labels": (
        "SELECT ts, value, labels FROM {p} WHERE series = %(series)s AND ts >= %(start)s "
        "AND ts <= %(end)s AND labels @> %(labels)s::jsonb ORDER BY ts"
    ),
    "set_retention": (
        "INSERT INTO {r} (series, max_age) VALUES (%(series)s, %(age)s) "
        "ON CONFLICT (series) DO UPDATE SET max_age = EXCLUDED.max_age"
    ),
    "clear_retention": "DELETE FROM {r} WHERE series = %(series)s",
    "get_retention": "SELECT max_age FROM {r} WHERE series = %(series)s",
    "compact": (
        "DELETE FROM {p} p USING {r} r WHERE r.series = %(series)s AND p.series = r.series "
        "AND p.ts < extract(epoch FROM clock_timestamp())::float8 - r.max_age"
    ),
    "neighbours": (
        "SELECT DISTINCT n.ts, n.value FROM unnest(%(at)s::float8[]) AS a(t) "
        "CROSS JOIN LATERAL ((SELECT ts, value FROM {p} WHERE series = %(series)s "
        "AND ts <= a.t ORDER BY ts DESC LIMIT 1) UNION ALL (SELECT ts, value FROM {p} "
        "WHERE series = %(series)s AND ts > a.t ORDER BY ts LIMIT 1)) n ORDER BY n.ts"
    ),
}
for _fn, _expr in AGGREGATES.items():
    _TEMPLATES[f"aggregate_{_fn}"] = _BUCKETS.replace("{fn}", _expr)
    _TEMPLATES[f"rollup_{_fn}"] = (
        "INSERT INTO {p} AS p (series, ts, value, labels) SELECT %(destination)s, b, v, "
        "'{{}}'::jsonb FROM (" + _BUCKETS.replace("{fn}", _expr) + ") AS a(b, v) "
        "ON CONFLICT (series, ts) DO UPDATE SET value = EXCLUDED.value, labels = EXCLUDED.labels"
    )


@lru_cache(maxsize=1024)
def statements(schema: str) -> dict[str, str]:
    """Every statement, rendered once per schema."""
    parts = {
        "p": sql.Identifier(schema, "ts_point"),
        "r": sql.Identifier(schema, "ts_retention"),
    }
    return {
        name: sql.SQL(text).format(**parts).as_string(None) for name, text in _TEMPLATES.items()
    }
