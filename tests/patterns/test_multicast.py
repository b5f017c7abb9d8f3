"""multicast-registry: the registry lives in the backend, so two processes see one registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.errors import InvalidArgumentError


def _config(db: Path) -> dict[str, Any]:
    return {
        "backends": {
            "db": {"type": "sqlite", "connection": f"sqlite:///{db}"},
            "mem": {"type": "memstore", "connection": "memory://mcast-procs"},
        },
        "namespaces": {
            "fleet": {
                "pattern": "multicast-registry",
                "slots": {
                    "registry": {"backend": "db"},
                    "messaging": {"backend": "mem"},
                    "durability": {"backend": "db"},
                },
            }
        },
    }


CHILD = """
import json, sys
import prism
import pytest
from prism.errors import InvalidArgumentError
ns = prism.open("fleet", config=json.loads(sys.argv[1]))
ns.register("edge.berlin", {"site": "berlin", "cpu": 8}, ttl=600)
ns.register("edge.paris", {"site": "paris", "cpu": 2}, ttl=600)
print(ns.multicast({"cpu": {"$gte": 4}}, b"update").queued)
"""


def test_another_process_sees_the_registry_and_the_queued_messages(tmp_path: Path) -> None:
    config = _config(tmp_path / "fleet.db")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stdout.strip() == "1"  # berlin was not listening: queued
    with prism.open("fleet", config=config) as opened:
        ns: Any = opened
        assert [m.identity for m in ns.enumerate({"site": {"$in": ["paris", "rome"]}})] == [
            "edge.paris"
        ]
        inbox = ns.listen("edge.berlin")
        kept = inbox.get(timeout=1)
        assert kept is not None
        assert kept.payload == b"update"
        inbox.close()


# ----- the compiled predicate agrees with the reference evaluator ------------------------------

DOCUMENTS: list[dict[str, Any]] = [
    {},
    {"kind": "sensor", "floor": 5},
    {"kind": "sensor", "floor": 5.0},
    {"kind": "camera", "floor": True},
    {"kind": 1, "floor": "5"},
    {"kind": None, "floor": -1},
    {"kind": ["sensor"], "floor": {"$gte": 5}},
    {"kind": {"a": 1}, "floor": 9_223_372_036_854_775_807},
    {"site": {"city": "Zürich", "rack": 3}, "tags": ["a", "b"]},
    {"site": "Zürich", "tags": []},
    {"site": {"city": None}},
    {"a.b": 1, "a": {"b": 2}},
]

FILTERS: list[dict[str, Any] | None] = [
    None,
    {},
    {"kind": "sensor"},
    {"kind": "sensor", "floor": {"$gte": 5}},
    {"floor": 1},
    {"floor": True},
    {"floor": {"$eq": 5.0}},
    {"floor": {"$ne": 5}},
    {"floor": {"$gt": 4, "$lt": 6}},
    {"floor": {"$lte": "5"}},
    {"floor": {"$gte": -1.5}},
    {"kind": None},
    {"kind": {"$ne": None}},
    {"kind": {"$exists": True}},
    {"kind": {"$exists": False}},
    {"kind": {"$in": ["sensor", "camera"]}},
    {"kind": {"$in": ["sensor", 1, None]}},
    {"kind": {"$in": []}},
    {"kind": {"$nin": ["sensor"]}},
    {"kind": {"$nin": []}},
    {"kind": ["sensor"]},
    {"kind": {"a": 1}},
    {"kind": {"$in": [["sensor"], {"a": 1}]}},
    {"site.city": "Zürich"},
    {"site.city": None},
    {"site.rack": {"$gt": 2}},
    {"site.city.x": {"$exists": False}},
    {"tags": []},
    {"a.b": 2},
    {"$or": [{"kind": "camera"}, {"floor": {"$lt": 0}}]},
    {"$or": [{"kind": "camera"}, {"floor": {"$lt": 0}}, {"site": "Zürich"}]},
    {"$and": [{"kind": {"$exists": True}}, {"$or": [{"floor": 5}, {"floor": "5"}]}]},
]


def test_the_compiled_predicate_agrees_with_the_reference_evaluator() -> None:
    from prism import filters
    from prism.patterns._predicate import compile_filter

    for raw in FILTERS:
        parsed = filters.parse(raw)
        test = compile_filter(parsed)
        for doc in DOCUMENTS:
            loaded = json.loads(json.dumps(doc))  # the registry evaluates decoded JSON
            assert test(loaded) is parsed.matches(loaded), (raw, doc)


def _memstore_fleet(name: str) -> dict[str, Any]:
    mem = {"type": "memstore", "connection": f"memory://{name}"}
    return {
        "backends": {"mem": mem},
        "namespaces": {
            "fleet": {
                "pattern": "multicast-registry",
                "slots": {"registry": {"backend": "mem"}, "messaging": {"backend": "mem"}},
                "options": {"store": "keyvalue"},
            }
        },
    }


def test_multicast_without_the_batch_hook_publishes_one_by_one() -> None:
    with prism.open("fleet", config=_memstore_fleet("mcast-nohook")) as opened:
        ns: Any = opened
        for name in ("b.2", "a.1", "c.3"):
            ns.register(name, {"n": name}, listening=True)
        inboxes = [ns.listen(name) for name in ("a.1", "b.2", "c.3")]
        runtime = ns.runtime
        plain = runtime.pubsub

        class NoHook:  # a messaging facet offering only the public publish
            def __init__(self) -> None:
                self.topics: list[str] = []

            def publish(self, topic: str, payload: bytes, *, headers: Any = None) -> None:
                self.topics.append(topic)
                plain.publish(topic, payload, headers=headers)

        runtime.pubsub = NoHook()
        result = ns.multicast({"n": {"$ne": "b.2"}}, b"hi", headers={"k": "v"})
        assert (result.targeted, result.delivered, result.queued) == (2, 2, 0)
        assert runtime.pubsub.topics == ["prism-mcast.a.1", "prism-mcast.c.3"]
        got = inboxes[2].get(timeout=5)
        assert got is not None
        assert (got.payload, dict(got.headers)) == (b"hi", {"k": "v"})
        assert inboxes[1].get(timeout=0) is None
        for inbox in inboxes:
            inbox.close()


def test_a_foreign_value_in_the_registry_fails_alone_and_by_name() -> None:
    with prism.open("fleet", config=_memstore_fleet("mcast-foreign")) as opened:
        ns: Any = opened
        ns.register("a", {"x": 1})
        ns.register("c", {"x": 2})
        # two objects in one value would shift every later registration if decoded as an array
        ns.slots["registry"].keyvalue.set("prism-mcast/b", b'{"x": 1}, {"y": 2}')
        with pytest.raises(InvalidArgumentError, match="'prism-mcast/b' is not a multicast"):
            ns.enumerate({"x": 1})
        ns.slots["registry"].keyvalue.set("prism-mcast/b", b"[1, 2]")
        with pytest.raises(InvalidArgumentError, match="'prism-mcast/b' is not a multicast"):
            ns.enumerate()
        ns.slots["registry"].keyvalue.delete("prism-mcast/b")
        assert [m.identity for m in ns.enumerate()] == ["a", "c"]
