"""The graph operations as gremlinpython bytecode: functions ``op(g, namespace, ...)`` shared by
both flavours (run by ``Connection.run`` / ``run_async``).  Every value travels as a bound
bytecode argument; every traversal starts from ids of the namespace (:func:`server_id`) or from
``has(NS_KEY, namespace)`` and checks ``NS_KEY`` again on the elements it starts from."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from gremlin_python.process.graph_traversal import (  # noqa: TID253 (backend-internal module)
    GraphTraversalSource,
    __,
)
from gremlin_python.process.traversal import T  # noqa: TID253

from prism.backends.gremlin._core import ID_KEY, NS_KEY, PROPS_KEY, server_id
from prism.errors import NotFoundError
from prism.types import Edge, Node

__all__ = [
    "add_edge",
    "add_node",
    "adjacency",
    "delete_edge",
    "delete_node",
    "get_edge",
    "get_node",
    "missing",
    "nodes_by_id",
    "whole_graph",
]

_NATIVE = (str, int, float)


def _props(traversal: Any, properties: Mapping[str, Any]) -> Any:
    """Top-level scalar properties also as native properties (queries can filter on them);
    the JSON text is the exact copy read back."""
    traversal = traversal.property(PROPS_KEY, json.dumps(properties, separators=(",", ":")))
    for key, value in properties.items():
        if isinstance(value, _NATIVE) and not key.startswith("prism_"):
            traversal = traversal.property(key, value)
    return traversal


def add_node(
    g: GraphTraversalSource, ns: str, id: str, label: str, properties: Mapping[str, Any]
) -> Node:
    t = g.add_v(label).property(T.id, server_id(ns, id)).property(NS_KEY, ns).property(ID_KEY, id)
    _props(t, properties).id_().to_list()
    return Node(id, label, json.loads(json.dumps(properties)))


def missing(g: GraphTraversalSource, ns: str, ids: Iterable[str]) -> list[str]:
    """Which of ``ids`` are not nodes of the namespace."""
    wanted = list(dict.fromkeys(ids))
    found = set(g.V(*[server_id(ns, i) for i in wanted]).has(NS_KEY, ns).values(ID_KEY).to_list())
    return [i for i in wanted if i not in found]


def add_edge(
    g: GraphTraversalSource,
    ns: str,
    id: str,
    source: str,
    target: str,
    label: str,
    properties: Mapping[str, Any],
) -> Edge:
    t = (
        g.V(server_id(ns, source))
        .has(NS_KEY, ns)
        .as_("s")
        .V(server_id(ns, target))
        .has(NS_KEY, ns)
        .add_e(label)
        .from_("s")
        .property(T.id, server_id(ns, id))
        .property(NS_KEY, ns)
        .property(ID_KEY, id)
    )
    if not _props(t, properties).id_().to_list():
        absent = missing(g, ns, [source, target])
        shown = " and ".join(repr(a) for a in absent) or f"{source!r} or {target!r}"
        msg = f"edge {id!r} needs node {shown}, which does not exist"
        raise NotFoundError(msg, backend="gremlin", operation="add_edge")
    return Edge(id, source, target, label, json.loads(json.dumps(properties)))


def get_node(g: GraphTraversalSource, ns: str, id: str) -> Node:
    rows = (
        g.V(server_id(ns, id)).has(NS_KEY, ns).project("l", "p").by(T.label).by(PROPS_KEY).to_list()
    )
    if not rows:
        raise NotFoundError(f"node {id!r} not found", backend="gremlin", operation="get_node")
    return Node(id, rows[0]["l"], json.loads(rows[0]["p"]))


def get_edge(g: GraphTraversalSource, ns: str, id: str) -> Edge:
    rows = (
        g.E(server_id(ns, id))
        .has(NS_KEY, ns)
        .project("l", "s", "t", "p")
        .by(T.label)
        .by(__.out_v().values(ID_KEY))
        .by(__.in_v().values(ID_KEY))
        .by(PROPS_KEY)
        .to_list()
    )
    if not rows:
        raise NotFoundError(f"edge {id!r} not found", backend="gremlin", operation="get_edge")
    row = rows[0]
    return Edge(id, row["s"], row["t"], row["l"], json.loads(row["p"]))


def delete_node(g: GraphTraversalSource, ns: str, id: str) -> bool:
    """Drop the node (a Gremlin vertex drop removes its edges too)."""
    found = g.V(server_id(ns, id)).has(NS_KEY, ns).id_().to_list()
    if not found:
        return False
    g.V(server_id(ns, id)).has(NS_KEY, ns).drop().to_list()
    return True


def delete_edge(g: GraphTraversalSource, ns: str, id: str) -> bool:
    found = g.E(server_id(ns, id)).has(NS_KEY, ns).id_().to_list()
    if not found:
        return False
    g.E(server_id(ns, id)).has(NS_KEY, ns).drop().to_list()
    return True


def adjacency(
    g: GraphTraversalSource,
    ns: str,
    nodes: list[str],
    direction: str,
    labels: list[str] | None,
) -> list[tuple[str, str]]:
    """One hop from ``nodes``: ``(from, neighbour)`` per edge followed."""
    if not nodes or labels == []:
        return []
    out: list[tuple[str, str]] = []
    ids = [server_id(ns, n) for n in nodes]
    hops = {"out": [("out_e", "in_v")], "in": [("in_e", "out_v")]}
    hops["both"] = hops["out"] + hops["in"]
    for step, other in hops[direction]:
        t = getattr(g.V(*ids).has(NS_KEY, ns), step)(*(labels or []))
        this = __.in_v() if other == "out_v" else __.out_v()
        t = t.project("f", "n").by(this.values(ID_KEY)).by(getattr(__, other)().values(ID_KEY))
        out.extend((row["f"], row["n"]) for row in t.to_list())
    return out


def nodes_by_id(g: GraphTraversalSource, ns: str, ids: list[str]) -> dict[str, Node]:
    if not ids:
        return {}
    rows = (
        g.V(*[server_id(ns, i) for i in ids])
        .has(NS_KEY, ns)
        .project("i", "l", "p")
        .by(ID_KEY)
        .by(T.label)
        .by(PROPS_KEY)
        .to_list()
    )
    return {r["i"]: Node(r["i"], r["l"], json.loads(r["p"])) for r in rows}


def whole_graph(g: GraphTraversalSource, ns: str, with_props: bool) -> tuple[list[str], list[Edge]]:
    """Every node id and every edge of the namespace (properties only when ``with_props``)."""
    nodes = g.V().has(NS_KEY, ns).values(ID_KEY).to_list()
    t = (
        g.E()
        .has(NS_KEY, ns)
        .project("i", "s", "t", "l", "p")
        .by(ID_KEY)
        .by(__.out_v().values(ID_KEY))
        .by(__.in_v().values(ID_KEY))
        .by(T.label)
    )
    t = t.by(PROPS_KEY) if with_props else t.by(__.constant("{}"))
    edges = [Edge(r["i"], r["s"], r["t"], r["l"], json.loads(r["p"])) for r in t.to_list()]
    return nodes, edges
