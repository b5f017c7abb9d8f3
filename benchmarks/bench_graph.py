"""gremlin backend vs raw gremlinpython on the same server (the Gremlin stand-in the harness
starts, or ``PRISM_TEST_GREMLIN_URL``): load 10,000 vertices and 10,000 edges in batches of
100, a 3-hop traversal and a shortest path.

Loading: prism's graph_basic adds one element per call, so a batch is 100 concurrent calls on
the async facet; the raw side sends the same one-element traversals from 8 threads (prism's
pool size) — the same work — and, for reference, 20 elements as ONE chained traversal of
``addV``/``addE`` steps (the stand-in's engine refuses longer scripts), which prism's interface has no way to express.

Run: python -m benchmarks.bench_graph
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import __
from gremlin_python.process.traversal import T

import prism
from benchmarks._harness import Result, compare, report
from prism.backends.gremlin._testing import start_standin
from prism.testing.servers import env_url

N = int(os.environ.get("BENCH_GRAPH_N", "10000"))
BATCH = 100
CHAIN = 20


def edges() -> list[tuple[str, str, str]]:
    """Edge i: v(i mod N/2) → v(7919 i + 1 mod N): half the nodes have two out-edges."""
    return [(f"e{i}", f"v{i % (N // 2)}", f"v{(i * 7919 + 1) % N}") for i in range(N)]


def far_target(start: str) -> tuple[str, int]:
    """The node farthest (up to 6 hops) from ``start``, with its distance."""
    out: dict[str, list[str]] = {}
    for _, s, t in edges():
        out.setdefault(s, []).append(t)
    dist = {start: 0}
    queue = deque([start])
    best = start
    while queue:
        node = queue.popleft()
        for n in out.get(node, []):
            if n not in dist and dist[node] < 6:
                dist[n] = dist[node] + 1
                queue.append(n)
                if dist[n] > dist[best]:
                    best = n
    return best, dist[best]


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    url = env_url("gremlin")
    server = None
    if not url:
        server = start_standin(Path(tempfile.mkdtemp(prefix="bench-gremlin-")))
        url = server.url
    config = {
        "backends": {"gr": {"type": "gremlin", "connection": url, "options": {"pool_size": 8}}},
        "default_backend": "gr",
    }
    remote = DriverRemoteConnection(url, "g", pool_size=8, max_workers=8)
    g = traversal().with_(remote)
    raw = f"raw{uuid.uuid4().hex[:6]}:"
    chained = f"chain{uuid.uuid4().hex[:6]}:"
    name = f"bench-{uuid.uuid4().hex[:6]}"
    results: list[Result] = []
    try:
        # -- load ------------------------------------------------------------------------------
        async def prism_load() -> None:
            ns = await prism.open_async(name, config=config)
            graph = ns.graph
            for b in range(0, N, BATCH):
                await asyncio.gather(
                    *(graph.add_node(f"v{i}", "n", {"i": i}) for i in range(b, b + BATCH))
                )
            all_edges = edges()
            for b in range(0, N, BATCH):
                await asyncio.gather(
                    *(graph.add_edge(e, s, t, "l") for e, s, t in all_edges[b : b + BATCH])
                )
            await ns.close()

        def raw_load() -> None:
            # gremlinpython deadlocks with more submit_async() in flight than pooled
            # connections, so the raw side runs a batch on 8 threads (prism's WorkerPool size)
            with ThreadPoolExecutor(max_workers=8) as pool:
                for b in range(0, N, BATCH):
                    list(
                        pool.map(
                            lambda i: g.add_v("n").property(T.id, f"{raw}v{i}").property("i", i)
                            .to_list(),
                            range(b, b + BATCH),
                        )
                    )  # fmt: skip
                all_edges = edges()
                for b in range(0, N, BATCH):
                    list(
                        pool.map(
                            lambda e: g.V(f"{raw}{e[1]}").add_e("l").to(__.V(f"{raw}{e[2]}"))
                            .property(T.id, raw + e[0]).to_list(),
                            all_edges[b : b + BATCH],
                        )
                    )  # fmt: skip

        def chained_load() -> None:
            # graphersal refuses scripts above a complexity limit: 20 elements per traversal
            for b in range(0, N, CHAIN):
                t = g.inject(0)
                for i in range(b, b + CHAIN):
                    t = t.add_v("n").property(T.id, f"{chained}v{i}").property("i", i)
                t.iterate()
            all_edges = edges()
            for b in range(0, N, CHAIN):
                t = g.inject(0)
                for e, s, tgt in all_edges[b : b + CHAIN]:
                    t = t.V(f"{chained}{s}").add_e("l").to(__.V(f"{chained}{tgt}"))
                    t = t.property(T.id, chained + e)
                t.iterate()

        prism_s = timed(lambda: asyncio.run(prism_load()))
        raw_s = timed(raw_load)
        chained_s = timed(chained_load)
        ops = 2 * N
        results.append(
            Result("load 10k V + 10k E (async, batches of 100)", ops / prism_s, ops / raw_s)
        )
        print(
            f"   raw, one chained traversal per {CHAIN} elements: {ops / chained_s:,.0f} elements/s"
        )

        # -- traversals ----------------------------------------------------------------------
        with prism.open(name, config=config) as ns:
            graph = ns.facet("graph")  # every graph interface (ns.graph is typed graph_basic)
            target, hops = far_target("v0")
            expected = [n.id for n in graph.traverse("v0", max_depth=3)]
            raw_ids = g.V(f"{raw}v0").emit().repeat(__.out()).times(3).dedup().id_().to_list()
            assert sorted(expected) == sorted(r[len(raw) :] for r in raw_ids), "same answer"
            results.append(
                compare(
                    f"3-hop traversal ({len(expected)} nodes, whole nodes back)",
                    lambda: graph.traverse("v0", max_depth=3),
                    lambda: g.V(f"{raw}v0").emit().repeat(__.out()).times(3).dedup()
                    .element_map().to_list(),
                    n=100,
                    rounds=5,
                )
            )  # fmt: skip
            path = graph.shortest_path("v0", target)
            assert path is not None
            assert len(path) == hops + 1
            results.append(
                compare(
                    f"shortest path ({hops} hops)",
                    lambda: graph.shortest_path("v0", target),
                    lambda: g.V(f"{raw}v0").repeat(__.out().simple_path())
                    .until(__.has_id(f"{raw}{target}")).limit(1).path().by(T.id).to_list(),
                    n=50,
                    rounds=5,
                )
            )  # fmt: skip
        report("gremlin (prism) vs raw gremlinpython, same server", results)
    finally:
        remote.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
