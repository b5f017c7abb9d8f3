# Generated from src/prism/backends/sqlite/_async/graph.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""sqlite graph: graph_basic, graph_traversal, graph_analytics and graph_query in SQL (the SQL is
in ``_ops/graph.py``; the algorithms are memstore's shared ones)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prism import _graphs as algo
from prism import _validate as v
from prism.backends.base import Facet
from prism.backends.sqlite._ops import graph as ops
from prism.errors import InvalidArgumentError
from prism.interfaces.graph import (
    GraphAnalytics,
    GraphBasic,
    GraphQuery,
    GraphTraversal,
)
from prism.types import Direction, Edge, Node

if TYPE_CHECKING:
    from prism.backends.sqlite.backend import SQLiteBackend


class SQLiteGraph(Facet, GraphBasic, GraphTraversal, GraphAnalytics, GraphQuery):
    def __init__(self, backend: SQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db

    # graph_basic -------------------------------------------------------------------------------
    def add_node(self, id: str, label: str, properties: Mapping[str, Any] | None = None) -> Node:
        return self._db.run(ops.add_node, self.namespace, id, label, properties)

    def add_edge(
        self,
        id: str,
        source: str,
        target: str,
        label: str,
        properties: Mapping[str, Any] | None = None,
    ) -> Edge:
        return self._db.run(ops.add_edge, self.namespace, id, source, target, label, properties)

    def get_node(self, id: str) -> Node:
        return self._db.run(ops.get_node, self.namespace, id)

    def get_edge(self, id: str) -> Edge:
        return self._db.run(ops.get_edge, self.namespace, id)

    def delete_node(self, id: str) -> bool:
        return self._db.run(ops.delete_node, self.namespace, id)

    def delete_edge(self, id: str) -> bool:
        return self._db.run(ops.delete_edge, self.namespace, id)

    # graph_traversal ---------------------------------------------------------------------------
    def traverse(
        self,
        start: str,
        *,
        direction: Direction = "out",
        edge_labels: Sequence[str] | None = None,
        max_depth: int | None = None,
        order: str = "bfs",
    ) -> list[Node]:
        labels = None if edge_labels is None else sorted(set(v.names(edge_labels, "edge_labels")))
        return self._db.run(
            ops.traverse, self.namespace, start, direction, labels, max_depth, order
        )

    # graph_analytics ---------------------------------------------------------------------------
    def shortest_path(
        self,
        source: str,
        target: str,
        *,
        weight: str | None = None,
        direction: Direction = "out",
    ) -> list[str] | None:
        if weight is not None:
            v.name(weight, "weight")
        self._db.run(
            ops.nodes_exist,
            self.namespace,
            [source, target],
            "shortest_path",
            operation="shortest_path",
        )
        _, edges = self._db.run(ops.whole_graph, self.namespace, operation="shortest_path")
        return algo.shortest_path(source, target, algo.neighbours_of(edges, direction), weight)

    def pagerank(
        self, *, damping: float = 0.85, max_iterations: int = 100, tolerance: float = 1e-10
    ) -> dict[str, float]:
        if v.number(damping, "damping") < 0 or damping > 1:
            msg = f"damping must be between 0 and 1, got {damping!r}"
            raise InvalidArgumentError(msg)
        v.count(max_iterations, "max_iterations", minimum=1)
        if v.number(tolerance, "tolerance") <= 0:
            msg = f"tolerance must be > 0, got {tolerance!r}"
            raise InvalidArgumentError(msg)
        nodes, edges = self._db.run(ops.whole_graph, self.namespace, operation="pagerank")
        links = [(e.source, e.target) for e in edges]
        return algo.pagerank(nodes, links, damping, max_iterations, tolerance)

    def connected_components(self) -> list[set[str]]:
        nodes, edges = self._db.run(
            ops.whole_graph, self.namespace, operation="connected_components"
        )
        return algo.connected_components(nodes, [(e.source, e.target) for e in edges])

    # graph_query -------------------------------------------------------------------------------
    @property
    def query_languages(self) -> frozenset[str]:
        return frozenset({"sql"})

    def query(self, language: str, text: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Read-only SQL over the namespace's ``nodes(id, label, properties)`` and ``edges(id,
        source, target, label, properties)`` (common table expressions put in front of the
        query; prism's own tables and every write are refused), ``:name`` parameters bound."""
        checked = algo.query_params(language, text, params, self.query_languages, "sqlite")
        return self._db.run(ops.query, self.namespace, text, checked)
