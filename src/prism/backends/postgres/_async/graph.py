"""postgres graph: graph_basic, graph_traversal and graph_analytics (the SQL is in
``_ops/graph.py``; the algorithms are the shared ones of :mod:`prism._graphs`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from prism import _graphs as algo
from prism import _validate as v
from prism.backends.postgres._async._facet import AsyncPostgresFacet
from prism.backends.postgres._core import BACKEND
from prism.backends.postgres._ops.graph import STEPS, edges_near, reachable, statements
from prism.errors import ConflictError, InvalidArgumentError, NotFoundError
from prism.interfaces._async.graph import AsyncGraphAnalytics, AsyncGraphBasic, AsyncGraphTraversal
from prism.types import Direction, Edge, Node

if TYPE_CHECKING:
    from prism.backends.postgres._async.backend import AsyncPostgresBackend

__all__ = ["AsyncPostgresGraph"]


def _json(value: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(value or {}), allow_nan=False)


def _missing(what: str, id: str, operation: str) -> NotFoundError:
    return NotFoundError(f"{what} {id!r} not found", backend=BACKEND, operation=operation)


class AsyncPostgresGraph(
    AsyncPostgresFacet, AsyncGraphBasic, AsyncGraphTraversal, AsyncGraphAnalytics
):
    MODEL = "graph"

    def __init__(self, backend: AsyncPostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._sql = statements(self.schema)

    # graph_basic -------------------------------------------------------------------------------
    async def add_node(
        self, id: str, label: str, properties: Mapping[str, Any] | None = None
    ) -> Node:
        text = _json(properties)
        params = {"id": id, "label": label, "properties": text}
        if await self._run("add_node", self._sql["add_node"], params) == 0:
            msg = f"node {id!r} already exists"
            raise ConflictError(msg, backend=BACKEND, operation="add_node")
        return Node(id, label, json.loads(text))

    async def add_edge(
        self,
        id: str,
        source: str,
        target: str,
        label: str,
        properties: Mapping[str, Any] | None = None,
    ) -> Edge:
        text = _json(properties)
        params = {
            "id": id,
            "source": source,
            "target": target,
            "label": label,
            "properties": text,
            "ids": [source, target],
        }
        async with self._connection("add_edge") as conn, conn.transaction():
            cur = await conn.execute(self._sql["lock_ends"], params)
            present = {row[0] for row in await cur.fetchall()}
            for end in (source, target):
                if end not in present:
                    msg = f"edge {id!r} needs node {end!r}, which does not exist"
                    raise NotFoundError(msg, backend=BACKEND, operation="add_edge")
            cur = await conn.execute(self._sql["add_edge"], params)
            if cur.rowcount == 0:
                msg = f"edge {id!r} already exists"
                raise ConflictError(msg, backend=BACKEND, operation="add_edge")
        return Edge(id, source, target, label, json.loads(text))

    async def get_node(self, id: str) -> Node:
        row = await self._one("get_node", self._sql["get_node"], {"id": id})
        if row is None:
            raise _missing("node", id, "get_node")
        return Node(id, row[0], json.loads(row[1]))

    async def get_edge(self, id: str) -> Edge:
        row = await self._one("get_edge", self._sql["get_edge"], {"id": id})
        if row is None:
            raise _missing("edge", id, "get_edge")
        return Edge(id, row[0], row[1], row[2], json.loads(row[3]))

    async def delete_node(self, id: str) -> bool:
        return await self._run("delete_node", self._sql["delete_node"], {"id": id}) > 0

    async def delete_edge(self, id: str) -> bool:
        return await self._run("delete_edge", self._sql["delete_edge"], {"id": id}) > 0

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
        labels = None if edge_labels is None else sorted(set(v.names(edge_labels, "edge_labels")))
        params: dict[str, Any] = {"start": start, "max_depth": max_depth, "labels": labels}
        has_labels = labels is not None
        async with self._connection("traverse") as conn, conn.transaction():
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur = await conn.execute(self._sql["node_exists"], {"id": start})
            if await cur.fetchone() is None:
                raise _missing("start node", start, "traverse")
            query = reachable(self.schema, direction, has_labels, max_depth is not None)
            cur = await conn.execute(query, params)
            ids = [row[0] for row in await cur.fetchall()]
            params["ids"] = ids
            found: dict[str, list[tuple[str, Edge]]] = {id: [] for id in ids}
            for near, far in STEPS[direction]:
                cur = await conn.execute(edges_near(self.schema, near, has_labels), params)
                for edge_id, source, target, label in await cur.fetchall():
                    edge = Edge(edge_id, source, target, label)
                    found[source if near == "source" else target].append(
                        (target if far == "target" else source, edge)
                    )

            def neighbours(node: str) -> list[tuple[str, Edge]]:
                return sorted(found.get(node, ()), key=lambda item: (item[0], item[1].id))

            order_ids = algo.traverse(start, neighbours, max_depth, order)
            cur = await conn.execute(self._sql["nodes"], {"ids": order_ids})
            nodes = {
                id: Node(id, label, json.loads(props)) for id, label, props in await cur.fetchall()
            }
        return [nodes[id] for id in order_ids]

    # graph_analytics ---------------------------------------------------------------------------
    async def _whole_graph(self, operation: str) -> tuple[list[str], list[Edge]]:
        """Every node id and every edge (with properties), in id order, from one snapshot."""
        async with self._connection(operation) as conn, conn.transaction():
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur = await conn.execute(self._sql["node_ids"])
            nodes = [row[0] for row in await cur.fetchall()]
            cur = await conn.execute(self._sql["edges"])
            edges = [
                Edge(id, source, target, label, json.loads(props))
                for id, source, target, label, props in await cur.fetchall()
            ]
        return nodes, edges

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
        for end in (source, target):
            if await self._one("shortest_path", self._sql["node_exists"], {"id": end}) is None:
                raise _missing("node", end, "shortest_path")
        _, edges = await self._whole_graph("shortest_path")
        return algo.shortest_path(source, target, algo.neighbours_of(edges, direction), weight)

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
        nodes, edges = await self._whole_graph("pagerank")
        links = [(e.source, e.target) for e in edges]
        return algo.pagerank(nodes, links, damping, max_iterations, tolerance)

    async def connected_components(self) -> list[set[str]]:
        nodes, edges = await self._whole_graph("connected_components")
        return algo.connected_components(nodes, [(e.source, e.target) for e in edges])
