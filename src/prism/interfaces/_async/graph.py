"""Graph: a property graph per namespace, with string ids and JSON-compatible properties."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any

from prism.interfaces._base import (
    COUNT,
    EDGE_ID,
    LABEL,
    NODE_ID,
    OPT_JSON_OBJECT,
    Interface,
    checks,
)
from prism.types import Direction, Edge, Node

__all__ = [
    "AsyncGraphAnalytics",
    "AsyncGraphBasic",
    "AsyncGraphQuery",
    "AsyncGraphTraversal",
]


def _OPT_DEPTH(_: object, value: object) -> int | None:
    from prism import _validate as v

    return v.optional_count(value, "max_depth")


def _DIRECTION(_: object, value: object) -> str:
    from prism import _validate as v

    return v.choice(value, ("out", "in", "both"), "direction")


def _ORDER(_: object, value: object) -> str:
    from prism import _validate as v

    return v.choice(value, ("bfs", "dfs"), "order")


def _OPT_LABELS(_: object, value: object) -> list[str] | None:
    from prism import _validate as v

    return None if value is None else v.names(value, "edge_labels")


def _OPT_WEIGHT(_: object, value: object) -> str | None:
    from prism import _validate as v

    return None if value is None else v.name(value, "weight")


def _DAMPING(_: object, value: object) -> float:
    from prism import _validate as v
    from prism.errors import InvalidArgumentError

    damping = v.number(value, "damping")
    if not 0 <= damping <= 1:
        msg = f"damping must be a number from 0 to 1, got {v.show(value)}"
        raise InvalidArgumentError(msg)
    return damping


def _TOLERANCE(_: object, value: object) -> float:
    from prism import _validate as v
    from prism.errors import InvalidArgumentError

    tolerance = v.number(value, "tolerance")
    if tolerance <= 0:
        msg = f"tolerance must be a finite number > 0, got {v.show(value)}"
        raise InvalidArgumentError(msg)
    return tolerance


_OPT_DEPTH.normalizes = True  # type: ignore[attr-defined]
_OPT_LABELS.normalizes = True  # type: ignore[attr-defined]
_OPT_WEIGHT.normalizes = True  # type: ignore[attr-defined]
_DAMPING.normalizes = True  # type: ignore[attr-defined]
_TOLERANCE.normalizes = True  # type: ignore[attr-defined]
_DIRECTION.normalizes = True  # type: ignore[attr-defined]
_ORDER.normalizes = True  # type: ignore[attr-defined]


class AsyncGraphBasic(Interface, name="graph_basic", model="graph"):
    """Nodes and directed edges, each with a string id, a label and properties.

    Adding an id that exists raises ``ConflictError``; an edge whose endpoint is missing raises
    ``NotFoundError`` and is not added.  Deleting a node deletes its edges.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(id=NODE_ID, label=LABEL, properties=OPT_JSON_OBJECT)
    async def add_node(
        self, id: str, label: str, properties: Mapping[str, Any] | None = None
    ) -> Node: ...

    @abc.abstractmethod
    @checks(id=EDGE_ID, source=NODE_ID, target=NODE_ID, label=LABEL, properties=OPT_JSON_OBJECT)
    async def add_edge(
        self,
        id: str,
        source: str,
        target: str,
        label: str,
        properties: Mapping[str, Any] | None = None,
    ) -> Edge: ...

    @abc.abstractmethod
    @checks(id=NODE_ID)
    async def get_node(self, id: str) -> Node:
        """``NotFoundError`` when absent."""

    @abc.abstractmethod
    @checks(id=EDGE_ID)
    async def get_edge(self, id: str) -> Edge:
        """``NotFoundError`` when absent."""

    @abc.abstractmethod
    @checks(id=NODE_ID)
    async def delete_node(self, id: str) -> bool:
        """Delete the node and every edge touching it; return whether it existed."""

    @abc.abstractmethod
    @checks(id=EDGE_ID)
    async def delete_edge(self, id: str) -> bool:
        """Return whether the edge existed."""


class AsyncGraphTraversal(Interface, name="graph_traversal", model="graph"):
    """Breadth- or depth-first traversal.  Each node is visited at most once; the start node is
    first (depth 0); nodes further than ``max_depth`` edges away are not visited.  Neighbours are
    expanded in ascending id order (code point order, as Python sorts ``str``; never insertion
    order), each neighbour once however many edges lead to it, so results are deterministic.

    ``bfs`` visits by increasing distance, so it visits every node within ``max_depth``.
    ``dfs`` visits in preorder and a node's depth is that of the path by which the search first
    reached it (a node first reached by a long path is not expanded again from a shorter one).
    ``direction`` follows edges out of, into, or both ways from each node.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(
        start=NODE_ID,
        direction=_DIRECTION,
        edge_labels=_OPT_LABELS,
        max_depth=_OPT_DEPTH,
        order=_ORDER,
    )
    async def traverse(
        self,
        start: str,
        *,
        direction: Direction = "out",
        edge_labels: Sequence[str] | None = None,
        max_depth: int | None = None,
        order: str = "bfs",
    ) -> list[Node]:
        """Nodes reachable from ``start`` in visit order; ``NotFoundError`` for a missing
        start.  ``edge_labels`` restricts which edges are followed (an empty list: none)."""


class AsyncGraphQuery(Interface, name="graph_query", model="graph"):
    """A backend's native graph query language(s).  An undeclared language raises
    ``UnsupportedError``; a malformed query raises ``InvalidArgumentError``.

    ``params`` are bound by name, never spliced into the text: Gremlin bindings, Cypher
    ``$name``, SQL ``:name``.  In SQL the graph is seen as the relations ``nodes(id, label,
    properties)`` and ``edges(id, source, target, label, properties)``, properties as JSON text.
    Each element of the result is one row or traverser: a single-column row is its value, a
    row of several columns a dict of column name to value.
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def query_languages(self) -> frozenset[str]:
        """The languages :meth:`query` accepts (gremlin, cypher, sparql, sql)."""

    @abc.abstractmethod
    async def query(
        self, language: str, text: str, params: Mapping[str, Any] | None = None
    ) -> list[Any]: ...


class AsyncGraphAnalytics(Interface, name="graph_analytics", model="graph"):
    """Whole-graph algorithms with exact results on small graphs."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(source=NODE_ID, target=NODE_ID, weight=_OPT_WEIGHT, direction=_DIRECTION)
    async def shortest_path(
        self,
        source: str,
        target: str,
        *,
        weight: str | None = None,
        direction: Direction = "out",
    ) -> list[str] | None:
        """Node ids of a shortest path (fewest edges, or least total of the numeric edge
        property ``weight``, default 1 when absent), from ``source`` to ``target`` inclusive
        (``[source]`` when they are the same), or None when unreachable.  ``NotFoundError``
        when either node is missing; ``InvalidArgumentError`` when an edge's weight is not a
        non-negative number."""

    @abc.abstractmethod
    @checks(damping=_DAMPING, max_iterations=COUNT, tolerance=_TOLERANCE)
    async def pagerank(
        self, *, damping: float = 0.85, max_iterations: int = 100, tolerance: float = 1e-10
    ) -> dict[str, float]:
        """PageRank of every node (summing to 1; dangling nodes spread evenly).

        Power iteration from the uniform vector: every edge is a link (parallel edges and
        self-loops included); it stops when an iteration changes the ranks by less than
        ``tolerance`` in total (L1) or after ``max_iterations``.  An empty graph gives ``{}``.
        """

    @abc.abstractmethod
    async def connected_components(self) -> list[set[str]]:
        """Weakly connected components, as sets of node ids, in no particular order (a node
        without edges is a component of its own)."""
