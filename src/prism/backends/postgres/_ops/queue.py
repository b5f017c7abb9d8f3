"""queue's statements over ``<schema>.queue`` (one row per message) and
``<schema>.queue_dead_letter`` (the dead-letter rule of each queue).

A row is *ready* when it has no receipt and its ``due`` time has come (the server's ``now()``),
*scheduled* when ``due`` is later, *leased* while it has a receipt and a ``deadline``.  Delivery
order is ``priority DESC, seq``; a lapsed or released message keeps its ``seq`` (its place),
dead-lettering and redrive give it a fresh one from the sequence (the tail).  Receivers pick
with ``FOR UPDATE SKIP LOCKED``, so competing consumers never wait on each other's row.

Leases lapse by time alone: before every read of the queue the facet runs :data:`SETTLE` in the
same pipeline (one round trip), which hands lapsed leases back or dead-letters them.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg import sql  # noqa: TID253 (backend-internal module)

__all__ = ["COLUMNS", "statements"]

COLUMNS = (
    "m.id, m.queue, m.payload, m.headers, m.priority, "
    "extract(epoch FROM m.enqueued_at)::float8, m.attempts"
)
"""The columns every statement returning a message returns, in :func:`message`'s order."""

_READY = "m.queue = %s AND m.receipt IS NULL AND m.due <= now()"
_NEXT = f"SELECT m.seq FROM {{q}} m WHERE {_READY} ORDER BY m.priority DESC, m.seq LIMIT 1"


def _fail(where: str, order: str) -> str:
    """Hand back the messages ``where`` selects (a failed delivery): dead-letter those whose
    queue's rule says this was the last attempt (at the tail of the dead-letter queue, in
    ``order``), make the others ready again in their old place."""
    return (
        "WITH hit AS MATERIALIZED ("
        "SELECT m.seq, m.queue, r.dead_letter_queue, "
        "(r.max_attempts IS NOT NULL AND m.attempts >= r.max_attempts) AS dead "
        "FROM {q} m LEFT JOIN {r} r ON r.queue = m.queue "
        f"WHERE {where} ORDER BY {order} FOR UPDATE OF m SKIP LOCKED), "
        "moved AS MATERIALIZED (SELECT seq, queue, dead_letter_queue, dead, "
        "CASE WHEN dead THEN nextval({s}) END AS fresh FROM hit) "
        "UPDATE {q} m SET receipt = NULL, deadline = NULL, "
        "queue = CASE WHEN v.dead THEN v.dead_letter_queue ELSE m.queue END, "
        "origin = CASE WHEN v.dead THEN v.queue ELSE m.origin END, "
        "seq = coalesce(v.fresh, m.seq), "
        "due = CASE WHEN v.dead THEN now() ELSE m.due END "
        "FROM moved v WHERE m.seq = v.seq RETURNING m.seq"
    )


_TEMPLATES = {
    "settle": _fail("m.receipt IS NOT NULL AND m.deadline <= now()", "m.deadline, m.seq"),
    "release": _fail("m.id = %s AND m.receipt = %s AND m.deadline > now()", "m.seq"),
    "enqueue": (
        "INSERT INTO {q} (id, queue, payload, headers, priority, due) VALUES "
        "(%s, %s, %s, %s, %s, coalesce(to_timestamp(%s::float8), "
        "now() + %s::float8 * interval '1 second', now()))"
    ),
    "dequeue": (
        f"WITH next AS ({_NEXT} FOR UPDATE SKIP LOCKED) DELETE FROM {{q}} m USING next "
        f"WHERE m.seq = next.seq RETURNING {COLUMNS}"
    ),
    "receive": (
        f"WITH next AS ({_NEXT} FOR UPDATE SKIP LOCKED) UPDATE {{q}} m SET receipt = %s, "
        "deadline = now() + %s::float8 * interval '1 second', attempts = m.attempts + 1 "
        f"FROM next WHERE m.seq = next.seq "
        f"RETURNING {COLUMNS}, extract(epoch FROM m.deadline)::float8"
    ),
    "peek": (
        f"SELECT {COLUMNS} FROM {{q}} m WHERE {_READY} ORDER BY m.priority DESC, m.seq LIMIT 1"
    ),
    "length": f"SELECT count(*) FROM {{q}} m WHERE {_READY}",
    "scheduled": (
        "SELECT count(*) FROM {q} m WHERE m.queue = %s AND m.receipt IS NULL AND m.due > now()"
    ),
    "ack": "DELETE FROM {q} WHERE id = %s AND receipt = %s AND deadline > now()",
    "extend": (
        "UPDATE {q} SET deadline = now() + %s::float8 * interval '1 second' "
        "WHERE id = %s AND receipt = %s AND deadline > now() "
        "RETURNING extract(epoch FROM deadline)::float8"
    ),
    "holder": "SELECT receipt, deadline > now() FROM {q} WHERE id = %s",
    "configure": (
        "INSERT INTO {r} (queue, max_attempts, dead_letter_queue) VALUES (%s, %s, %s) "
        "ON CONFLICT (queue) DO UPDATE SET max_attempts = EXCLUDED.max_attempts, "
        "dead_letter_queue = EXCLUDED.dead_letter_queue"
    ),
    "dead_letters": (
        f"SELECT {COLUMNS} FROM {{q}} m WHERE m.origin = %s AND m.receipt IS NULL "
        "ORDER BY m.seq LIMIT %s"
    ),
    "redrive": (
        "WITH picked AS MATERIALIZED (SELECT m.seq FROM {q} m WHERE m.origin = %s "
        "AND m.receipt IS NULL ORDER BY m.seq LIMIT %s FOR UPDATE SKIP LOCKED), "
        "fresh AS MATERIALIZED (SELECT seq, nextval({s}) AS fresh FROM picked) "
        "UPDATE {q} m SET queue = %s, origin = NULL, attempts = 0, due = now(), "
        "seq = f.fresh FROM fresh f WHERE m.seq = f.seq"
    ),
}


@lru_cache(maxsize=1024)
def statements(schema: str) -> dict[str, str]:
    """Every statement, rendered once per schema."""
    from prism.backends.postgres._core import sequence_literal

    parts = {
        "q": sql.Identifier(schema, "queue"),
        "r": sql.Identifier(schema, "queue_dead_letter"),
        "s": sequence_literal(schema, "queue_seq"),
    }
    return {
        name: sql.SQL(text).format(**parts).as_string(None) for name, text in _TEMPLATES.items()
    }
