# Generated from src/prism/testing/suites/_async/document.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Compliance suites for the document interfaces.

The query suites check every result against ``prism.filters`` evaluated in-process, over
documents and filters drawn from a seeded ``random.Random`` (so the same cases run in the sync
and async forms and need no test-only dependency).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import pytest

import prism
from prism import filters
from prism.interfaces.document import (
    DocumentBasic,
    DocumentIndexing,
    DocumentQuery,
)
from prism.testing._concurrency import run_concurrently
from prism.testing.suite import Suite

BAD_NAMES: list[Any] = ["", "x" * 1025, "é" * 513, "a\x00b", b"bytes", 42, None]
UNICODE_NAMES = ["café", "文档", "🙂:emoji", "x" * 1024, "é" * 512]
NON_JSON: list[Any] = [
    pytest.param({"x": float("nan")}, id="nan"),
    pytest.param({"x": float("inf")}, id="inf"),
    pytest.param({"x": {1, 2}}, id="set"),
    pytest.param({"x": b"bytes"}, id="bytes"),
    pytest.param({"x": object()}, id="object"),
    pytest.param({"x": {1: "a"}}, id="non-str-key"),
    pytest.param(["x"], id="not-an-object"),
]
INTERFACES: dict[str, type] = {
    "document_basic": DocumentBasic,
    "document_query": DocumentQuery,
    "document_indexing": DocumentIndexing,
}

PEOPLE: list[dict[str, Any]] = [
    {
        "_id": "1",
        "name": "ann",
        "age": 30,
        "city": "Paris",
        "tags": ["a", "b"],
        "address": {"zip": "75001", "geo": {"lat": 48.8}},
        "active": True,
    },
    {
        "_id": "2",
        "name": "bob",
        "age": 25,
        "city": "Berlin",
        "address": {"zip": "10115"},
        "active": False,
    },
    {"_id": "3", "name": "cat", "age": 35, "city": "Paris", "nick": None, "active": True},
    {"_id": "4", "name": "dan", "age": 25.0, "city": "Rome", "address": "unknown"},
    {"_id": "5", "name": "eve", "city": None, "tags": ["b"], "age": "unknown"},
]

# ----- random documents and filters ---------------------------------------------------------

POOL: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    2.5,
    10,
    -3.5,
    "",
    "a",
    "b",
    "ab",
    "B",
    "é",
    [],
    [1],
    [1, 2],
    ["a"],
    {},
    {"x": 1},
    {"x": 1, "y": "a"},
]
ORDERABLE: list[Any] = [0, 1, 2.5, -1, 10, "", "a", "b", "ab"]
PATHS = ["a", "b", "c", "n", "n.x", "n.y", "n.x.deep", "zz"]


def _random_value(rng: random.Random) -> Any:
    return rng.choice(POOL)


def random_documents(rng: random.Random, count: int) -> list[dict[str, Any]]:
    docs = []
    for i in range(count):
        doc: dict[str, Any] = {"_id": f"d{i:03d}"}
        for field in ("a", "b", "c"):
            if rng.random() < 0.8:
                doc[field] = _random_value(rng)
        roll = rng.random()
        if roll < 0.6:
            doc["n"] = {k: _random_value(rng) for k in ("x", "y") if rng.random() < 0.7}
        elif roll < 0.8:
            doc["n"] = _random_value(rng)
        docs.append(doc)
    return docs


def _random_condition(rng: random.Random) -> Any:
    if rng.random() < 0.2:
        return _random_value(rng)
    ops: dict[str, Any] = {}
    for _ in range(rng.choice((1, 1, 1, 2))):
        op = rng.choice(sorted(filters.OPERATORS))
        if op in ("$in", "$nin"):
            ops[op] = [_random_value(rng) for _ in range(rng.randint(0, 6))]
        elif op == "$exists":
            ops[op] = rng.random() < 0.5
        elif op in ("$eq", "$ne"):
            ops[op] = _random_value(rng)
        else:
            ops[op] = rng.choice(ORDERABLE)
    return ops


def random_filter(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(rng.choice((1, 1, 2))):
        if depth < 2 and rng.random() < 0.3:
            key = rng.choice(("$and", "$or", "$or"))
            out[key] = [random_filter(rng, depth + 1) for _ in range(rng.randint(1, 3))]
        else:
            out[rng.choice(PATHS)] = _random_condition(rng)
    return out


# ----- an independent reference for ordering and grouping -----------------------------------

_ABSENT: Any = object()


def _at(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(doc, Mapping) or part not in doc:
            return _ABSENT
        doc = doc[part]
    return doc


def _rank(value: Any) -> tuple[Any, ...]:
    """missing < null < numbers < strings < objects < arrays < booleans."""
    if value is _ABSENT:
        return (0,)
    if value is None:
        return (1,)
    if value is True or value is False:
        return (6, int(value))
    if isinstance(value, int | float):
        return (2, float(value))
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, Mapping):
        return (4, [(key, _rank(value[key])) for key in sorted(value)])
    return (5, [_rank(item) for item in value])


def reference_find(
    docs: Sequence[dict[str, Any]],
    filter: Mapping[str, Any] | None,
    sort: Sequence[tuple[str, int]] = (),
    skip: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    parsed = filters.parse(filter)
    found = [d for d in docs if parsed.matches(d)]
    for path, direction in reversed(sort):

        def key(doc: dict[str, Any], path: str = path) -> tuple[Any, ...]:
            return _rank(_at(doc, path))

        found.sort(key=key, reverse=direction == -1)
    return found[skip:] if limit is None else found[skip : skip + limit]


def _ids(docs: Sequence[Mapping[str, Any]]) -> list[str]:
    return [d["_id"] for d in docs]


class _DocumentSuite(Suite):
    def documents(self, name: str | None = None) -> Any:
        """A namespace's document facet, checked to implement this suite's interface and
        document_basic (to write the documents under test)."""
        d = (self.open(name)).facet("document")
        assert isinstance(d, DocumentBasic), f"{d!r} lacks document_basic"
        assert isinstance(d, INTERFACES[self.interface]), f"{d!r} lacks {self.interface}"
        return d

    def seed(self, d: Any, collection: str, docs: Sequence[Mapping[str, Any]]) -> None:
        for doc in docs:
            d.insert(collection, doc)


class DocumentBasicSuite(_DocumentSuite, interface="document_basic"):
    def test_insert_without_id_generates_one(self) -> None:
        d = self.documents()
        ids = [d.insert("c", {"n": i}) for i in range(20)]
        assert all(isinstance(i, str) and i for i in ids)
        assert len(set(ids)) == 20
        for i, doc_id in enumerate(ids):
            assert d.get("c", doc_id) == {"_id": doc_id, "n": i}

    def test_insert_with_id_argument_or_inside_the_document(self) -> None:
        d = self.documents()
        assert d.insert("c", {"v": 1}, id="given") == "given"
        assert d.get("c", "given") == {"_id": "given", "v": 1}
        assert d.insert("c", {"_id": "inside", "v": 2}) == "inside"
        assert d.get("c", "inside") == {"_id": "inside", "v": 2}
        assert d.insert("c", {"_id": "both", "v": 3}, id="both") == "both"
        with pytest.raises(prism.InvalidArgumentError):
            d.insert("c", {"_id": "one", "v": 4}, id="other")
        with pytest.raises(prism.InvalidArgumentError):
            d.insert("c", {"_id": 5, "v": 5})
        with pytest.raises(prism.NotFoundError):
            d.get("c", "one")

    def test_insert_existing_id_conflicts(self) -> None:
        d = self.documents()
        d.insert("c", {"v": 1}, id="x")
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"v": 2}, id="x")
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"_id": "x", "v": 3})
        assert d.get("c", "x") == {"_id": "x", "v": 1}

    def test_json_values_round_trip(self) -> None:
        d = self.documents()
        doc = {
            "s": "é🙂\u4e2d",
            "empty": "",
            "i": 2**62,
            "neg": -5,
            "f": 0.1,
            "big": 1e300,
            "t": True,
            "false": False,
            "n": None,
            "zero": 0,
            "arr": [1, "a", None, [2, []], {"k": "v"}],
            "obj": {"deep": {"deeper": [1.5]}},
            "empty_o": {},
            "empty_a": [],
            "key with spaces.and dots": 1,
        }
        doc_id = d.insert("c", doc)
        assert d.get("c", doc_id) == {"_id": doc_id, **doc}
        tuple_id = d.insert("c", {"t": (1, (2, 3))})
        assert d.get("c", tuple_id) == {"_id": tuple_id, "t": [1, [2, 3]]}

    def test_get_missing_raises_not_found(self) -> None:
        d = self.documents()
        with pytest.raises(prism.NotFoundError):
            d.get("c", "missing")
        d.insert("c", {"v": 1}, id="x")
        with pytest.raises(prism.NotFoundError):
            d.get("other", "x")

    def test_replace(self) -> None:
        d = self.documents()
        d.insert("c", {"a": 1, "b": {"c": 2}}, id="x")
        d.replace("c", "x", {"z": [1]})
        assert d.get("c", "x") == {"_id": "x", "z": [1]}
        d.replace("c", "x", {"_id": "x", "y": 2})
        assert d.get("c", "x") == {"_id": "x", "y": 2}
        with pytest.raises(prism.InvalidArgumentError):
            d.replace("c", "x", {"_id": "other", "y": 3})
        with pytest.raises(prism.NotFoundError):
            d.replace("c", "missing", {"y": 1})
        with pytest.raises(prism.NotFoundError):
            d.get("c", "missing")
        assert d.get("c", "x") == {"_id": "x", "y": 2}

    def test_update_merges_nested_fields(self) -> None:
        d = self.documents()
        d.insert(
            "c",
            {"a": 1, "keep": "k", "n": {"x": 1, "y": 2, "deep": {"p": 1}}, "arr": [1, 2]},
            id="x",
        )
        patch = {
            "a": None,
            "n": {"y": None, "z": 3, "deep": {"q": 2}},
            "arr": [9],
            "b": {"c": {"d": None, "e": 1}},
            "missing": None,
        }
        expected = {
            "_id": "x",
            "keep": "k",
            "n": {"x": 1, "z": 3, "deep": {"p": 1, "q": 2}},
            "arr": [9],
            "b": {"c": {"e": 1}},
        }
        assert d.update("c", "x", patch) == expected
        assert d.get("c", "x") == expected
        assert d.update("c", "x", {"n": "flat"}) == {**expected, "n": "flat"}
        assert d.update("c", "x", {}) == {**expected, "n": "flat"}

    def test_update_errors(self) -> None:
        d = self.documents()
        d.insert("c", {"a": 1}, id="x")
        with pytest.raises(prism.NotFoundError):
            d.update("c", "missing", {"a": 2})
        with pytest.raises(prism.InvalidArgumentError):
            d.update("c", "x", {"_id": "y"})
        with pytest.raises(prism.InvalidArgumentError):
            d.update("c", "x", {"_id": None})
        assert d.update("c", "x", {"_id": "x", "b": 2}) == {"_id": "x", "a": 1, "b": 2}

    def test_delete(self) -> None:
        d = self.documents()
        d.insert("c", {"a": 1}, id="x")
        assert d.delete("c", "x") is True
        assert d.delete("c", "x") is False
        with pytest.raises(prism.NotFoundError):
            d.get("c", "x")
        assert d.delete("never", "x") is False
        d.insert("c", {"a": 2}, id="x")
        assert d.get("c", "x") == {"_id": "x", "a": 2}

    @pytest.mark.parametrize("bad", NON_JSON)
    def test_non_json_values_rejected(self, bad: Any) -> None:
        d = self.documents()
        d.insert("c", {"v": 1}, id="x")
        for call in (
            partial(d.insert, "c", bad, id="y"),
            partial(d.replace, "c", "x", bad),
            partial(d.update, "c", "x", bad),
        ):
            with pytest.raises(prism.InvalidArgumentError):
                call()
        assert d.get("c", "x") == {"_id": "x", "v": 1}
        with pytest.raises(prism.NotFoundError):
            d.get("c", "y")

    def test_bad_names_rejected_before_io(self) -> None:
        d = self.documents()
        for bad in BAD_NAMES:
            for call in (
                partial(d.insert, bad, {"v": 1}),
                partial(d.insert, "c", {"v": 1}, id=bad if bad is not None else ""),
                partial(d.get, bad, "x"),
                partial(d.get, "c", bad),
                partial(d.replace, "c", bad, {}),
                partial(d.update, bad, "x", {}),
                partial(d.delete, "c", bad),
            ):
                with pytest.raises(prism.InvalidArgumentError):
                    call()

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    def test_unicode_collections_ids_and_keys(self, name: str) -> None:
        d = self.documents()
        d.insert(name, {name: name}, id=name)
        assert d.get(name, name) == {"_id": name, name: name}
        assert d.update(name, name, {"ü": {name: 1}}) == {
            "_id": name,
            name: name,
            "ü": {name: 1},
        }

    def test_documents_are_copied_in_and_out(self) -> None:
        d = self.documents()
        doc: dict[str, Any] = {"n": {"v": 1}, "arr": [1]}
        d.insert("c", doc, id="x")
        doc["n"]["v"] = 2
        doc["arr"].append(2)
        fetched = d.get("c", "x")
        assert fetched == {"_id": "x", "n": {"v": 1}, "arr": [1]}
        fetched["n"]["v"] = 3
        updated = d.update("c", "x", {"z": 1})
        updated["arr"].append(3)
        assert d.get("c", "x") == {"_id": "x", "n": {"v": 1}, "arr": [1], "z": 1}

    def test_collections_are_separate(self) -> None:
        d = self.documents()
        d.insert("one", {"v": 1}, id="x")
        d.insert("two", {"v": 2}, id="x")
        assert d.delete("one", "x") is True
        assert d.get("two", "x") == {"_id": "x", "v": 2}

    def test_namespaces_are_isolated(self) -> None:
        a = self.documents()
        b = self.documents()
        a.insert("c", {"v": "a"}, id="x")
        with pytest.raises(prism.NotFoundError):
            b.get("c", "x")
        b.insert("c", {"v": "b"}, id="x")
        assert a.get("c", "x") == {"_id": "x", "v": "a"}

    def test_100_concurrent_inserts_all_land(self) -> None:
        d = self.documents()
        given = run_concurrently(
            [partial(d.insert, "c", {"i": i}, id=f"doc{i}") for i in range(50)]
        )
        generated = run_concurrently([partial(d.insert, "c", {"i": i}) for i in range(50)])
        assert given == [f"doc{i}" for i in range(50)]
        assert len(set(generated) | set(given)) == 100
        for i, doc_id in enumerate(generated):
            assert d.get("c", doc_id) == {"_id": doc_id, "i": i}

    def test_concurrent_updates_lose_nothing(self) -> None:
        d = self.documents()
        d.insert("c", {"n": {}}, id="x")
        run_concurrently([partial(d.update, "c", "x", {"n": {f"f{i}": i}}) for i in range(50)])
        assert (d.get("c", "x"))["n"] == {f"f{i}": i for i in range(50)}


class DocumentQuerySuite(_DocumentSuite, interface="document_query"):
    def people(self) -> Any:
        d = self.documents()
        self.seed(d, "people", PEOPLE)
        return d

    def ids(self, d: Any, filter: Any, **kw: Any) -> list[str]:
        return sorted(_ids(d.find("people", filter, **kw)))

    def test_equality_with_numbers_nulls_arrays_and_objects(self) -> None:
        d = self.people()
        assert self.ids(d, {"city": "Paris"}) == ["1", "3"]
        assert self.ids(d, {"age": 25}) == ["2", "4"]
        assert self.ids(d, {"age": {"$eq": 25.0}}) == ["2", "4"]
        assert self.ids(d, {"city": None}) == ["5"]
        assert self.ids(d, {"nick": None}) == ["1", "2", "3", "4", "5"]
        assert self.ids(d, {"tags": ["a", "b"]}) == ["1"]
        assert self.ids(d, {"tags": ["b", "a"]}) == []
        assert self.ids(d, {"tags": "b"}) == []
        assert self.ids(d, {"address": {"zip": "10115"}}) == ["2"]
        assert self.ids(d, {"active": True}) == ["1", "3"]
        assert self.ids(d, {"active": 1}) == []

    def test_ne_in_nin(self) -> None:
        d = self.people()
        assert self.ids(d, {"city": {"$ne": "Paris"}}) == ["2", "4", "5"]
        assert self.ids(d, {"nick": {"$ne": None}}) == []
        assert self.ids(d, {"active": {"$ne": True}}) == ["2", "4", "5"]
        assert self.ids(d, {"city": {"$in": ["Rome", "Berlin"]}}) == ["2", "4"]
        assert self.ids(d, {"city": {"$in": []}}) == []
        assert self.ids(d, {"age": {"$in": [30, "unknown"]}}) == ["1", "5"]
        assert self.ids(d, {"city": {"$nin": ["Paris", None]}}) == ["2", "4"]
        assert self.ids(d, {"city": {"$nin": []}}) == ["1", "2", "3", "4", "5"]

    def test_booleans_against_numbers_nulls_and_missing_fields(self) -> None:
        # Inserted in a scrambled order; ``f`` holds each kind of value that a loose backend
        # confuses: booleans and 0/1 (True != 1), null and a missing field ($eq None matches
        # both; $ne / $nin match a missing field unless None is their operand).
        d = self.documents()
        flags = {
            "t": True,
            "one": 1,
            "zero": 0,
            "f": False,
            "onef": 1.0,
            "null": None,
            "text": "1",
        }
        docs: list[dict[str, Any]] = [{"_id": k, "f": v} for k, v in flags.items()]
        docs += [{"_id": "missing"}, {"_id": "nested", "f": {"f": True}}]
        self.seed(d, "flags", docs[::-1])

        def ids(flt: Any) -> list[str]:
            found = sorted(_ids(d.find("flags", flt)))
            assert d.count("flags", flt) == len(found), flt
            return found

        everything = sorted(_ids(docs))

        def but(*left_out: str) -> list[str]:
            return [i for i in everything if i not in left_out]

        assert ids({"f": True}) == ["t"]
        assert ids({"f": 1}) == ["one", "onef"]
        assert ids({"f": False}) == ["f"]
        assert ids({"f": 0}) == ["zero"]
        assert ids({"f": {"$in": [1]}}) == ["one", "onef"]
        assert ids({"f": {"$in": [True, 0]}}) == ["t", "zero"]
        assert ids({"f": {"$ne": 1}}) == but("one", "onef")
        assert ids({"f": {"$ne": True}}) == but("t")
        assert ids({"f": {"$ne": False}}) == but("f")
        assert ids({"f": {"$nin": [True, 0]}}) == but("t", "zero")
        assert ids({"f": {"$nin": [1, None]}}) == but("one", "onef", "null", "missing")
        assert ids({"f": {"$gt": 0}}) == ["one", "onef"]
        assert ids({"f": {"$lte": 0}}) == ["zero"]
        assert ids({"f": None}) == ["missing", "null"]
        assert ids({"f": {"$in": [None]}}) == ["missing", "null"]
        assert ids({"f": {"$ne": None}}) == but("missing", "null")
        assert ids({"f": {"$exists": False}}) == ["missing"]
        assert ids({"f.f": True}) == ["nested"]
        assert ids({"f.f": {"$ne": True}}) == but("nested")
        assert ids({"gone": {"$nin": ["x", 1, True]}}) == everything
        assert ids({"gone": {"$ne": 0}}) == everything
        assert ids({"$or": [{"gone": {"$ne": 1}}, {"f": 1}]}) == everything

    def test_ordering_operators(self) -> None:
        d = self.people()
        assert self.ids(d, {"age": {"$gt": 25}}) == ["1", "3"]
        assert self.ids(d, {"age": {"$gte": 25}}) == ["1", "2", "3", "4"]
        assert self.ids(d, {"age": {"$lt": 30}}) == ["2", "4"]
        assert self.ids(d, {"age": {"$lte": 30}}) == ["1", "2", "4"]
        assert self.ids(d, {"age": {"$gt": 20, "$lt": 30}}) == ["2", "4"]
        assert self.ids(d, {"name": {"$gt": "bob"}}) == ["3", "4", "5"]
        assert self.ids(d, {"age": {"$gt": "a"}}) == ["5"]
        assert self.ids(d, {"active": {"$gte": 0}}) == []

    def test_exists_and_dotted_paths(self) -> None:
        d = self.people()
        assert self.ids(d, {"tags": {"$exists": True}}) == ["1", "5"]
        assert self.ids(d, {"tags": {"$exists": False}}) == ["2", "3", "4"]
        assert self.ids(d, {"nick": {"$exists": True}}) == ["3"]
        assert self.ids(d, {"address.zip": "75001"}) == ["1"]
        assert self.ids(d, {"address.geo.lat": {"$gt": 48}}) == ["1"]
        assert self.ids(d, {"address.zip": {"$exists": True}}) == ["1", "2"]
        assert self.ids(d, {"address.zip": {"$exists": False}}) == ["3", "4", "5"]
        assert self.ids(d, {"address.zip": None}) == ["3", "4", "5"]

    def test_and_or(self) -> None:
        d = self.people()
        assert self.ids(d, {"$or": [{"city": "Rome"}, {"age": {"$gt": 30}}]}) == ["3", "4"]
        assert self.ids(d, {"$and": [{"city": "Paris"}, {"age": {"$lt": 35}}]}) == ["1"]
        nested = {"$or": [{"$and": [{"city": "Paris"}, {"active": True}]}, {"name": "eve"}]}
        assert self.ids(d, nested) == ["1", "3", "5"]
        assert self.ids(d, {"city": "Paris", "$or": [{"age": 35}, {"age": 25}]}) == ["3"]
        assert self.ids(d, {}) == ["1", "2", "3", "4", "5"]
        assert self.ids(d, None) == ["1", "2", "3", "4", "5"]

    def test_find_returns_whole_documents(self) -> None:
        d = self.people()
        assert d.find("people", {"_id": "1"}) == [PEOPLE[0]]
        assert d.find("nothing-here") == []

    def test_random_filters_match_the_in_process_reference(self) -> None:
        d = self.documents()
        rng = random.Random(20240601)
        docs = random_documents(rng, 80)
        self.seed(d, "r", docs)
        for _ in range(200):
            flt = random_filter(rng)
            expected = _ids(reference_find(docs, flt))
            assert sorted(_ids(d.find("r", flt))) == sorted(expected), flt
            assert d.count("r", flt) == len(expected), flt

    def test_sort_on_two_fields(self) -> None:
        d = self.people()
        found = d.find("people", sort=[("city", 1), ("age", -1)])
        assert _ids(found) == ["5", "2", "3", "1", "4"]
        found = d.find("people", sort=[("city", -1), ("age", 1)])
        assert _ids(found) == ["4", "1", "3", "2", "5"]
        found = d.find("people", {"active": {"$exists": True}}, sort=[("active", -1), ("name", 1)])
        assert _ids(found) == ["1", "3", "2"]

    def test_sort_follows_the_type_order(self) -> None:
        d = self.documents()
        values: list[Any] = [
            _ABSENT,
            None,
            -1,
            2.5,
            3,
            "",
            "a",
            "b",
            {},
            {"k": 1},
            [],
            [1],
            [1, 2],
            False,
            True,
        ]
        for i, value in enumerate(values):
            doc = {} if value is _ABSENT else {"v": value}
            d.insert("c", doc, id=f"{i:02d}")
        expected = [f"{i:02d}" for i in range(len(values))]
        assert _ids(d.find("c", sort=[("v", 1)])) == expected
        assert _ids(d.find("c", sort=[("v", -1)])) == expected[::-1]

    def test_sort_by_dotted_path_and_id(self) -> None:
        d = self.people()
        found = d.find("people", sort=[("address.zip", 1), ("_id", 1)])
        assert _ids(found) == ["3", "4", "5", "2", "1"]
        assert _ids(d.find("people", sort=[("_id", -1)])) == ["5", "4", "3", "2", "1"]

    def test_random_sorts_with_skip_and_limit_match_the_reference(self) -> None:
        d = self.documents()
        rng = random.Random(77)
        docs = random_documents(rng, 60)
        self.seed(d, "r", docs)
        for _ in range(40):
            flt = random_filter(rng) if rng.random() < 0.5 else None
            sort = [(rng.choice(PATHS), rng.choice((1, -1))), (rng.choice(PATHS), -1)]
            sort.append(("_id", rng.choice((1, -1))))
            skip, limit = rng.randint(0, 10), rng.choice((None, 0, 1, 5, 100))
            found = d.find("r", flt, sort=sort, skip=skip, limit=limit)
            assert _ids(found) == _ids(reference_find(docs, flt, sort, skip, limit)), (
                flt,
                sort,
                skip,
                limit,
            )

    def test_limit_and_skip(self) -> None:
        d = self.people()
        by_id = [("_id", 1)]
        assert _ids(d.find("people", sort=by_id, skip=1, limit=2)) == ["2", "3"]
        assert _ids(d.find("people", sort=by_id, skip=3)) == ["4", "5"]
        assert d.find("people", sort=by_id, limit=0) == []
        assert d.find("people", skip=10) == []
        some = _ids(d.find("people", limit=3))
        assert len(some) == 3
        assert set(some) <= {"1", "2", "3", "4", "5"}
        for bad in ({"limit": -1}, {"skip": -1}, {"limit": 1.5}, {"skip": "1"}):
            with pytest.raises(prism.InvalidArgumentError):
                d.find("people", **bad)

    def test_projection(self) -> None:
        d = self.people()
        found = d.find("people", sort=[("_id", 1)], projection=["name", "address.zip"])
        assert found == [
            {"_id": "1", "name": "ann", "address": {"zip": "75001"}},
            {"_id": "2", "name": "bob", "address": {"zip": "10115"}},
            {"_id": "3", "name": "cat"},
            {"_id": "4", "name": "dan"},
            {"_id": "5", "name": "eve"},
        ]
        assert d.find("people", {"_id": "3"}, projection=[]) == [{"_id": "3"}]
        assert d.find("people", {"_id": "3"}, projection=["nick", "_id"]) == [
            {"_id": "3", "nick": None}
        ]
        assert d.find("people", {"_id": "1"}, projection=["address"]) == [
            {"_id": "1", "address": {"zip": "75001", "geo": {"lat": 48.8}}}
        ]

    def test_find_one_and_count(self) -> None:
        d = self.people()
        assert d.find_one("people", {"city": "Paris"}, sort=[("age", -1)]) == PEOPLE[2]
        assert d.find_one("people", {"city": "Paris"}, sort=[("age", 1)]) == PEOPLE[0]
        assert (d.find_one("people", {"name": "bob"}) or {}).get("_id") == "2"
        assert d.find_one("people", {"city": "Nowhere"}) is None
        assert d.count("people") == 5
        assert d.count("people", {"city": "Paris"}) == 2
        assert d.count("nothing-here") == 0

    def test_aggregate_group_by_with_every_metric(self) -> None:
        d = self.people()
        metrics = {
            "n": ("count", None),
            "total": ("sum", "age"),
            "mean": ("avg", "age"),
            "lo": ("min", "age"),
            "hi": ("max", "age"),
        }
        found = d.aggregate("people", ["city"], metrics)
        assert found == [
            {"city": None, "n": 1, "total": 0, "mean": None, "lo": None, "hi": None},
            {"city": "Berlin", "n": 1, "total": 25, "mean": 25, "lo": 25, "hi": 25},
            {"city": "Paris", "n": 2, "total": 65, "mean": 32.5, "lo": 30, "hi": 35},
            {"city": "Rome", "n": 1, "total": 25, "mean": 25, "lo": 25, "hi": 25},
        ]

    def test_aggregate_two_fields_dotted_paths_and_filter(self) -> None:
        d = self.people()
        found = d.aggregate("people", ["city", "active"], {"n": ("count", None)})
        assert found == [
            {"city": None, "active": None, "n": 1},
            {"city": "Berlin", "active": False, "n": 1},
            {"city": "Paris", "active": True, "n": 2},
            {"city": "Rome", "active": None, "n": 1},
        ]
        found = d.aggregate("people", ["address.zip"], {"n": ("count", None)})
        assert found == [
            {"address.zip": None, "n": 3},
            {"address.zip": "10115", "n": 1},
            {"address.zip": "75001", "n": 1},
        ]
        found = d.aggregate("people", ["city"], {"hi": ("max", "age")}, {"active": True})
        assert found == [{"city": "Paris", "hi": 35}]
        assert d.aggregate("people", [], {"n": ("count", None)}) == [{"n": 5}]
        assert d.aggregate("people", ["zz"], {"n": ("count", None)}) == [{"zz": None, "n": 5}]
        assert d.aggregate("nothing-here", ["a"], {"n": ("count", None)}) == []

    def test_random_aggregates_match_a_python_reference(self) -> None:
        d = self.documents()
        rng = random.Random(5)
        docs = random_documents(rng, 80)
        self.seed(d, "r", docs)
        metrics = {
            "n": ("count", None),
            "s": ("sum", "b"),
            "m": ("avg", "b"),
            "lo": ("min", "n.x"),
            "hi": ("max", "n.x"),
        }
        for flt in (None, {"c": {"$exists": True}}, random_filter(rng)):
            groups: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
            for doc in reference_find(docs, flt):
                value = _at(doc, "a")
                value = None if value is _ABSENT else value
                groups.setdefault(repr(_rank(value)), (value, []))[1].append(doc)
            expected = []
            for value, members in sorted(groups.values(), key=lambda g: _rank(g[0])):
                bs = [
                    x
                    for x in (_at(m, "b") for m in members)
                    if isinstance(x, int | float) and not isinstance(x, bool)
                ]
                xs = [
                    x
                    for x in (_at(m, "n.x") for m in members)
                    if isinstance(x, int | float) and not isinstance(x, bool)
                ]
                expected.append(
                    {
                        "a": value,
                        "n": len(members),
                        "s": math.fsum(bs),
                        "m": math.fsum(bs) / len(bs) if bs else None,
                        "lo": min(xs) if xs else None,
                        "hi": max(xs) if xs else None,
                    }
                )
            found = d.aggregate("r", ["a"], metrics, flt)
            assert len(found) == len(expected), flt
            for got, want in zip(found, expected, strict=True):
                assert set(got) == set(want)
                assert _rank(got["a"]) == _rank(want["a"]), (got, want)
                assert (got["n"], got["lo"], got["hi"]) == (want["n"], want["lo"], want["hi"])
                assert got["s"] == pytest.approx(want["s"], rel=1e-12, abs=1e-12)
                assert (got["m"] is None) is (want["m"] is None), (got, want)
                if want["m"] is not None:
                    assert got["m"] == pytest.approx(want["m"], rel=1e-12, abs=1e-12)

    def test_invalid_filters_sorts_and_projections_rejected(self) -> None:
        d = self.people()
        bad_filters: list[Any] = [
            {"age": {"$regex": "x"}},
            {"$nor": [{"a": 1}]},
            {"$or": []},
            {"$and": {"a": 1}},
            {"age": {"$in": 5}},
            {"a": {"$exists": "yes"}},
            {"a": {"$gt": [1]}},
            {"a": {"$gt": 1, "b": 2}},
            {"": 1},
            {"a..b": 1},
            {"a": float("nan")},
            "a",
            [1],
        ]
        for bad in bad_filters:
            for call in (
                partial(d.find, "people", bad),
                partial(d.find_one, "people", bad),
                partial(d.count, "people", bad),
                partial(d.aggregate, "people", ["city"], {"n": ("count", None)}, bad),
            ):
                with pytest.raises(prism.InvalidArgumentError):
                    call()
        bad_sorts: list[Any] = [
            [("age", 2)],
            [("age", True)],
            [("", 1)],
            ["age"],
            "age",
            [("age",)],
            [(3, 1)],
        ]
        for sort in bad_sorts:
            with pytest.raises(prism.InvalidArgumentError):
                d.find("people", sort=sort)
        for projection in ("name", [""], [3], ["a..b"]):
            with pytest.raises(prism.InvalidArgumentError):
                d.find("people", projection=projection)
        bad_metrics: list[Any] = [
            {"x": ("median", "age")},
            {"x": ("sum", None)},
            {"x": "count"},
            {"": ("count", None)},
            {"x": ("count", None, 1)},
        ]
        for metrics in bad_metrics:
            with pytest.raises(prism.InvalidArgumentError):
                d.aggregate("people", ["city"], metrics)
        for group_by in ("city", [""], [None]):
            with pytest.raises(prism.InvalidArgumentError):
                d.aggregate("people", group_by, {"n": ("count", None)})
        for name in BAD_NAMES:
            with pytest.raises(prism.InvalidArgumentError):
                d.find(name)

    @pytest.mark.parametrize("name", UNICODE_NAMES)
    def test_unicode_collections_and_fields(self, name: str) -> None:
        d = self.documents()
        d.insert(name, {"ключ": {"値": name}, "n": 1}, id="a")
        d.insert(name, {"ключ": {"値": "other"}, "n": 2}, id="b")
        assert _ids(d.find(name, {"ключ.値": name})) == ["a"]
        assert _ids(d.find(name, sort=[("ключ.値", -1)])) == (
            ["b", "a"] if name < "other" else ["a", "b"]
        )
        assert d.aggregate(name, ["ключ.値"], {"s": ("sum", "n")}, {"n": 1}) == [
            {"ключ.値": name, "s": 1}
        ]

    def test_namespaces_are_isolated(self) -> None:
        a = self.people()
        b = self.documents()
        assert b.find("people") == []
        assert b.count("people") == 0
        b.insert("people", {"city": "Paris"})
        assert a.count("people", {"city": "Paris"}) == 2

    def test_queries_see_every_concurrent_insert(self) -> None:
        d = self.documents()
        run_concurrently([partial(d.insert, "c", {"i": i, "even": i % 2 == 0}) for i in range(100)])
        assert d.count("c", {"even": True}) == 50
        found = d.find("c", {"i": {"$gte": 90}}, sort=[("i", -1)])
        assert [doc["i"] for doc in found] == list(range(99, 89, -1))


class DocumentIndexingSuite(_DocumentSuite, interface="document_indexing"):
    def test_create_list_and_drop(self) -> None:
        d = self.documents()
        assert d.list_indexes("c") == []
        assert d.create_index("c", ["a", "b.c"]) == "a_b.c"
        assert d.create_index("c", ["email"], unique=True, name="by_email") == "by_email"
        found = {i.name: i for i in d.list_indexes("c")}
        assert set(found) == {"a_b.c", "by_email"}
        assert found["a_b.c"].fields == ("a", "b.c")
        assert found["a_b.c"].unique is False
        assert found["by_email"].fields == ("email",)
        assert found["by_email"].unique is True
        assert d.drop_index("c", "a_b.c") is True
        assert d.drop_index("c", "a_b.c") is False
        assert [i.name for i in d.list_indexes("c")] == ["by_email"]
        assert d.list_indexes("other") == []

    def test_create_is_idempotent_but_a_name_holds_one_definition(self) -> None:
        d = self.documents()
        assert d.create_index("c", ["a"]) == "a"
        assert d.create_index("c", ["a"]) == "a"
        assert len(d.list_indexes("c")) == 1
        with pytest.raises(prism.ConflictError):
            d.create_index("c", ["a"], unique=True)
        with pytest.raises(prism.ConflictError):
            d.create_index("c", ["b"], name="a")
        assert [(i.fields, i.unique) for i in d.list_indexes("c")] == [(("a",), False)]

    def test_unique_index_rejects_duplicates(self) -> None:
        d = self.documents()
        d.create_index("users", ["email"], unique=True)
        d.insert("users", {"email": "a@x", "n": 1}, id="u1")
        with pytest.raises(prism.ConflictError):
            d.insert("users", {"email": "a@x", "n": 2}, id="u2")
        with pytest.raises(prism.NotFoundError):
            d.get("users", "u2")
        d.insert("users", {"email": "b@x"}, id="u2")
        with pytest.raises(prism.ConflictError):
            d.replace("users", "u2", {"email": "a@x"})
        with pytest.raises(prism.ConflictError):
            d.update("users", "u2", {"email": "a@x"})
        assert d.get("users", "u2") == {"_id": "u2", "email": "b@x"}
        d.update("users", "u1", {"n": 5})  # keeping its own value is fine
        d.replace("users", "u1", {"email": "a@x", "n": 6})
        d.update("users", "u1", {"email": "c@x"})  # frees a@x
        d.update("users", "u2", {"email": "a@x"})
        assert d.delete("users", "u2") is True  # frees a@x again
        d.insert("users", {"email": "a@x"}, id="u3")
        assert d.count("users", {"email": "a@x"}) == 1

    def test_unique_index_uses_json_equality_and_exempts_documents_without_fields(
        self,
    ) -> None:
        d = self.documents()
        d.create_index("c", ["k"], unique=True)
        d.insert("c", {"k": 1})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"k": 1.0})
        d.insert("c", {"k": True})
        d.insert("c", {"k": "1"})
        d.insert("c", {"k": None})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"k": None})
        d.insert("c", {"k": [1, 2]})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"k": [1, 2]})
        d.insert("c", {"k": {"a": 1, "b": 2}})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"b": 0, "k": {"b": 2, "a": 1}})
        d.insert("c", {"other": 1})
        d.insert("c", {"other": 2})
        assert d.count("c") == 8

    def test_compound_unique_index(self) -> None:
        d = self.documents()
        d.create_index("c", ["a", "b.c"], unique=True)
        d.insert("c", {"a": 1, "b": {"c": 1}})
        d.insert("c", {"a": 1, "b": {"c": 2}})
        d.insert("c", {"a": 2, "b": {"c": 1}})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"a": 1, "b": {"c": 2}, "extra": True})
        d.insert("c", {"a": 1})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"a": 1, "b": "not an object"})
        d.insert("c", {"b": {"c": 1}})
        assert d.count("c") == 5

    def test_unique_index_over_existing_duplicates_is_refused(self) -> None:
        d = self.documents()
        d.insert("c", {"k": "same"})
        d.insert("c", {"k": "same"})
        with pytest.raises(prism.ConflictError):
            d.create_index("c", ["k"], unique=True)
        assert d.list_indexes("c") == []
        d.insert("c", {"k": "same"})  # still no constraint
        assert d.create_index("c", ["k"]) == "k"  # a non-unique one is fine

    def test_dropping_a_unique_index_lifts_the_constraint(self) -> None:
        d = self.documents()
        d.create_index("c", ["k"], unique=True)
        d.insert("c", {"k": 1})
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"k": 1})
        assert d.drop_index("c", "k") is True
        d.insert("c", {"k": 1})
        assert d.count("c", {"k": 1}) == 2

    def test_queries_return_the_same_results_with_and_without_indexes(self) -> None:
        d = self.documents()
        assert self.declares("document_query"), "document_indexing needs document_query"
        rng = random.Random(99)
        docs = random_documents(rng, 80)
        self.seed(d, "r", docs)
        queries = [(random_filter(rng), [(rng.choice(PATHS), 1), ("_id", -1)]) for _ in range(40)]
        queries += [({"a": value}, [("_id", 1)]) for value in POOL]
        queries += [({"n.x": {"$gte": 1}}, [("b", -1), ("_id", 1)])]

        def run() -> list[Any]:
            out: list[Any] = []
            for flt, sort in queries:
                out.append(_ids(d.find("r", flt, sort=sort)))
                out.append(d.count("r", flt))
            return out

        before = run()
        assert before == [
            item
            for flt, sort in queries
            for item in (_ids(reference_find(docs, flt, sort)), len(reference_find(docs, flt)))
        ]
        for fields in (["a"], ["n.x"], ["b", "c"], ["_id"]):
            d.create_index("r", fields)
        d.create_index("r", ["_id", "a"], unique=True, name="uniq")
        assert run() == before
        d.update("r", "d000", {"a": "changed"})
        d.delete("r", "d001")
        assert _ids(d.find("r", {"a": "changed"})) == ["d000"]
        assert d.count("r") == 79

    def test_bad_arguments_rejected(self) -> None:
        d = self.documents()
        for fields in ([], "a", [""], [None], ["a..b"], ["a", 3]):
            with pytest.raises(prism.InvalidArgumentError):
                d.create_index("c", fields)
        with pytest.raises(prism.InvalidArgumentError):
            d.create_index("c", ["a"], name="")
        for bad in BAD_NAMES:
            with pytest.raises(prism.InvalidArgumentError):
                d.create_index(bad, ["a"])
            with pytest.raises(prism.InvalidArgumentError):
                d.list_indexes(bad)
            with pytest.raises(prism.InvalidArgumentError):
                d.drop_index(bad, "a")
        assert d.list_indexes("c") == []

    def test_unicode_index_names_and_fields(self) -> None:
        d = self.documents()
        assert d.create_index("收藏", ["名前"], unique=True) == "名前"
        assert d.create_index("收藏", ["ü.🙂"], name="índice") == "índice"
        d.insert("收藏", {"名前": "太郎"})
        with pytest.raises(prism.ConflictError):
            d.insert("收藏", {"名前": "太郎"})
        assert sorted(i.name for i in d.list_indexes("收藏")) == ["índice", "名前"]

    def test_namespaces_are_isolated(self) -> None:
        a = self.documents()
        b = self.documents()
        a.create_index("c", ["k"], unique=True)
        assert b.list_indexes("c") == []
        a.insert("c", {"k": 1})
        b.insert("c", {"k": 1})
        b.insert("c", {"k": 1})

    def test_concurrent_inserts_of_one_unique_value_let_exactly_one_in(self) -> None:
        d = self.documents()
        d.create_index("c", ["k"], unique=True)

        def attempt(i: int) -> bool:
            try:
                d.insert("c", {"k": "contested", "i": i})
            except prism.ConflictError:
                return False
            return True

        results = run_concurrently([partial(attempt, i) for i in range(30)])
        assert results.count(True) == 1
        assert d.count("c", {"k": "contested"}) == 1


# ===== hostile names and the shared limits (issue 8, security) ==============================
# Kept apart from the cases above: each class extends its interface's suite and takes over its
# registration, so every backend runs these too.

from prism.testing._hostile import HOSTILE_FIELDS, HOSTILE_NAMES


def _deep(levels: int, leaf: Any = 1) -> Any:
    """``levels`` nested objects around ``leaf``."""
    value = leaf
    for _ in range(levels):
        value = {"x": value}
    return value


def _nested_filter(levels: int) -> dict[str, Any]:
    """``levels`` nested ``$and`` / ``$or`` (alternating, so nothing flattens)."""
    flt: dict[str, Any] = {"k": {"$gte": 0}}
    for i in range(levels):
        flt = {"$and" if i % 2 else "$or": [flt, {"k": -1 - i}]}
    return flt


class DocumentBasicHostileSuite(DocumentBasicSuite, interface="document_basic"):
    def test_hostile_collection_and_field_names_round_trip(self) -> None:
        d = self.documents()
        for i, name in enumerate(HOSTILE_NAMES):
            doc = {field: [i, field] for field in HOSTILE_FIELDS}
            d.insert(name, doc, id=name)
            assert d.get(name, name) == {"_id": name, **doc}
        for i, name in enumerate(HOSTILE_NAMES):  # no collection saw another's document
            with pytest.raises(prism.NotFoundError):
                d.get(name, HOSTILE_NAMES[i - 1])


class DocumentQueryHostileSuite(DocumentQuerySuite, interface="document_query"):
    def test_hostile_field_names_in_filters_sorts_and_projections(self) -> None:
        d = self.documents()
        for i, field in enumerate(HOSTILE_FIELDS):
            d.insert("c", {field: i, "n": {field: str(i)}, "k": i}, id=f"d{i}")
        for i, field in enumerate(HOSTILE_FIELDS):
            assert _ids(d.find("c", {field: i})) == [f"d{i}"]
            assert _ids(d.find("c", {f"n.{field}": {"$in": [str(i), "none"]}})) == [f"d{i}"]
            assert _ids(d.find("c", {field: {"$ne": i}, "k": {"$lt": 2}})) == sorted(
                f"d{j}" for j in range(2) if j != i
            )
            assert d.count("c", {field: {"$exists": True}}) == 1
            assert d.find("c", {field: {"$gte": 0}}, projection=[field, "n." + field]) == [
                {"_id": f"d{i}", field: i, "n": {field: str(i)}}
            ]
        fields = HOSTILE_FIELDS[:3]
        found = d.find(
            "c", {"$or": [{f: {"$exists": True}} for f in fields]}, sort=[(fields[0], -1)]
        )
        assert _ids(found) == ["d0", "d1", "d2"]
        groups = d.aggregate("c", [HOSTILE_FIELDS[1]], {"n": ("count", None)}, {"k": {"$lt": 2}})
        assert groups == [{HOSTILE_FIELDS[1]: None, "n": 1}, {HOSTILE_FIELDS[1]: 1, "n": 1}]

    def test_the_largest_accepted_in_list_runs_and_one_more_is_refused(self) -> None:
        d = self.documents()
        docs: list[dict[str, Any]] = [
            {"_id": "n", "v": filters.MAX_CONDITIONS - 1},
            {"_id": "f", "v": 2.5},
            {"_id": "s", "v": "s9999"},
            {"_id": "o", "v": {"k": [1, "x"]}},
            {"_id": "z", "v": None},
            {"_id": "t", "v": True},
            {"_id": "miss"},
        ]
        self.seed(d, "c", docs)
        size = filters.MAX_CONDITIONS
        values: list[Any] = [
            *range(size - 6),
            2.5,
            "s9999",
            {"k": [1, "x"]},
            True,
            "other",
            size - 1,
        ]
        assert len(values) == size
        want = ["f", "n", "o", "s", "t"]
        assert sorted(_ids(d.find("c", {"v": {"$in": values}}))) == want
        assert d.count("c", {"v": {"$in": values}}) == 5
        assert sorted(_ids(d.find("c", {"v": {"$nin": values}}))) == ["miss", "z"]
        for op in ("$in", "$nin"):
            with pytest.raises(prism.InvalidArgumentError):
                d.find("c", {"v": {op: [*values, "one more"]}})
        with pytest.raises(prism.InvalidArgumentError):  # the count is per filter, not per list
            d.count("c", {"v": {"$in": values}, "w": 1})

    def test_the_deepest_accepted_nesting_runs_and_one_more_is_refused(self) -> None:
        d = self.documents()
        self.seed(d, "c", [{"_id": str(k), "k": k} for k in (-3, -2, -1, 0, 5)])
        deepest = _nested_filter(filters.MAX_DEPTH)
        want = sorted(str(k) for k in (-3, -2, -1, 0, 5) if filters.matches(deepest, {"k": k}))
        assert sorted(_ids(d.find("c", deepest))) == want
        assert d.count("c", deepest) == len(want)
        with pytest.raises(prism.InvalidArgumentError):
            d.find("c", _nested_filter(filters.MAX_DEPTH + 1))

    def test_the_deepest_accepted_operand_runs_and_one_more_is_refused(self) -> None:
        d = self.documents()
        deepest = _deep(filters.MAX_DEPTH - 1)  # a field value MAX_DEPTH levels deep in all
        d.insert("c", {"v": deepest}, id="deep")
        d.insert("c", {"v": _deep(filters.MAX_DEPTH - 1, 2)}, id="other")
        assert _ids(d.find("c", {"v": deepest})) == ["deep"]
        assert _ids(d.find("c", {"v": {"$in": [deepest, 7]}})) == ["deep"]
        assert _ids(d.find("c", {"v": {"$ne": deepest}})) == ["other"]
        with pytest.raises(prism.InvalidArgumentError):
            d.find("c", {"v": _deep(filters.MAX_DEPTH)})


class DocumentIndexingHostileSuite(DocumentIndexingSuite, interface="document_indexing"):
    def test_hostile_index_fields_and_names_leave_every_namespace_writable(self) -> None:
        d = self.documents()
        other = self.documents()
        other.insert("c", {"k": 0}, id="before")
        made = {}
        for i, field in enumerate(HOSTILE_FIELDS):
            name = HOSTILE_NAMES[i % len(HOSTILE_NAMES)] + str(i)
            fields = [field, f"n.{field}"]
            assert d.create_index("c", fields, unique=i % 2 == 0, name=name) == name
            made[name] = (tuple(fields), i % 2 == 0)
        listed = {i.name: (tuple(i.fields), i.unique) for i in d.list_indexes("c")}
        assert listed == made
        # writes go on in this namespace and in another one on the same backend
        for i, field in enumerate(HOSTILE_FIELDS):
            doc = {field: "v", "n": {field: i}}
            d.insert("c", doc, id=f"a{i}")
            if i % 2 == 0:
                with pytest.raises(prism.ConflictError):
                    d.insert("c", doc, id=f"b{i}")
            else:
                d.insert("c", doc, id=f"b{i}")
            assert _ids(d.find("c", {field: "v", f"n.{field}": i})) == (
                [f"a{i}"] if i % 2 == 0 else [f"a{i}", f"b{i}"]
            )
        other.insert("c", {"k": 1}, id="after")
        other.update("c", "after", {"k": 2})
        other.replace("c", "before", {"k": 3})
        assert other.delete("c", "before")
        assert other.find("c") == [{"_id": "after", "k": 2}]
        for name in made:
            assert d.drop_index("c", name)
        d.insert("c", {HOSTILE_FIELDS[0]: "v", "n": {HOSTILE_FIELDS[0]: 0}}, id="again")

    def test_the_deepest_accepted_document_under_a_unique_index(self) -> None:
        d = self.documents()
        d.create_index("c", ["v"], unique=True)
        deepest = _deep(filters.MAX_DEPTH - 1)  # {"v": ...}: MAX_DEPTH levels below the root
        d.insert("c", {"v": deepest}, id="a")
        with pytest.raises(prism.ConflictError):
            d.insert("c", {"v": _deep(filters.MAX_DEPTH - 1)}, id="b")
        d.insert("c", {"v": _deep(filters.MAX_DEPTH - 1, 1.5)}, id="c")
        d.update("c", "c", {"w": 1})
        with pytest.raises(prism.InvalidArgumentError):
            d.insert("c", {"v": _deep(filters.MAX_DEPTH)}, id="d")
        assert sorted(_ids(d.find("c"))) == ["a", "c"]
