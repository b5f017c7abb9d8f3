"""memstore graph: graph_basic, graph_traversal, graph_analytics and graph_query (a documented
Gremlin subset, ``prism._gremlin``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prism import _graphs as shared
from prism import _gremlin
from prism import _validate as v
from prism.backends._async.base import AsyncFacet
from prism.backends.memstore._ops import graph as algo
from prism.backends.memstore._ops.document import copy_json
from prism.backends.memstore._ops.graph import GraphState
from prism.errors import ConflictError, InvalidArgumentError, NotFoundError
from prism.interfaces._async.graph import (
    AsyncGraphAnalytics,
    AsyncGraphBasic,
    AsyncGraphQuery,
    AsyncGraphTraversal,
)
from prism.types import Direction, Edge, Node

if TYPE_CHECKING:
    from prism.backends.memstore._async.backend import AsyncMemstoreBackend


def _node(node: Node) -> Node:
    return Node(node.id, node.label, copy_json(node.properties))


def _edge(edge: Edge) -> Edge:
    return Edge(edge.id, edge.source, edge.target, edge.label, copy_json(edge.properties))


class AsyncMemGraph(
    AsyncFacet, AsyncGraphBasic, AsyncGraphTraversal, AsyncGraphAnalytics, AsyncGraphQuery
):
    def __init__(self, backend: AsyncMemstoreBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._lock = backend.store.lock
        self._state = backend.store.namespace_state("graph", namespace, GraphState)

    def _missing(self, what: str, id: str, operation: str) -> NotFoundError:
        return NotFoundError(f"{what} {id!r} not found", backend="memstore", operation=operation)

    # graph_basic -------------------------------------------------------------------------------
    async def add_node(
        self, id: str, label: str, properties: Mapping[str, Any] | None = None
    ) -> Node:
        node = Node(id, label, copy_json(properties or {}))
        with self._lock:
            if id in self._state.nodes:
                msg = f"node {id!r} already exists"
                raise ConflictError(msg, backend="memstore", operation="add_node")
            self._state.add_node(node)
        return _node(node)

    async def add_edge(
        self,
        id: str,
        source: str,
        target: str,
        label: str,
        properties: Mapping[str, Any] | None = None,
    ) -> Edge:
        edge = Edge(id, source, target, label, copy_json(properties or {}))
        with self._lock:
            if id in self._state.edges:
                msg = f"edge {id!r} already exists"
                raise ConflictError(msg, backend="memstore", operation="add_edge")
            for end in (source, target):
                if end not in self._state.nodes:
                    msg = f"edge {id!r} needs node {end!r}, which does not exist"
                    raise NotFoundError(msg, backend="memstore", operation="add_edge")
            self._state.add_edge(edge)
        return _edge(edge)

    async def get_node(self, id: str) -> Node:
        with self._lock:
            node = self._state.nodes.get(id)
        if node is None:
            raise self._missing("node", id, "get_node")
        return _node(node)

    async def get_edge(self, id: str) -> Edge:
        with self._lock:
            edge = self._state.edges.get(id)
        if edge is None:
            raise self._missing("edge", id, "get_edge")
        return _edge(edge)

    async def delete_node(self, id: str) -> bool:
        with self._lock:
            return self._state.delete_node(id)

    async def delete_edge(self, id: str) -> bool:
        with self._lock:
            return self._state.delete_edge(id)

    # graph_traversal ---------------------------------------------------------------------------
    async def traverse(
        self,
        start: str,
        *,
        direction: Direction = "out",
        edge_labels: Sequence[str] | None = None,
        max_depth: int | None = None,
        order: str = "bfs",
    ) -> list[Node]:
        labels = None if edge_labels is None else frozenset(v.names(edge_labels, "edge_labels"))
        with self._lock:
            if start not in self._state.nodes:
                raise self._missing("start node", start, "traverse")
            ids = algo.traverse(start, self._state.neighbours(direction, labels), max_depth, order)
            return [_node(self._state.nodes[i]) for i in ids]

    # graph_analytics ---------------------------------------------------------------------------
    async def shortest_path(
        self,
        source: str,
        target: str,
        *,
        weight: str | None = None,
        direction: Direction = "out",
    ) -> list[str] | None:
        if weight is not None:
            v.name(weight, "weight")
        with self._lock:
            for end in (source, target):
                if end not in self._state.nodes:
                    raise self._missing("node", end, "shortest_path")
            return algo.shortest_path(source, target, self._state.neighbours(direction), weight)

    async def pagerank(
        self, *, damping: float = 0.85, max_iterations: int = 100, tolerance: float = 1e-10
    ) -> dict[str, float]:
        if v.number(damping, "damping") < 0 or damping > 1:
            msg = f"damping must be between 0 and 1, got {damping!r}"
            raise InvalidArgumentError(msg)
        v.count(max_iterations, "max_iterations", minimum=1)
        if v.number(tolerance, "tolerance") <= 0:
            msg = f"tolerance must be > 0, got {tolerance!r}"
            raise InvalidArgumentError(msg)
        with self._lock:
            nodes = list(self._state.nodes)
            links = [(e.source, e.target) for e in self._state.edges.values()]
        return algo.pagerank(nodes, links, damping, max_iterations, tolerance)

    async def connected_components(self) -> list[set[str]]:
        with self._lock:
            nodes = list(self._state.nodes)
            links = [(e.source, e.target) for e in self._state.edges.values()]
        return algo.connected_components(nodes, links)

    # graph_query -------------------------------------------------------------------------------
    @property
    def query_languages(self) -> frozenset[str]:
        return frozenset({"gremlin"})

    async def query(
        self, language: str, text: str, params: Mapping[str, Any] | None = None
    ) -> list[Any]:
        """A traversal in the Gremlin subset of :mod:`prism._gremlin`, parameters bound."""
        checked = shared.query_params(language, text, params, self.query_languages, "memstore")
        with self._lock:
            return _gremlin.run(self._state, text, checked)
