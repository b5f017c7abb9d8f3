"""Compliance suites for the graph interfaces."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pytest

import prism
from prism.interfaces._async.graph import (
    AsyncGraphAnalytics,
    AsyncGraphBasic,
    AsyncGraphQuery,
    AsyncGraphTraversal,
)
from prism.testing._async.suite import AsyncSuite
from prism.testing._concurrency import run_concurrently_async
from prism.types import Edge, Node

BAD_IDS: list[Any] = ["", "x" * 1025, "é" * 513, "a\x00b", b"bytes", 42, None]
UNICODE_IDS = ["café", "节点", "🙂:emoji", "x" * 1024, "é" * 512]
INTERFACES: dict[str, type] = {
    "graph_basic": AsyncGraphBasic,
    "graph_traversal": AsyncGraphTraversal,
    "graph_analytics": AsyncGraphAnalytics,
    "graph_query": AsyncGraphQuery,
}

# The traversal graph:  a→b, a→c, b→d (knows); c→d (likes); d→e, e→a, f→a (knows); g alone.
TRAVERSAL_NODES = "abcdefg"
TRAVERSAL_EDGES = [
    ("ab", "a", "b", "knows"),
    ("ac", "a", "c", "knows"),
    ("bd", "b", "d", "knows"),
    ("cd", "c", "d", "likes"),
    ("de", "d", "e", "knows"),
    ("ea", "e", "a", "knows"),
    ("fa", "f", "a", "knows"),
]


class _GraphSuite(AsyncSuite):
    async def graph(self, name: str | None = None) -> Any:
        """A namespace's graph facet, checked to implement this suite's interface and
        graph_basic (to build the graph under test)."""
        g = (await self.open(name)).facet("graph")
        assert isinstance(g, AsyncGraphBasic), f"{g!r} lacks graph_basic"
        assert isinstance(g, INTERFACES[self.interface]), f"{g!r} lacks {self.interface}"
        return g

    async def build(self, g: Any, nodes: str | list[str], edges: list[tuple[Any, ...]]) -> None:
        """Add ``nodes`` (label "n") and ``edges`` as ``(id, source, target, label[, props])``."""
        for node in nodes:
            await g.add_node(node, "n")
        for edge in edges:
            props = edge[4] if len(edge) > 4 else None
            await g.add_edge(edge[0], edge[1], edge[2], edge[3], props)


class AsyncGraphBasicSuite(_GraphSuite, interface="graph_basic"):
    async def test_add_and_get_node_with_properties(self) -> None:
        g = await self.graph()
        props = {
            "name": "Ada",
            "age": 36,
            "score": 9.5,
            "admin": True,
            "nick": None,
            "tags": ["x", 1, None],
            "address": {"city": "London", "zip": ["N", 1]},
        }
        added = await g.add_node("ada", "person", props)
        assert added == Node("ada", "person", props)
        assert await g.get_node("ada") == Node("ada", "person", props)

    async def test_node_without_properties(self) -> None:
        g = await self.graph()
        await g.add_node("n1", "thing")
        node = await g.get_node("n1")
        assert node == Node("n1", "thing", {})
        assert dict(node.properties) == {}

    async def test_add_and_get_edge_with_properties(self) -> None:
        g = await self.graph()
        await g.add_node("a", "person")
        await g.add_node("b", "person")
        added = await g.add_edge("e1", "a", "b", "knows", {"since": 2020, "w": 0.5})
        assert added == Edge("e1", "a", "b", "knows", {"since": 2020, "w": 0.5})
        assert await g.get_edge("e1") == Edge("e1", "a", "b", "knows", {"since": 2020, "w": 0.5})
        await g.add_edge("e2", "b", "a", "knows")
        assert await g.get_edge("e2") == Edge("e2", "b", "a", "knows", {})

    async def test_parallel_edges_and_self_loops(self) -> None:
        g = await self.graph()
        await self.build(
            g, "ab", [("x", "a", "b", "l"), ("y", "a", "b", "l"), ("z", "a", "a", "self")]
        )
        assert (await g.get_edge("y")).target == "b"
        assert (await g.get_edge("z")).source == "a"
        assert await g.delete_node("a") is True
        for edge_id in "xyz":
            with pytest.raises(prism.NotFoundError):
                await g.get_edge(edge_id)

    async def test_duplicate_ids_conflict(self) -> None:
        g = await self.graph()
        await g.add_node("a", "person", {"v": 1})
        await g.add_node("b", "person")
        with pytest.raises(prism.ConflictError):
            await g.add_node("a", "other", {"v": 2})
        assert await g.get_node("a") == Node("a", "person", {"v": 1})
        await g.add_edge("e", "a", "b", "knows")
        with pytest.raises(prism.ConflictError):
            await g.add_edge("e", "b", "a", "other")
        assert await g.get_edge("e") == Edge("e", "a", "b", "knows", {})

    async def test_edge_to_a_missing_node_is_not_added(self) -> None:
        g = await self.graph()
        await g.add_node("a", "person")
        for source, target in (("a", "ghost"), ("ghost", "a"), ("ghost", "ghost2")):
            with pytest.raises(prism.NotFoundError) as info:
                await g.add_edge("e", source, target, "knows")
            assert "ghost" in str(info.value)
            with pytest.raises(prism.NotFoundError):
                await g.get_edge("e")

    async def test_missing_items_raise_not_found(self) -> None:
        g = await self.graph()
        with pytest.raises(prism.NotFoundError):
            await g.get_node("nope")
        with pytest.raises(prism.NotFoundError):
            await g.get_edge("nope")

    async def test_delete_node_removes_its_edges(self) -> None:
        g = await self.graph()
        await self.build(
            g,
            "abc",
            [
                ("ab", "a", "b", "l"),
                ("ba", "b", "a", "l"),
                ("bc", "b", "c", "l"),
                ("ca", "c", "a", "l"),
            ],
        )
        assert await g.delete_node("b") is True
        with pytest.raises(prism.NotFoundError):
            await g.get_node("b")
        for edge_id in ("ab", "ba", "bc"):
            with pytest.raises(prism.NotFoundError):
                await g.get_edge(edge_id)
        assert await g.get_edge("ca") == Edge("ca", "c", "a", "l", {})
        assert await g.delete_node("b") is False
        await g.add_node("b", "again")  # the id is free again, without old edges
        await g.add_edge("ab", "a", "b", "new")
        assert (await g.get_edge("ab")).label == "new"

    async def test_delete_edge(self) -> None:
        g = await self.graph()
        await self.build(g, "ab", [("ab", "a", "b", "l")])
        assert await g.delete_edge("ab") is True
        assert await g.delete_edge("ab") is False
        with pytest.raises(prism.NotFoundError):
            await g.get_edge("ab")
        assert (await g.get_node("a")).id == "a"
        assert (await g.get_node("b")).id == "b"
        assert await g.delete_edge("never") is False

    @pytest.mark.parametrize(
        "props",
        [
            pytest.param({"x": float("nan")}, id="nan"),
            pytest.param({"x": {1, 2}}, id="set"),
            pytest.param({"x": b"bytes"}, id="bytes"),
            pytest.param({"x": object()}, id="object"),
            pytest.param({1: "x"}, id="non-str-key"),
            pytest.param(["x"], id="not-a-mapping"),
        ],
    )
    async def test_non_json_properties_rejected(self, props: Any) -> None:
        g = await self.graph()
        await g.add_node("a", "n")
        with pytest.raises(prism.InvalidArgumentError):
            await g.add_node("b", "n", props)
        with pytest.raises(prism.InvalidArgumentError):
            await g.add_edge("e", "a", "a", "l", props)
        with pytest.raises(prism.NotFoundError):
            await g.get_node("b")
        with pytest.raises(prism.NotFoundError):
            await g.get_edge("e")

    async def test_bad_ids_and_labels_rejected_before_io(self) -> None:
        g = await self.graph()
        await g.add_node("a", "n")
        for bad in BAD_IDS:
            for call in (
                partial(g.add_node, bad, "n"),
                partial(g.add_node, "x", bad),
                partial(g.get_node, bad),
                partial(g.delete_node, bad),
                partial(g.add_edge, bad, "a", "a", "l"),
                partial(g.add_edge, "e", bad, "a", "l"),
                partial(g.add_edge, "e", "a", bad, "l"),
                partial(g.add_edge, "e", "a", "a", bad),
                partial(g.get_edge, bad),
                partial(g.delete_edge, bad),
            ):
                with pytest.raises(prism.InvalidArgumentError):
                    await call()
        with pytest.raises(prism.NotFoundError):
            await g.get_node("x")

    @pytest.mark.parametrize("name", UNICODE_IDS)
    async def test_unicode_ids_and_labels(self, name: str) -> None:
        g = await self.graph()
        await g.add_node(name, name, {name: name})
        await g.add_edge(name, name, name, name, {name: name})
        assert await g.get_node(name) == Node(name, name, {name: name})
        assert await g.get_edge(name) == Edge(name, name, name, name, {name: name})

    async def test_returned_properties_are_copies(self) -> None:
        g = await self.graph()
        props: dict[str, Any] = {"nested": {"v": 1}, "list": [1]}
        node = await g.add_node("a", "n", props)
        props["nested"]["v"] = 2
        props["list"].append(2)
        fetched = await g.get_node("a")
        assert fetched.properties == {"nested": {"v": 1}, "list": [1]}
        fetched.properties["nested"]["v"] = 3
        node.properties["list"].append(3)
        assert (await g.get_node("a")).properties == {"nested": {"v": 1}, "list": [1]}

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.graph()
        b = await self.graph()
        await a.add_node("n", "in-a")
        with pytest.raises(prism.NotFoundError):
            await b.get_node("n")
        await b.add_node("n", "in-b")
        assert (await a.get_node("n")).label == "in-a"
        assert await a.delete_node("n") is True
        assert (await b.get_node("n")).label == "in-b"

    async def test_100_concurrent_adds_all_land(self) -> None:
        g = await self.graph()
        await g.add_node("hub", "n")
        await run_concurrently_async([partial(g.add_node, f"n{i}", "n") for i in range(100)])
        await run_concurrently_async(
            [partial(g.add_edge, f"e{i}", "hub", f"n{i}", "l") for i in range(100)]
        )
        for i in range(100):
            assert (await g.get_edge(f"e{i}")).target == f"n{i}"

    async def test_concurrent_adds_of_one_id_let_exactly_one_win(self) -> None:
        g = await self.graph()

        async def attempt(i: int) -> bool:
            try:
                await g.add_node("contested", "n", {"winner": i})
            except prism.ConflictError:
                return False
            return True

        results = await run_concurrently_async([partial(attempt, i) for i in range(20)])
        assert results.count(True) == 1
        winner = results.index(True)
        assert (await g.get_node("contested")).properties == {"winner": winner}


class AsyncGraphTraversalSuite(_GraphSuite, interface="graph_traversal"):
    async def known(self) -> Any:
        g = await self.graph()
        await self.build(g, TRAVERSAL_NODES, TRAVERSAL_EDGES)
        return g

    async def ids(self, g: Any, start: str, **kw: Any) -> list[str]:
        return [n.id for n in await g.traverse(start, **kw)]

    async def test_bfs(self) -> None:
        g = await self.known()
        assert await self.ids(g, "a") == ["a", "b", "c", "d", "e"]
        assert await self.ids(g, "a", order="bfs") == ["a", "b", "c", "d", "e"]

    async def test_dfs(self) -> None:
        g = await self.known()
        assert await self.ids(g, "a", order="dfs") == ["a", "b", "d", "e", "c"]
        assert await self.ids(g, "c", order="dfs") == ["c", "d", "e", "a", "b"]

    async def test_depth_bound(self) -> None:
        g = await self.known()
        assert await self.ids(g, "a", max_depth=0) == ["a"]
        assert await self.ids(g, "a", max_depth=1) == ["a", "b", "c"]
        assert await self.ids(g, "a", max_depth=2) == ["a", "b", "c", "d"]
        assert await self.ids(g, "a", max_depth=3) == ["a", "b", "c", "d", "e"]
        assert await self.ids(g, "a", max_depth=0, order="dfs") == ["a"]
        assert await self.ids(g, "a", max_depth=1, order="dfs") == ["a", "b", "c"]
        assert await self.ids(g, "a", max_depth=2, order="dfs") == ["a", "b", "d", "c"]

    async def test_directions(self) -> None:
        g = await self.known()
        assert await self.ids(g, "a", direction="out") == ["a", "b", "c", "d", "e"]
        assert await self.ids(g, "a", direction="in") == ["a", "e", "f", "d", "b", "c"]
        assert await self.ids(g, "a", direction="both") == ["a", "b", "c", "e", "f", "d"]
        assert await self.ids(g, "f", direction="in") == ["f"]
        assert await self.ids(g, "a", direction="in", max_depth=1) == ["a", "e", "f"]
        assert await self.ids(g, "d", direction="in", order="dfs") == ["d", "b", "a", "e", "f", "c"]

    async def test_edge_label_filter(self) -> None:
        g = await self.known()
        assert await self.ids(g, "c", edge_labels=["likes"]) == ["c", "d"]
        assert await self.ids(g, "c", edge_labels=["knows"]) == ["c"]
        assert await self.ids(g, "c", edge_labels=["knows", "likes"]) == ["c", "d", "e", "a", "b"]
        assert await self.ids(g, "a", edge_labels=["likes"]) == ["a"]
        assert await self.ids(g, "d", edge_labels=["likes"], direction="in") == ["d", "c"]
        assert await self.ids(g, "a", edge_labels=[]) == ["a"]

    async def test_neighbours_in_id_order_whatever_the_insert_order(self) -> None:
        # Nodes and edges are added in an order that is neither id order nor its reverse; ids
        # sort differently as text, as numbers and case-insensitively ("Z" < "a" < "n10" < "n9"
        # < "é"); "both" reaches "é" through an edge each way and "n1" through two edges.
        g = await self.graph()
        await self.build(
            g,
            ["n9", "hub", "é", "n10", "Z", "n1", "a"],
            [
                ("e5", "hub", "n9", "l"),
                ("e1", "hub", "é", "l"),
                ("e7", "a", "n10", "l"),
                ("e3", "hub", "Z", "l"),
                ("e2", "é", "hub", "l"),
                ("e6", "hub", "a", "l"),
                ("e4", "n1", "hub", "l"),
                ("e0", "hub", "n1", "l"),
                ("e9", "Z", "n9", "l"),
                ("e8", "hub", "n1", "l"),
            ],
        )
        assert await self.ids(g, "hub") == ["hub", "Z", "a", "n1", "n9", "é", "n10"]
        assert await self.ids(g, "hub", order="dfs") == ["hub", "Z", "n9", "a", "n10", "n1", "é"]
        assert await self.ids(g, "hub", direction="in") == ["hub", "n1", "é"]
        both = await self.ids(g, "hub", direction="both", max_depth=1)
        assert both == ["hub", "Z", "a", "n1", "n9", "é"]
        assert await self.ids(g, "n9", direction="in", order="dfs") == ["n9", "Z", "hub", "n1", "é"]

    async def test_cycles_visit_each_node_once(self) -> None:
        g = await self.graph()
        await self.build(
            g,
            "wxyz",
            [
                ("wx", "w", "x", "l"),
                ("xy", "x", "y", "l"),
                ("yw", "y", "w", "l"),
                ("ww", "w", "w", "l"),
                ("xw", "x", "w", "l"),
                ("yz", "y", "z", "l"),
                ("zy", "z", "y", "l"),
            ],
        )
        for order in ("bfs", "dfs"):
            for direction in ("out", "in", "both"):
                found = await self.ids(g, "w", order=order, direction=direction)
                assert sorted(found) == ["w", "x", "y", "z"], (order, direction)
                assert found[0] == "w"

    async def test_nodes_come_back_whole(self) -> None:
        g = await self.graph()
        await g.add_node("a", "person", {"name": "Ada"})
        await g.add_node("b", "city", {"name": "London"})
        await g.add_edge("ab", "a", "b", "lives_in")
        assert await g.traverse("a") == [
            Node("a", "person", {"name": "Ada"}),
            Node("b", "city", {"name": "London"}),
        ]

    async def test_isolated_start_and_missing_start(self) -> None:
        g = await self.known()
        assert await self.ids(g, "g", direction="both") == ["g"]
        with pytest.raises(prism.NotFoundError):
            await g.traverse("nope")

    async def test_bad_arguments_rejected(self) -> None:
        g = await self.known()
        bad_calls = [
            partial(g.traverse, "a", direction="sideways"),
            partial(g.traverse, "a", order="random"),
            partial(g.traverse, "a", max_depth=-1),
            partial(g.traverse, "a", max_depth=1.5),
            partial(g.traverse, "a", edge_labels="knows"),
            partial(g.traverse, "a", edge_labels=[""]),
            partial(g.traverse, "a", edge_labels=[3]),
        ]
        bad_calls += [partial(g.traverse, bad) for bad in BAD_IDS]
        for call in bad_calls:
            with pytest.raises(prism.InvalidArgumentError):
                await call()

    async def test_unicode_ids(self) -> None:
        g = await self.graph()
        await self.build(
            g, ["東京", "🙂", "café"], [("e1", "東京", "🙂", "→"), ("e2", "🙂", "café", "→")]
        )
        assert await self.ids(g, "東京", edge_labels=["→"]) == ["東京", "🙂", "café"]

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.known()
        b = await self.graph()
        await b.add_node("a", "n")
        assert await self.ids(b, "a") == ["a"]
        assert len(await self.ids(a, "a")) == 5

    async def test_concurrent_edges_then_traverse(self) -> None:
        g = await self.graph()
        await run_concurrently_async([partial(g.add_node, f"n{i:03d}", "n") for i in range(100)])
        await run_concurrently_async(
            [partial(g.add_edge, f"e{i}", f"n{i:03d}", f"n{i + 1:03d}", "next") for i in range(99)]
        )
        assert await self.ids(g, "n000") == [f"n{i:03d}" for i in range(100)]


def _reference_pagerank(
    nodes: list[str], links: list[tuple[str, str]], damping: float
) -> dict[str, float]:
    """PageRank as the fixed point of the dense Google matrix, iterated far past convergence."""
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    out = [0] * n
    for source, _ in links:
        out[index[source]] += 1
    matrix = [[0.0] * n for _ in range(n)]  # matrix[i][j]: share of j's rank that goes to i
    for j in range(n):
        if out[j] == 0:
            for i in range(n):
                matrix[i][j] = 1.0 / n
    for source, target in links:
        matrix[index[target]][index[source]] += 1.0 / out[index[source]]
    google = [[damping * matrix[i][j] + (1 - damping) / n for j in range(n)] for i in range(n)]
    x = [1.0 / n] * n
    for _ in range(1000):
        x = [sum(google[i][j] * x[j] for j in range(n)) for i in range(n)]
    return {node: x[index[node]] for node in nodes}


PAGERANK_NODES = ["A", "B", "C", "D", "E", "F"]
PAGERANK_LINKS = [
    ("A", "B"),
    ("A", "C"),
    ("B", "C"),
    ("C", "A"),
    ("D", "C"),
    ("B", "E"),  # E dangles
    ("A", "B"),  # a parallel link counts twice
    ("F", "F"),
    ("F", "A"),  # a self-loop counts too
]

# Weighted: s→a 1, s→b 4, a→b 2, a→c 5, b→c 1, c→t 3, b→t 10; x, y unreachable from s.
WEIGHTED_EDGES: list[tuple[Any, ...]] = [
    ("sa", "s", "a", "r", {"w": 1}),
    ("sb", "s", "b", "r", {"w": 4}),
    ("ab", "a", "b", "r", {"w": 2}),
    ("ac", "a", "c", "r", {"w": 5}),
    ("bc", "b", "c", "r", {"w": 1}),
    ("ct", "c", "t", "r", {"w": 3.0}),
    ("bt", "b", "t", "r", {"w": 10}),
    ("xy", "x", "y", "r", {"w": 1}),
]


class AsyncGraphAnalyticsSuite(_GraphSuite, interface="graph_analytics"):
    async def weighted(self) -> Any:
        g = await self.graph()
        await self.build(g, ["s", "a", "b", "c", "t", "x", "y"], WEIGHTED_EDGES)
        return g

    async def test_shortest_path_unweighted(self) -> None:
        g = await self.weighted()
        assert await g.shortest_path("s", "t") == ["s", "b", "t"]
        assert await g.shortest_path("s", "c") in (["s", "a", "c"], ["s", "b", "c"])
        assert await g.shortest_path("a", "t") in (["a", "b", "t"], ["a", "c", "t"])
        assert await g.shortest_path("s", "a") == ["s", "a"]

    async def test_shortest_path_weighted(self) -> None:
        g = await self.weighted()
        assert await g.shortest_path("s", "t", weight="w") == ["s", "a", "b", "c", "t"]
        assert await g.shortest_path("s", "b", weight="w") == ["s", "a", "b"]
        assert await g.shortest_path("a", "t", weight="w") == ["a", "b", "c", "t"]

    async def test_missing_weight_counts_as_one(self) -> None:
        g = await self.graph()
        await self.build(
            g,
            "pqr",
            [("pq", "p", "q", "r", {"cost": 5}), ("pr", "p", "r", "r"), ("rq", "r", "q", "r")],
        )
        assert await g.shortest_path("p", "q", weight="cost") == ["p", "r", "q"]
        assert await g.shortest_path("p", "q") == ["p", "q"]

    async def test_direction(self) -> None:
        g = await self.weighted()
        assert await g.shortest_path("t", "s") is None
        assert await g.shortest_path("t", "s", direction="in") == ["t", "b", "s"]
        assert await g.shortest_path("t", "s", direction="in", weight="w") == [
            "t",
            "c",
            "b",
            "a",
            "s",
        ]
        assert await g.shortest_path("y", "x", direction="both") == ["y", "x"]

    async def test_no_path_is_none_and_same_node_is_itself(self) -> None:
        g = await self.weighted()
        assert await g.shortest_path("s", "x") is None
        assert await g.shortest_path("s", "x", weight="w", direction="both") is None
        assert await g.shortest_path("s", "s") == ["s"]
        assert await g.shortest_path("s", "s", weight="w") == ["s"]

    async def test_shortest_path_errors(self) -> None:
        g = await self.weighted()
        with pytest.raises(prism.NotFoundError):
            await g.shortest_path("s", "nope")
        with pytest.raises(prism.NotFoundError):
            await g.shortest_path("nope", "s")
        await g.add_edge("neg", "s", "t", "r", {"w": -1})
        with pytest.raises(prism.InvalidArgumentError):
            await g.shortest_path("s", "t", weight="w")
        for bad in BAD_IDS:
            with pytest.raises(prism.InvalidArgumentError):
                await g.shortest_path(bad, "t")
        with pytest.raises(prism.InvalidArgumentError):
            await g.shortest_path("s", "t", direction="up")

    @pytest.mark.parametrize("damping", [0.85, 0.5])
    async def test_pagerank_matches_the_reference(self, damping: float) -> None:
        g = await self.graph()
        for node in PAGERANK_NODES:
            await g.add_node(node, "page")
        for i, (source, target) in enumerate(PAGERANK_LINKS):
            await g.add_edge(f"l{i}", source, target, "links")
        ranks = await g.pagerank(damping=damping)
        expected = _reference_pagerank(PAGERANK_NODES, PAGERANK_LINKS, damping)
        assert set(ranks) == set(PAGERANK_NODES)
        for node in PAGERANK_NODES:
            assert abs(ranks[node] - expected[node]) < 1e-6, (node, ranks, expected)
        assert abs(sum(ranks.values()) - 1.0) < 1e-6

    async def test_pagerank_of_a_cycle_is_uniform(self) -> None:
        g = await self.graph()
        await self.build(
            g,
            "abcd",
            [
                ("ab", "a", "b", "l"),
                ("bc", "b", "c", "l"),
                ("cd", "c", "d", "l"),
                ("da", "d", "a", "l"),
            ],
        )
        ranks = await g.pagerank()
        assert ranks == pytest.approx(dict.fromkeys("abcd", 0.25), abs=1e-9)

    async def test_pagerank_without_edges_and_of_an_empty_graph(self) -> None:
        g = await self.graph()
        assert await g.pagerank() == {}
        await self.build(g, "xyz", [])
        assert await g.pagerank() == pytest.approx(dict.fromkeys("xyz", 1 / 3), abs=1e-9)

    async def test_connected_components_are_exact(self) -> None:
        g = await self.graph()
        assert await g.connected_components() == []
        await self.build(
            g,
            "abcdefg",
            [
                ("ab", "a", "b", "l"),
                ("cb", "c", "b", "l"),
                ("de", "d", "e", "l"),
                ("ed", "e", "d", "l"),
                ("gg", "g", "g", "l"),
            ],
        )
        components = await g.connected_components()
        assert all(isinstance(c, set) for c in components)
        assert sorted(map(sorted, components)) == [["a", "b", "c"], ["d", "e"], ["f"], ["g"]]
        await g.add_edge("fa", "f", "a", "l")
        await g.delete_edge("cb")
        components = await g.connected_components()
        assert sorted(map(sorted, components)) == [["a", "b", "f"], ["c"], ["d", "e"], ["g"]]

    async def test_unicode_ids(self) -> None:
        g = await self.graph()
        await self.build(
            g,
            ["東京", "🙂", "café"],
            [("e1", "東京", "🙂", "→", {"km": 2}), ("e2", "🙂", "café", "→")],
        )
        assert await g.shortest_path("東京", "café", weight="km") == ["東京", "🙂", "café"]
        assert sorted(map(sorted, await g.connected_components())) == [
            sorted(["東京", "🙂", "café"])
        ]

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.weighted()
        b = await self.graph()
        assert await b.connected_components() == []
        assert await b.pagerank() == {}
        await b.add_node("s", "n")
        await b.add_node("t", "n")
        assert await b.shortest_path("s", "t") is None
        assert await a.shortest_path("s", "t") == ["s", "b", "t"]

    async def test_analytics_after_concurrent_writes(self) -> None:
        g = await self.graph()
        await run_concurrently_async([partial(g.add_node, f"n{i}", "n") for i in range(100)])
        await run_concurrently_async(
            [partial(g.add_edge, f"e{i}", f"n{i}", f"n{(i + 1) % 100}", "l") for i in range(100)]
        )
        assert [len(c) for c in await g.connected_components()] == [100]
        assert await g.pagerank() == pytest.approx({f"n{i}": 0.01 for i in range(100)}, abs=1e-9)
        assert await g.shortest_path("n0", "n99", direction="in") == ["n0", "n99"]


# Per language: a read query with parameters that must return ["bob"] on the seeded graph,
# and a query with a syntax error.
QUERIES: dict[str, tuple[str, str]] = {
    "gremlin": (
        "g.V().hasLabel(lbl).has('name', who).out(rel).values('name')",
        "g.V().has(",
    ),
    "cypher": (
        "MATCH (a:person {name: $who})-[:knows]->(b) WHERE labels(a) = [$lbl] RETURN b.name",
        "MATCH (a RETURN a",
    ),
    "sql": (
        (
            "SELECT e.target FROM edges e JOIN nodes n ON n.id = e.source"
            " WHERE n.label = :lbl AND e.source = :who AND e.label = :rel"
        ),
        "SELEC id FRM nodes",
    ),
}
KNOWN_LANGUAGES = ("gremlin", "cypher", "sparql", "sql")


def _scalar(row: Any) -> Any:
    """A single-column row's value (a row may come back as the value, a 1-tuple or a dict)."""
    if isinstance(row, Mapping) and len(row) == 1:
        return next(iter(row.values()))
    if isinstance(row, list | tuple) and len(row) == 1:
        return row[0]
    return row


class AsyncGraphQuerySuite(_GraphSuite, interface="graph_query"):
    async def seeded(self) -> Any:
        g = await self.graph()
        for name in ("alice", "bob", "carol"):
            await g.add_node(name, "person", {"name": name})
        await g.add_node("paris", "city", {"name": "paris"})
        await g.add_edge("k1", "alice", "bob", "knows")
        await g.add_edge("l1", "alice", "carol", "likes")
        await g.add_edge("k2", "carol", "alice", "knows")
        await g.add_edge("v1", "alice", "paris", "visited")
        return g

    def samples(self, g: Any) -> list[str]:
        languages = g.query_languages
        assert isinstance(languages, frozenset)
        assert languages, "graph_query declares no language"
        assert all(isinstance(lang, str) for lang in languages)
        known = sorted(lang for lang in languages if lang in QUERIES)
        if not known:
            pytest.skip(f"no sample query for the declared languages {sorted(languages)}")
        return known

    async def test_declared_language_runs_a_read_query_with_parameters(self) -> None:
        g = await self.seeded()
        for language in self.samples(g):
            text, _ = QUERIES[language]
            rows = await g.query(language, text, {"lbl": "person", "who": "alice", "rel": "knows"})
            assert [_scalar(row) for row in rows] == ["bob"], language
            rows = await g.query(language, text, {"lbl": "person", "who": "carol", "rel": "knows"})
            assert [_scalar(row) for row in rows] == ["alice"], language
            rows = await g.query(language, text, {"lbl": "city", "who": "alice", "rel": "knows"})
            assert rows == [], language

    async def test_parameters_are_bound_not_spliced(self) -> None:
        g = await self.seeded()
        for language in self.samples(g):
            text, _ = QUERIES[language]
            for who in ("alice' OR '1'='1", 'alice" OR "1"="1', "alice') or ('1'='1"):
                rows = await g.query(language, text, {"lbl": "person", "who": who, "rel": "knows"})
                assert rows == [], (language, who)

    async def test_undeclared_language_is_unsupported(self) -> None:
        g = await self.seeded()
        undeclared = [lang for lang in KNOWN_LANGUAGES if lang not in g.query_languages]
        for language in [*undeclared, "no-such-language"]:
            with pytest.raises(prism.UnsupportedError):
                await g.query(language, "anything", {})

    async def test_syntax_error_is_invalid_argument(self) -> None:
        g = await self.seeded()
        for language in self.samples(g):
            _, broken = QUERIES[language]
            with pytest.raises(prism.InvalidArgumentError):
                await g.query(language, broken, {})

    async def test_namespaces_are_isolated(self) -> None:
        a = await self.seeded()
        b = await self.graph()
        for language in self.samples(a):
            text, _ = QUERIES[language]
            params = {"lbl": "person", "who": "alice", "rel": "knows"}
            assert await b.query(language, text, params) == [], language
            assert [_scalar(row) for row in await a.query(language, text, params)] == ["bob"]
