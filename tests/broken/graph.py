"""Broken graph variants."""

from __future__ import annotations

from typing import Any

from prism.backends.memstore._async.graph import AsyncMemGraph
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


class AsyncDanglingEdgesMemGraph(AsyncMemGraph):
    async def delete_node(self, id: str) -> bool:
        with self._lock:
            if id not in self._state.nodes:
                return False
            del self._state.nodes[id]
            return True


class OutOnlyMemGraph(MemGraph):
    """Traversal always follows outgoing edges, whatever the direction asked for."""

    def traverse(self, start: str, **kw: Any) -> Any:
        return super().traverse(start, **{**kw, "direction": "out"})


class AsyncOutOnlyMemGraph(AsyncMemGraph):
    async def traverse(self, start: str, **kw: Any) -> Any:
        return await super().traverse(start, **{**kw, "direction": "out"})


class HopCountingMemGraph(MemGraph):
    """Weights are ignored: every path is measured in edges."""

    def shortest_path(self, source: str, target: str, **kw: Any) -> Any:
        return super().shortest_path(source, target, **{**kw, "weight": None})


class AsyncHopCountingMemGraph(AsyncMemGraph):
    async def shortest_path(self, source: str, target: str, **kw: Any) -> Any:
        return await super().shortest_path(source, target, **{**kw, "weight": None})


VARIANTS = [
    Variant(
        "graph", "dangling-edges", DanglingEdgesMemGraph, AsyncDanglingEdgesMemGraph, "graph_basic"
    ),
    Variant(
        "graph", "out-only-traversal", OutOnlyMemGraph, AsyncOutOnlyMemGraph, "graph_traversal"
    ),
    Variant(
        "graph",
        "hop-counting-paths",
        HopCountingMemGraph,
        AsyncHopCountingMemGraph,
        "graph_analytics",
    ),
]
