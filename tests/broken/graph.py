# Generated from tests/broken/_async/graph.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken graph variants."""

from __future__ import annotations

from typing import Any

from prism.backends.memstore.graph import MemGraph
from tests.broken import Variant


class DanglingEdgesMemGraph(MemGraph):
    """Deleting a node leaves its edges behind."""

    def delete_node(self, id: str) -> bool:
        with self._lock:
            if id not in self._state.nodes:
                return False
            del self._state.nodes[id]
            return True


class OutOnlyMemGraph(MemGraph):
    """Traversal always follows outgoing edges, whatever the direction asked for."""

    def traverse(self, start: str, **kw: Any) -> Any:
        return super().traverse(start, **{**kw, "direction": "out"})


class HopCountingMemGraph(MemGraph):
    """Weights are ignored: every path is measured in edges."""

    def shortest_path(self, source: str, target: str, **kw: Any) -> Any:
        return super().shortest_path(source, target, **{**kw, "weight": None})


# Neighbour order (issue 8) ----------------------------------------------------------------------


def _creation_order(
    facet: Any, start: str, direction: str, max_depth: Any, order: str
) -> list[str]:
    """Traversal that expands neighbours in the order their edges were created."""
    state = facet._state
    rank = {edge_id: i for i, edge_id in enumerate(state.edges)}

    def expand(node: str) -> list[str]:
        edge_ids = []
        if direction in ("out", "both"):
            edge_ids += list(state.out[node])
        if direction in ("in", "both"):
            edge_ids += list(state.into[node])
        edge_ids.sort(key=rank.__getitem__)
        ends = [state.edges[e] for e in edge_ids]
        return list(dict.fromkeys(e.target if e.source == node else e.source for e in ends))

    visited, seen = [start], {start}
    frontier = [(start, 0)]
    while frontier:
        node, depth = frontier.pop(0) if order == "bfs" else frontier.pop()
        if max_depth is not None and depth >= max_depth:
            continue
        children = [n for n in expand(node) if n not in seen]
        for child in children:
            seen.add(child)
            visited.append(child)
        frontier.extend((c, depth + 1) for c in children)
    return visited


def _nodes(facet: Any, start: str, **options: Any) -> list[Any]:
    if options.get("edge_labels") is not None or options.get("order", "bfs") != "bfs":
        return []
    with facet._lock:
        if start not in facet._state.nodes:
            return []
        ids = _creation_order(
            facet, start, options.get("direction", "out"), options.get("max_depth"), "bfs"
        )
        return [facet._state.nodes[i] for i in ids]


class CreationOrderMemGraph(MemGraph):
    """BFS expands neighbours in the order their edges were created, not in id order."""

    def traverse(self, start: str, **options: Any) -> Any:
        checked = super().traverse(start, **options)
        return _nodes(self, start, **options) or checked


VARIANTS = [
    Variant("graph", "dangling-edges", DanglingEdgesMemGraph, "graph_basic"),
    Variant("graph", "out-only-traversal", OutOnlyMemGraph, "graph_traversal"),
    Variant(
        "graph",
        "hop-counting-paths",
        HopCountingMemGraph,
        "graph_analytics",
    ),
    Variant(
        "graph",
        "creation-order-neighbours",
        CreationOrderMemGraph,
        "graph_traversal",
    ),
]
