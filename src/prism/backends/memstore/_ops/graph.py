"""memstore graph state.  The algorithms live in :mod:`prism._graphs`, shared by every backend."""

from __future__ import annotations

from dataclasses import dataclass, field

from prism._graphs import (
    Neighbours,
    connected_components,
    edge_weight,
    pagerank,
    shortest_path,
    traverse,
)
from prism.types import Direction, Edge, Node

__all__ = [
    "GraphState",
    "Neighbours",
    "connected_components",
    "edge_weight",
    "pagerank",
    "shortest_path",
    "traverse",
]


@dataclass
class GraphState:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    out: dict[str, set[str]] = field(default_factory=dict)
    """Node id → ids of the edges leaving it."""
    into: dict[str, set[str]] = field(default_factory=dict)
    """Node id → ids of the edges entering it."""

    def add_node(self, node: Node) -> None:
        self.nodes[node.id] = node
        self.out[node.id] = set()
        self.into[node.id] = set()

    def add_edge(self, edge: Edge) -> None:
        self.edges[edge.id] = edge
        self.out[edge.source].add(edge.id)
        self.into[edge.target].add(edge.id)

    def delete_edge(self, id: str) -> bool:
        edge = self.edges.pop(id, None)
        if edge is None:
            return False
        self.out[edge.source].discard(id)
        self.into[edge.target].discard(id)
        return True

    def delete_node(self, id: str) -> bool:
        if id not in self.nodes:
            return False
        for edge_id in self.out[id] | self.into[id]:
            self.delete_edge(edge_id)
        del self.nodes[id], self.out[id], self.into[id]
        return True

    def neighbours(self, direction: Direction, labels: frozenset[str] | None = None) -> Neighbours:
        """``neighbours(node)`` along ``direction``, following only ``labels`` when given.
        Call it with the store lock held."""

        def step(node: str) -> list[tuple[str, Edge]]:
            found: list[tuple[str, Edge]] = []
            if direction in ("out", "both"):
                found += [(e.target, e) for e in map(self.edges.__getitem__, self.out[node])]
            if direction in ("in", "both"):
                found += [(e.source, e) for e in map(self.edges.__getitem__, self.into[node])]
            found.sort(key=lambda item: (item[0], item[1].id))
            return [(n, e) for n, e in found if labels is None or e.label in labels]

        return step
