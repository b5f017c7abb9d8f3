"""graph's statements over ``graph_node(id, label, properties)`` and
``graph_edge(id, source, target, label, properties)`` (properties as exact JSON text; ids
``COLLATE "C"`` so SQL orders them as Python does).

A traversal asks PostgreSQL which nodes can be reached with a recursive CTE: ``UNION`` (not
``UNION ALL``) drops every row already produced, so a cycle ends the recursion instead of
looping (with ``max_depth`` the rows are ``(node, depth)`` pairs, bounded by the depth).  The
edges among the reachable nodes are then loaded in one statement and walked with the shared
algorithm of :mod:`prism._graphs`, so the visit order is every backend's.
"""

from __future__ import annotations

from functools import lru_cache

from psycopg import sql  # noqa: TID253 (backend-internal module)

__all__ = ["STEPS", "reachable", "statements"]

STEPS = {
    "out": [("source", "target")],
    "in": [("target", "source")],
    "both": [("source", "target"), ("target", "source")],
}
"""One step along an edge from a node, per direction: (the edge's near end, its far end)."""

_TEMPLATES = {
    "add_node": (
        "INSERT INTO {n} (id, label, properties) VALUES (%(id)s, %(label)s, %(properties)s) "
        "ON CONFLICT (id) DO NOTHING"
    ),
    "lock_ends": "SELECT id FROM {n} WHERE id = ANY(%(ids)s::text[]) FOR SHARE",
    "add_edge": (
        "INSERT INTO {e} (id, source, target, label, properties) VALUES "
        "(%(id)s, %(source)s, %(target)s, %(label)s, %(properties)s) ON CONFLICT (id) DO NOTHING"
    ),
    "get_node": "SELECT label, properties FROM {n} WHERE id = %(id)s",
    "get_edge": "SELECT source, target, label, properties FROM {e} WHERE id = %(id)s",
    "delete_node": (
        "WITH d AS (DELETE FROM {e} WHERE source = %(id)s OR target = %(id)s) "
        "DELETE FROM {n} WHERE id = %(id)s"
    ),
    "delete_edge": "DELETE FROM {e} WHERE id = %(id)s",
    "node_exists": "SELECT 1 FROM {n} WHERE id = %(id)s",
    "nodes": "SELECT id, label, properties FROM {n} WHERE id = ANY(%(ids)s::text[])",
    "node_ids": "SELECT id FROM {n} ORDER BY id",
    "edges": "SELECT id, source, target, label, properties FROM {e} ORDER BY id",
    "count_ids": "SELECT count(*) FROM {n} WHERE id = ANY(%(ids)s::text[])",
}


def _parts(schema: str) -> dict[str, sql.Composable]:
    return {"n": sql.Identifier(schema, "graph_node"), "e": sql.Identifier(schema, "graph_edge")}


@lru_cache(maxsize=1024)
def statements(schema: str) -> dict[str, str]:
    """Every fixed statement, rendered once per schema."""
    parts = _parts(schema)
    return {
        name: sql.SQL(text).format(**parts).as_string(None) for name, text in _TEMPLATES.items()
    }


@lru_cache(maxsize=1024)
def reachable(schema: str, direction: str, labels: bool, bounded: bool) -> str:
    """The recursive query of the ids reachable from ``%(start)s``."""
    label = " AND label = ANY(%(labels)s::text[])" if labels else ""
    steps = " UNION ALL ".join(
        f"SELECT {far} AS far FROM {{e}} WHERE {near} = r.id{label}"
        for near, far in STEPS[direction]
    )
    if bounded:
        text = (
            'WITH RECURSIVE r(id, depth) AS (SELECT %(start)s::text COLLATE "C", 0 UNION '
            f"SELECT s.far, r.depth + 1 FROM r CROSS JOIN LATERAL ({steps}) s "
            "WHERE r.depth < %(max_depth)s) SELECT DISTINCT id FROM r"
        )
    else:
        text = (
            'WITH RECURSIVE r(id) AS (SELECT %(start)s::text COLLATE "C" UNION '
            f"SELECT s.far FROM r CROSS JOIN LATERAL ({steps}) s) SELECT id FROM r"
        )
    return sql.SQL(text).format(**_parts(schema)).as_string(None)


@lru_cache(maxsize=1024)
def edges_near(schema: str, near: str, labels: bool) -> str:
    """The edges whose ``near`` end is one of ``%(ids)s``."""
    label = " AND label = ANY(%(labels)s::text[])" if labels else ""
    text = f"SELECT id, source, target, label FROM {{e}} WHERE {near} = ANY(%(ids)s::text[]){label}"
    return sql.SQL(text).format(**_parts(schema)).as_string(None)
