"""Reference graph algorithms shared by every backend that computes in Python.

They take the graph as a ``neighbours`` function or as node and link lists, so memstore, SQLite
(after its recursive CTE finds the reachable set) and others run exactly the same traversal,
shortest path, PageRank and components.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prism.errors import InvalidArgumentError, UnsupportedError
from prism.types import Edge

Neighbours = Callable[[str], Iterable[tuple[str, Edge]]]
"""``neighbours(node)`` → ``(neighbour id, edge)`` for every edge that may be followed."""


def traverse(start: str, neighbours: Neighbours, max_depth: int | None, order: str) -> list[str]:
    """Node ids in visit order.

    ``bfs`` visits by increasing distance.  ``dfs`` visits in preorder; a node's depth is that of
    the path by which the search first reached it.  Either way neighbours are expanded in
    ascending id order, each node is visited once and no node beyond ``max_depth`` is visited.
    """

    def expand(node: str) -> list[str]:
        return sorted({n for n, _ in neighbours(node)})

    visited = [start]
    seen = {start}
    if order == "bfs":
        queue = deque([(start, 0)])
        while queue:
            node, depth = queue.popleft()
            if max_depth is not None and depth >= max_depth:
                continue
            for n in expand(node):
                if n not in seen:
                    seen.add(n)
                    visited.append(n)
                    queue.append((n, depth + 1))
        return visited
    stack = [(iter(expand(start)), 0)] if max_depth is None or max_depth > 0 else []
    while stack:
        children, depth = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif child not in seen:
            seen.add(child)
            visited.append(child)
            if max_depth is None or depth + 1 < max_depth:
                stack.append((iter(expand(child)), depth + 1))
    return visited


def neighbours_of(edges: Iterable[Edge], direction: str) -> Neighbours:
    """The ``neighbours`` function of a fetched edge list, followed in ``direction`` (``out``,
    ``in`` or ``both``); each node's neighbours in (neighbour id, edge id) order, so a search
    over them gives the same answer whatever order the store returned the edges in."""
    found: dict[str, list[tuple[str, Edge]]] = {}
    for edge in edges:
        if direction in ("out", "both"):
            found.setdefault(edge.source, []).append((edge.target, edge))
        if direction in ("in", "both"):
            found.setdefault(edge.target, []).append((edge.source, edge))
    for items in found.values():
        items.sort(key=lambda item: (item[0], item[1].id))
    return lambda node: found.get(node, ())


def edge_weight(edge: Edge, weight: str) -> float:
    """``edge``'s numeric property ``weight`` (1 when absent); must be a non-negative number."""
    value: Any = edge.properties.get(weight, 1)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        msg = (
            f"edge {edge.id!r} has {weight}={value!r}; a weight must be a non-negative "
            "number (or absent, meaning 1)"
        )
        raise InvalidArgumentError(msg)
    if math.isinf(value):
        msg = f"edge {edge.id!r} has an infinite {weight}"
        raise InvalidArgumentError(msg)
    return float(value)


def shortest_path(
    source: str, target: str, neighbours: Neighbours, weight: str | None
) -> list[str] | None:
    """Node ids of a shortest path (fewest edges, or least total ``weight``), or None."""
    if weight is None:
        previous: dict[str, str | None] = {source: None}
        queue = deque([source])
        while queue and target not in previous:
            node = queue.popleft()
            for n in sorted({n for n, _ in neighbours(node)}):
                if n not in previous:
                    previous[n] = node
                    queue.append(n)
    else:
        best = {source: 0.0}
        previous = {source: None}
        done: set[str] = set()
        heap = [(0.0, source)]
        while heap:
            dist, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == target:
                break
            for n, edge in neighbours(node):
                candidate = dist + edge_weight(edge, weight)
                if n not in best or candidate < best[n]:
                    best[n] = candidate
                    previous[n] = node
                    heapq.heappush(heap, (candidate, n))
    if target not in previous:
        return None
    path = [target]
    step = previous[target]
    while step is not None:
        path.append(step)
        step = previous[step]
    return path[::-1]


def pagerank(
    nodes: Iterable[str],
    links: Iterable[tuple[str, str]],
    damping: float,
    max_iterations: int,
    tolerance: float,
) -> dict[str, float]:
    """PageRank by power iteration.  Every link counts (parallel links and self-loops too);
    the rank of dangling nodes (no outgoing links) spreads evenly over all nodes.  Stops when
    the L1 change of an iteration falls below ``tolerance`` or after ``max_iterations``."""
    ids = list(nodes)
    n = len(ids)
    if n == 0:
        return {}
    out_degree = dict.fromkeys(ids, 0)
    incoming: dict[str, list[str]] = {i: [] for i in ids}
    for source, target in links:
        out_degree[source] += 1
        incoming[target].append(source)
    rank = dict.fromkeys(ids, 1.0 / n)
    for _ in range(max_iterations):
        dangling = sum(rank[i] for i in ids if out_degree[i] == 0)
        base = (1.0 - damping) / n + damping * dangling / n
        new = {i: base + damping * sum(rank[s] / out_degree[s] for s in incoming[i]) for i in ids}
        change = sum(abs(new[i] - rank[i]) for i in ids)
        rank = new
        if change < tolerance:
            break
    return rank


def connected_components(nodes: Iterable[str], links: Iterable[tuple[str, str]]) -> list[set[str]]:
    """Weakly connected components (union-find)."""
    parent = {i: i for i in nodes}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, set[str]] = {}
    for i in parent:
        groups.setdefault(root(i), set()).add(i)
    return list(groups.values())


_PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def query_params(
    language: object,
    text: object,
    params: Mapping[str, Any] | None,
    languages: frozenset[str],
    backend: str,
) -> dict[str, Any]:
    """Check a graph_query call before any I/O: an undeclared ``language`` raises
    ``UnsupportedError``; an empty ``text``, a parameter name that is not an identifier (or
    starts with ``prism_``, reserved for the backend's own bindings) or a value that is not a
    str, number, bool or None raises ``InvalidArgumentError``.  Returns the parameters."""
    if not isinstance(language, str) or language not in languages:
        msg = f"{backend} has no query language {language!r}; it speaks {sorted(languages)}"
        raise UnsupportedError(msg, backend=backend, operation="query")
    if not isinstance(text, str) or not text.strip():
        msg = f"text must be a non-empty {language} query"
        raise InvalidArgumentError(msg)
    if params is not None and not isinstance(params, Mapping):
        msg = f"params must be a mapping of name to value, not {type(params).__name__}"
        raise InvalidArgumentError(msg)
    checked: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if not isinstance(key, str) or not _PARAM_NAME.match(key) or key.startswith("prism_"):
            msg = f"params keys must be identifiers not starting with 'prism_'; got {key!r}"
            raise InvalidArgumentError(msg)
        if not isinstance(value, str | int | float | bool | type(None)) or (
            isinstance(value, float) and not math.isfinite(value)
        ):
            msg = f"params[{key!r}] must be a str, a finite number, a bool or None"
            raise InvalidArgumentError(msg)
        checked[key] = value
    return checked
