# Generated from src/prism/backends/gremlin/_async/graph.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""gremlin graph: graph_basic, graph_traversal, graph_analytics and graph_query (async source;
the sync twin is generated).  Traversals go out as bytecode (``_ops/graph.py``), one round trip
per breadth-first level; the visiting order and the algorithms are prism's shared ones
(``prism._graphs``), so every backend answers alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prism import _graphs as algo
from prism import _validate as v
from prism.backends.base import Facet
from prism.backends.gremlin._core import NS_KEY, PARTITION_PREFIX
from prism.backends.gremlin._errors import translate
from prism.backends.gremlin._ops import graph as ops
from prism.errors import InvalidArgumentError, NotFoundError, PrismError
from prism.interfaces.graph import (
    GraphAnalytics,
    GraphBasic,
    GraphQuery,
    GraphTraversal,
)
from prism.types import Direction, Edge, Node

if TYPE_CHECKING:
    from prism.backends.gremlin.backend import GremlinBackend

__all__ = ["GremlinGraph"]


def _adjacent(pairs: dict[str, set[str]]) -> algo.Neighbours:
    dummy = Edge("", "", "", "", {})
    return lambda node: [(n, dummy) for n in pairs.get(node, ())]


def _plain(value: Any, namespace: str) -> Any:
    """A query result as plain data: vertices and edges as their prism ids."""
    from gremlin_python.structure.graph import Element

    if isinstance(value, Element):
        prefix = f"{len(namespace)}:{namespace}:"
        text = str(value.id)
        return text.removeprefix(prefix)
    if isinstance(value, list | tuple | set):
        return [_plain(x, namespace) for x in value]
    if isinstance(value, dict):
        return {_plain(k, namespace): _plain(x, namespace) for k, x in value.items()}
    return value


class GremlinGraph(Facet, GraphBasic, GraphTraversal, GraphAnalytics, GraphQuery):
    def __init__(self, backend: GremlinBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._conn = backend.connection

    # graph_basic -------------------------------------------------------------------------------
    def add_node(self, id: str, label: str, properties: Mapping[str, Any] | None = None) -> Node:
        return self._conn.run(ops.add_node, self.namespace, id, label, properties or {})

    def add_edge(
        self,
        id: str,
        source: str,
        target: str,
        label: str,
        properties: Mapping[str, Any] | None = None,
    ) -> Edge:
        return self._conn.run(
            ops.add_edge, self.namespace, id, source, target, label, properties or {}
        )

    def get_node(self, id: str) -> Node:
        return self._conn.run(ops.get_node, self.namespace, id)

    def get_edge(self, id: str) -> Edge:
        return self._conn.run(ops.get_edge, self.namespace, id)

    def delete_node(self, id: str) -> bool:
        return self._conn.run(ops.delete_node, self.namespace, id)

    def delete_edge(self, id: str) -> bool:
        return self._conn.run(ops.delete_edge, self.namespace, id)

    # graph_traversal ---------------------------------------------------------------------------
    def _require(self, ids: list[str], operation: str) -> None:
        absent = self._conn.run(ops.missing, self.namespace, ids)
        if absent:
            msg = f"node {absent[0]!r} not found"
            raise NotFoundError(msg, backend=self._conn.backend, operation=operation)

    def _levels(
        self,
        start: str,
        direction: str,
        labels: list[str] | None,
        max_depth: int | None,
        stop_at: str | None = None,
    ) -> dict[str, set[str]]:
        """The adjacency of every node within ``max_depth - 1`` hops, one round trip a level."""
        pairs: dict[str, set[str]] = {}
        seen = {start}
        frontier = [start]
        depth = 0
        while frontier and (max_depth is None or depth < max_depth):
            found = self._conn.run(ops.adjacency, self.namespace, frontier, direction, labels)
            following: list[str] = []
            for node, neighbour in found:
                pairs.setdefault(node, set()).add(neighbour)
                if neighbour not in seen:
                    seen.add(neighbour)
                    following.append(neighbour)
            if stop_at is not None and stop_at in seen:
                break
            frontier = following
            depth += 1
        return pairs

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
        pairs = self._levels(start, direction, labels, max_depth)
        ids = algo.traverse(start, _adjacent(pairs), max_depth, order)
        nodes = self._conn.run(ops.nodes_by_id, self.namespace, ids)
        if start not in nodes:  # a missing start has no edges either: one check at the end
            msg = f"start node {start!r} not found"
            raise NotFoundError(msg, backend=self._conn.backend, operation="traverse")
        return [nodes[i] for i in ids if i in nodes]

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
        if weight is None:
            pairs = self._levels(source, direction, None, None, stop_at=target)
            path = algo.shortest_path(source, target, _adjacent(pairs), None)
            if path is None or source == target:  # a path found proves both ends exist
                self._require([source, target], "shortest_path")
            return path
        self._require([source, target], "shortest_path")
        _, edges = self._conn.run(ops.whole_graph, self.namespace, True)
        for edge in edges:
            algo.edge_weight(edge, weight)
        return algo.shortest_path(source, target, algo.neighbours_of(edges, direction), weight)

    def pagerank(
        self, *, damping: float = 0.85, max_iterations: int = 100, tolerance: float = 1e-10
    ) -> dict[str, float]:
        nodes, edges = self._conn.run(ops.whole_graph, self.namespace, False)
        links = [(e.source, e.target) for e in edges]
        return algo.pagerank(nodes, links, damping, max_iterations, tolerance)

    def connected_components(self) -> list[set[str]]:
        nodes, edges = self._conn.run(ops.whole_graph, self.namespace, False)
        return algo.connected_components(nodes, [(e.source, e.target) for e in edges])

    # graph_query -------------------------------------------------------------------------------
    @property
    def query_languages(self) -> frozenset[str]:
        return frozenset({"gremlin"})

    def query(self, language: str, text: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """A Gremlin script (Groovy flavour) with ``params`` as bindings, confined to the
        namespace by a ``PartitionStrategy`` on ``g`` (prefixed to the script, its values bound
        too).  Vertices and edges in the result come back as their prism ids."""
        bindings = algo.query_params(
            language, text, params, self.query_languages, self._conn.backend
        )
        bindings.update(prism_ns=self.namespace, prism_pkey=NS_KEY)
        try:
            rows = self._conn.submit(PARTITION_PREFIX + text, bindings)
        except Exception as exc:
            if type(exc).__name__ == "GremlinServerError" and getattr(exc, "status_code", 0) in (
                597,
                499,
            ):
                msg = f"the Gremlin script failed: {str(exc).splitlines()[0][:300]}"
                raise InvalidArgumentError(msg) from exc
            err = translate(exc)
            if err is None or isinstance(exc, PrismError):
                raise
            raise err from exc
        return [_plain(row, self.namespace) for row in rows]
