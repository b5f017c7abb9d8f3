"""Broken graph variants."""

from __future__ import annotations

from typing import Any

from prism.backends.memstore._async.graph import AsyncMemGraph
from tests.broken import Variant


class AsyncDanglingEdgesMemGraph(AsyncMemGraph):
    """Deleting a node leaves its edges behind."""

    async def delete_node(self, id: str) -> bool:
        with self._lock:
            if id not in self._state.nodes:
                return False
            del self._state.nodes[id]
            return True


class AsyncOutOnlyMemGraph(AsyncMemGraph):
    """Traversal always follows outgoing edges, whatever the direction asked for."""

    async def traverse(self, start: str, **kw: Any) -> Any:
        return await super().traverse(start, **{**kw, "direction": "out"})


class AsyncHopCountingMemGraph(AsyncMemGraph):
    """Weights are ignored: every path is measured in edges."""

    async def shortest_path(self, source: str, target: str, **kw: Any) -> Any:
        return await super().shortest_path(source, target, **{**kw, "weight": None})


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


class AsyncCreationOrderMemGraph(AsyncMemGraph):
    """BFS expands neighbours in the order their edges were created, not in id order."""

    async def traverse(self, start: str, **options: Any) -> Any:
        checked = await super().traverse(start, **options)
        return _nodes(self, start, **options) or checked


VARIANTS = [
    Variant("graph", "dangling-edges", AsyncDanglingEdgesMemGraph, "graph_basic"),
    Variant("graph", "out-only-traversal", AsyncOutOnlyMemGraph, "graph_traversal"),
    Variant(
        "graph",
        "hop-counting-paths",
        AsyncHopCountingMemGraph,
        "graph_analytics",
    ),
    Variant(
        "graph",
        "creation-order-neighbours",
        AsyncCreationOrderMemGraph,
        "graph_traversal",
    ),
]
