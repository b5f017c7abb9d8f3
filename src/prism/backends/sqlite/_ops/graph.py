"""graph SQL (tables ``prism_graph_node``, ``prism_graph_edge``).

A traversal first asks SQLite, with a recursive CTE, which nodes can be reached (within
``max_depth`` edges along the allowed direction and labels), then loads the edges among them in
one query and walks them with the shared algorithm of ``memstore._ops.graph``, so the visit
order is exactly every backend's (neighbours in ascending id order, BFS by distance, DFS
preorder).  Analytics load the namespace's graph once and run the same shared algorithms.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from prism import _graphs as algo
from prism.backends.sqlite._core import reads, write
from prism.errors import ConflictError, InvalidArgumentError, NotFoundError
from prism.types import Direction, Edge, Node


def _json(value: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(value or {}), ensure_ascii=False, allow_nan=False)


def _missing(what: str, id: str, operation: str) -> NotFoundError:
    return NotFoundError(f"{what} {id!r} not found", backend="sqlite", operation=operation)


# -- graph_basic -----------------------------------------------------------------------------


def add_node(
    conn: sqlite3.Connection, ns: str, id: str, label: str, properties: Mapping[str, Any] | None
) -> Node:
    text = _json(properties)
    with write(conn):
        if conn.execute(
            "SELECT 1 FROM prism_graph_node WHERE ns = ? AND id = ?", (ns, id)
        ).fetchone():
            msg = f"node {id!r} already exists"
            raise ConflictError(msg, backend="sqlite", operation="add_node")
        conn.execute(
            "INSERT INTO prism_graph_node (ns, id, label, properties) VALUES (?, ?, ?, ?)",
            (ns, id, label, text),
        )
    return Node(id, label, json.loads(text))


def add_edge(
    conn: sqlite3.Connection,
    ns: str,
    id: str,
    source: str,
    target: str,
    label: str,
    properties: Mapping[str, Any] | None,
) -> Edge:
    text = _json(properties)
    with write(conn):
        if conn.execute(
            "SELECT 1 FROM prism_graph_edge WHERE ns = ? AND id = ?", (ns, id)
        ).fetchone():
            msg = f"edge {id!r} already exists"
            raise ConflictError(msg, backend="sqlite", operation="add_edge")
        for end in (source, target):
            if not conn.execute(
                "SELECT 1 FROM prism_graph_node WHERE ns = ? AND id = ?", (ns, end)
            ).fetchone():
                msg = f"edge {id!r} needs node {end!r}, which does not exist"
                raise NotFoundError(msg, backend="sqlite", operation="add_edge")
        conn.execute(
            "INSERT INTO prism_graph_edge (ns, id, source, target, label, properties) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (ns, id, source, target, label, text),
        )
    return Edge(id, source, target, label, json.loads(text))


@reads
def get_node(conn: sqlite3.Connection, ns: str, id: str) -> Node:
    row = conn.execute(
        "SELECT label, properties FROM prism_graph_node WHERE ns = ? AND id = ?", (ns, id)
    ).fetchone()
    if row is None:
        raise _missing("node", id, "get_node")
    return Node(id, row[0], json.loads(row[1]))


@reads
def get_edge(conn: sqlite3.Connection, ns: str, id: str) -> Edge:
    row = conn.execute(
        "SELECT source, target, label, properties FROM prism_graph_edge WHERE ns = ? AND id = ?",
        (ns, id),
    ).fetchone()
    if row is None:
        raise _missing("edge", id, "get_edge")
    return Edge(id, row[0], row[1], row[2], json.loads(row[3]))


def delete_node(conn: sqlite3.Connection, ns: str, id: str) -> bool:
    with write(conn):
        conn.execute(
            "DELETE FROM prism_graph_edge WHERE ns = ? AND (source = ? OR target = ?)",
            (ns, id, id),
        )
        return (
            conn.execute("DELETE FROM prism_graph_node WHERE ns = ? AND id = ?", (ns, id)).rowcount
            > 0
        )


def delete_edge(conn: sqlite3.Connection, ns: str, id: str) -> bool:
    return (
        conn.execute("DELETE FROM prism_graph_edge WHERE ns = ? AND id = ?", (ns, id)).rowcount > 0
    )


# -- graph_traversal -------------------------------------------------------------------------

# one step along an edge from r.id, per direction: (the edge's near end, its far end)
_STEPS = {
    "out": [("source", "target")],
    "in": [("target", "source")],
    "both": [("source", "target"), ("target", "source")],
}


def _reachable_sql(direction: Direction, labels: bool, bounded: bool) -> str:
    label = " AND e.label IN (SELECT value FROM json_each(:labels))" if labels else ""
    if bounded:
        steps = " UNION ".join(
            f"SELECT e.{far}, r.depth + 1 FROM r JOIN prism_graph_edge e "
            f"ON e.ns = :ns AND e.{near} = r.id{label} WHERE r.depth < :max_depth"
            for near, far in _STEPS[direction]
        )
        return (
            f"WITH RECURSIVE r(id, depth) AS (SELECT :start, 0 UNION {steps}) "
            "SELECT DISTINCT id FROM r"
        )
    steps = " UNION ".join(
        f"SELECT e.{far} FROM r JOIN prism_graph_edge e ON e.ns = :ns AND e.{near} = r.id{label}"
        for near, far in _STEPS[direction]
    )
    return f"WITH RECURSIVE r(id) AS (SELECT :start UNION {steps}) SELECT id FROM r"


@reads
def traverse(
    conn: sqlite3.Connection,
    ns: str,
    start: str,
    direction: Direction,
    labels: Sequence[str] | None,
    max_depth: int | None,
    order: str,
) -> list[Node]:
    if not conn.execute(
        "SELECT 1 FROM prism_graph_node WHERE ns = ? AND id = ?", (ns, start)
    ).fetchone():
        raise _missing("start node", start, "traverse")
    params: dict[str, Any] = {"ns": ns, "start": start, "max_depth": max_depth}
    if labels is not None:
        params["labels"] = json.dumps(list(labels), ensure_ascii=False)
    sql = _reachable_sql(direction, labels is not None, max_depth is not None)
    reachable = [id for (id,) in conn.execute(sql, params)]
    # the edges leaving (or, for "in", entering) the reachable nodes, as the walk will follow
    found: dict[str, list[tuple[str, Edge]]] = {id: [] for id in reachable}
    label_filter = (
        " AND label IN (SELECT value FROM json_each(:labels))" if labels is not None else ""
    )
    ids = json.dumps(reachable, ensure_ascii=False)
    for near, far in _STEPS[direction]:
        rows = conn.execute(
            f"SELECT id, source, target, label FROM prism_graph_edge WHERE ns = :ns "
            f"AND {near} IN (SELECT value FROM json_each(:ids)){label_filter}",
            {**params, "ids": ids},
        )
        for edge_id, source, target, label in rows:
            edge = Edge(edge_id, source, target, label)
            found[source if near == "source" else target].append(
                (target if far == "target" else source, edge)
            )

    def neighbours(node: str) -> list[tuple[str, Edge]]:
        return sorted(found.get(node, ()), key=lambda item: (item[0], item[1].id))

    order_ids = algo.traverse(start, neighbours, max_depth, order)
    nodes = {
        id: Node(id, label, json.loads(props))
        for id, label, props in conn.execute(
            "SELECT id, label, properties FROM prism_graph_node WHERE ns = ? "
            "AND id IN (SELECT value FROM json_each(?))",
            (ns, json.dumps(order_ids, ensure_ascii=False)),
        )
    }
    return [nodes[id] for id in order_ids]


# -- graph_analytics -------------------------------------------------------------------------


@reads
def whole_graph(conn: sqlite3.Connection, ns: str) -> tuple[list[str], list[Edge]]:
    """Every node id and every edge (with properties) of the namespace, in id order."""
    nodes = [
        id
        for (id,) in conn.execute("SELECT id FROM prism_graph_node WHERE ns = ? ORDER BY id", (ns,))
    ]
    edges = [
        Edge(id, source, target, label, json.loads(props))
        for id, source, target, label, props in conn.execute(
            "SELECT id, source, target, label, properties FROM prism_graph_edge WHERE ns = ? "
            "ORDER BY id",
            (ns,),
        )
    ]
    return nodes, edges


@reads
def nodes_exist(conn: sqlite3.Connection, ns: str, ids: Sequence[str], operation: str) -> None:
    for id in ids:
        if not conn.execute(
            "SELECT 1 FROM prism_graph_node WHERE ns = ? AND id = ?", (ns, id)
        ).fetchone():
            raise _missing("node", id, operation)


# -- graph_query (SQL) -------------------------------------------------------------------------

_VIEWS = (
    "WITH RECURSIVE nodes(id, label, properties) AS "
    "(SELECT id, label, properties FROM prism_graph_node WHERE ns = :prism_ns), "
    "edges(id, source, target, label, properties) AS "
    "(SELECT id, source, target, label, properties FROM prism_graph_edge WHERE ns = :prism_ns)"
)
_HIDDEN = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?(?:\*/|$)", re.DOTALL)
_LEADING_WITH = re.compile(r"^\s*WITH(\s+RECURSIVE)?\s", re.IGNORECASE)
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_TABLES = {"prism_graph_node", "prism_graph_edge"}


def _authorize(action: int, arg1: str | None, *_: Any) -> int:
    if action in _ALLOWED or (action == sqlite3.SQLITE_READ and arg1 in _TABLES):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def sql_text(text: str) -> str:
    """The query with the namespace's ``nodes`` and ``edges`` in front (as common table
    expressions); ``InvalidArgumentError`` when it names prism's own tables."""
    visible = _HIDDEN.sub(" ", text)
    if re.search(r"prism_|sqlite_", visible, re.IGNORECASE):
        msg = "a graph_query SQL query reads the relations nodes and edges only"
        raise InvalidArgumentError(msg)
    leading = _LEADING_WITH.match(text)
    if leading:
        return f"{_VIEWS}, {text[leading.end() :]}"
    return f"{_VIEWS} {text}"


@reads
def query(conn: sqlite3.Connection, ns: str, text: str, params: Mapping[str, Any]) -> list[Any]:
    """A read-only SQL query over the namespace's ``nodes`` and ``edges`` (see graph_query)."""
    statement = sql_text(text)
    conn.set_authorizer(_authorize)
    try:
        cursor = conn.execute(statement, {**params, "prism_ns": ns})
        names = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchall()
    except (sqlite3.OperationalError, sqlite3.ProgrammingError, sqlite3.DatabaseError) as exc:
        msg = f"the SQL query failed: {exc} (it may read nodes and edges only, with :name params)"
        raise InvalidArgumentError(msg) from exc
    finally:
        conn.set_authorizer(None)
    if len(names) == 1:
        return [row[0] for row in rows]
    return [dict(zip(names, row, strict=True)) for row in rows]
