"""Tests of the shared filter language (prism.filters)."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prism.errors import InvalidArgumentError
from prism.filters import (
    OPERATORS,
    TRUE,
    And,
    Compare,
    Filter,
    FilterCompiler,
    MatchAll,
    Or,
    SQLiteJSONCompiler,
    field_paths,
    matches,
    parse,
)

DOC: dict[str, Any] = {
    "s": "abc",
    "i": 5,
    "f": 2.5,
    "t": True,
    "n": None,
    "arr": [1, "x", None],
    "obj": {"k": 1, "deep": {"z": "zz"}},
    "empty": {},
}


# --------------------------------------------------------------------------- SQLite harness


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, "bo""dy" TEXT)')
    yield db
    db.close()


def sql_matching(db: sqlite3.Connection, flt: Filter, docs: list[dict[str, Any]]) -> set[int]:
    """Indexes of ``docs`` the SQLite compiler selects; each doc is stored twice, once with
    non-ASCII escaped and once raw, and both copies must agree."""
    db.execute("DELETE FROM docs")
    for i, doc in enumerate(docs):
        db.execute("INSERT INTO docs VALUES (?, ?)", (2 * i, json.dumps(doc)))
        db.execute(
            "INSERT INTO docs VALUES (?, ?)", (2 * i + 1, json.dumps(doc, ensure_ascii=False))
        )
    where = SQLiteJSONCompiler('bo"dy').compile(flt)
    rows = {r[0] for r in db.execute(f"SELECT id FROM docs WHERE {where.sql}", where.params)}
    assert {r // 2 for r in rows} == {r // 2 for r in rows if r ^ 1 in rows}
    return {r // 2 for r in rows}


# --------------------------------------------------------------------------- operators

CASES: list[tuple[dict[str, Any], bool]] = [
    # equality, plain and $eq
    ({}, True),
    ({"s": "abc"}, True),
    ({"s": "ab"}, False),
    ({"i": 5}, True),
    ({"i": 5.0}, True),
    ({"f": 2.5}, True),
    ({"i": "5"}, False),
    ({"t": True}, True),
    ({"t": 1}, False),
    ({"i": True}, False),
    ({"n": None}, True),
    ({"missing": None}, True),
    ({"s": None}, False),
    ({"s": {"$eq": "abc"}}, True),
    ({"missing": {"$eq": None}}, True),
    ({"missing": {"$eq": 0}}, False),
    ({"arr": [1, "x", None]}, True),
    ({"arr": [1.0, "x", None]}, True),
    ({"arr": [True, "x", None]}, False),
    ({"arr": [1, "x"]}, False),
    ({"arr": 1}, False),
    ({"obj": {"deep": {"z": "zz"}, "k": 1}}, True),
    ({"obj": {"k": 1}}, False),
    ({"obj": {"k": 1, "deep": {"z": "zz"}, "x": None}}, False),
    ({"empty": {}}, True),
    ({"obj": {}}, False),
    # dotted paths
    ({"obj.k": 1}, True),
    ({"obj.deep.z": "zz"}, True),
    ({"obj.deep.z.q": None}, True),
    ({"arr.0": 1}, False),
    ({"s.x": {"$exists": True}}, False),
    # $ne
    ({"s": {"$ne": "abc"}}, False),
    ({"s": {"$ne": "x"}}, True),
    ({"missing": {"$ne": 1}}, True),
    ({"missing": {"$ne": None}}, False),
    ({"n": {"$ne": None}}, False),
    ({"t": {"$ne": 1}}, True),
    # $in / $nin
    ({"i": {"$in": [1, 5]}}, True),
    ({"i": {"$in": [1, 2]}}, False),
    ({"i": {"$in": []}}, False),
    ({"t": {"$in": [1]}}, False),
    ({"missing": {"$in": [1, None]}}, True),
    ({"arr": {"$in": [1, [1, "x", None]]}}, True),
    ({"arr": {"$in": [1, "x"]}}, False),
    ({"i": {"$nin": [1, 2]}}, True),
    ({"i": {"$nin": [5]}}, False),
    ({"i": {"$nin": []}}, True),
    ({"missing": {"$nin": [1]}}, True),
    ({"missing": {"$nin": [None]}}, False),
    # $exists
    ({"n": {"$exists": True}}, True),
    ({"missing": {"$exists": True}}, False),
    ({"missing": {"$exists": False}}, True),
    ({"obj.deep": {"$exists": True}}, True),
    # ordering
    ({"i": {"$gt": 4}}, True),
    ({"i": {"$gt": 5}}, False),
    ({"i": {"$gte": 5}}, True),
    ({"i": {"$lt": 5.5}}, True),
    ({"i": {"$lte": 4.9}}, False),
    ({"f": {"$gt": 2}}, True),
    ({"s": {"$gt": "abb"}}, True),
    ({"s": {"$lt": "abc"}}, False),
    ({"s": {"$lte": "abc"}}, True),
    ({"s": {"$gt": 1}}, False),
    ({"i": {"$lt": "z"}}, False),
    ({"t": {"$gte": 0}}, False),
    ({"n": {"$lt": 1}}, False),
    ({"missing": {"$lt": 1}}, False),
    ({"arr": {"$gt": 0}}, False),
    ({"i": {"$gt": 1, "$lt": 5}}, False),
    ({"i": {"$gt": 1, "$lte": 5}}, True),
    # $and / $or and implicit AND
    ({"i": 5, "s": "abc"}, True),
    ({"i": 5, "s": "x"}, False),
    ({"$and": [{"i": 5}, {"s": "abc"}]}, True),
    ({"$and": [{"i": 5}, {"s": "x"}]}, False),
    ({"$or": [{"i": 4}, {"s": "abc"}]}, True),
    ({"$or": [{"i": 4}, {"s": "x"}]}, False),
    ({"$or": [{}, {"s": "x"}]}, True),
    ({"$and": [{}]}, True),
    ({"$or": [{"i": 4}, {"$and": [{"t": True}, {"n": None}]}], "f": 2.5}, True),
]


@pytest.mark.parametrize(("flt", "expected"), CASES, ids=[json.dumps(c[0]) for c in CASES])
def test_operator_semantics(flt: dict[str, Any], expected: bool, conn: sqlite3.Connection) -> None:
    parsed = parse(flt)
    assert parsed.matches(DOC) is expected
    assert matches(flt, DOC) is expected
    assert reference_matches(flt, DOC) is expected
    assert sql_matching(conn, parsed, [DOC]) == ({0} if expected else set())


def test_unicode_and_awkward_keys(conn: sqlite3.Connection) -> None:
    doc = {'q"t': {"é": 1, "it's": {"x\\y": "ok"}}, "": 3, "a.b": 4, "\n": [1]}
    good: list[dict[str, Any]] = [
        {'q"t.é': 1},
        {"q\"t.it's.x\\y": "ok"},
        {"\n": [1]},
        {'q"t': {"$exists": True}},
    ]
    bad: list[dict[str, Any]] = [{"a.b": 4}, {"q\"t.it's.x\\y": "no"}, {'q"t.é': {"$gt": 1}}]
    for flt in good + bad:
        expected = flt in good
        assert parse(flt).matches(doc) is expected, flt
        assert sql_matching(conn, parse(flt), [doc]) == ({0} if expected else set()), flt


def test_large_numbers_compare_exactly(conn: sqlite3.Connection) -> None:
    doc = {"n": 2**53 + 1, "m": -(2**63), "x": 2**63 - 1}
    cases: list[tuple[dict[str, Any], bool]] = [
        ({"n": float(2**53)}, False),
        ({"n": {"$gt": float(2**53)}}, True),
        ({"n": 2**53 + 1}, True),
        ({"m": {"$lt": -(2**63) + 1}}, True),
        ({"x": {"$gte": 2**63 - 1}}, True),
    ]
    for flt, expected in cases:
        assert parse(flt).matches(doc) is expected, flt
        assert sql_matching(conn, parse(flt), [doc]) == ({0} if expected else set()), flt


def test_non_mapping_documents_and_tuples() -> None:
    f = parse({"a.b": [1, 2]})
    assert f.matches({"a": {"b": (1, 2)}})
    assert not f.matches({"a": [{"b": [1, 2]}]})
    assert not f.matches({"a": "b"})


# --------------------------------------------------------------------------- validation

INVALID: list[tuple[Any, str]] = [
    ([("a", 1)], "must be a mapping"),
    ("a = 1", "must be a mapping"),
    ({1: 2}, "non-str key"),
    ({"a": {"$regex": "x"}}, r"unknown operator '\$regex'.*allowed are"),
    ({"a": {"$and": [{}]}}, r"unknown operator '\$and'"),
    ({"$nor": [{"a": 1}]}, r"unknown operator '\$nor'.*only '\$and' and '\$or'"),
    ({"$eq": 1}, r"unknown operator '\$eq'"),
    ({"a": {"$in": 1}}, r"\$in for field 'a' takes a list"),
    ({"a": {"$nin": "ab"}}, r"\$nin .* takes a list"),
    ({"a": {"$in": {1, 2}}}, "takes a list"),
    ({"$and": []}, r"\$and must be a non-empty list"),
    ({"$or": {"a": 1}}, r"\$or must be a non-empty list"),
    ({"$and": [1]}, r"filter\.\$and\[0\] must be a mapping"),
    ({"$or": [{"a": {"$bad": 1}}]}, r"unknown operator '\$bad'"),
    ({"a": {"$exists": 1}}, r"\$exists .* takes True or False"),
    ({"a": {"$gt": True}}, "compares with a number or a str"),
    ({"a": {"$gt": None}}, "compares with a number or a str"),
    ({"a": {"$lt": [1]}}, "compares with a number or a str"),
    ({"a": {"$gte": float("nan")}}, "only finite numbers"),
    ({"a": {"$lte": float("inf")}}, "only finite numbers"),
    ({"a": float("nan")}, "only finite numbers"),
    ({"a.": 1}, "empty segment"),
    ({".a": 1}, "empty segment"),
    ({"a..b": 1}, "empty segment"),
    ({"": 1}, "empty segment"),
    ({"a": {"$eq": 1, "b": 2}}, "mixes operators and plain keys"),
    ({"a": {"b": 1, "$eq": 2}}, "mixes operators and plain keys"),
    ({"a": {1: 2}}, "non-str object key"),
    ({"a": b"x"}, "bytes, which is not a JSON value"),
    ({"a": {"$in": [object()]}}, r"\$in for field 'a'\[0\] is a object"),
    ({"a": {"$eq": {"b": {1}}}}, "set, which is not a JSON value"),
    ({"a": 2**63}, "does not fit in 64 bits"),
    ({"a": {"$gt": -(2**63) - 1}}, "does not fit in 64 bits"),
    ({"a": "\ud800"}, "lone surrogate"),
    ({"a": {"\udfff": 1}}, "lone surrogate"),
    ({"a.\ud800": 1}, "lone surrogate"),
]


def _stable_id(value: Any) -> str:
    """The case's repr without object addresses: ids must be the same in every process (the
    pytest-xdist workers each collect, and must agree)."""
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


@pytest.mark.parametrize(("flt", "message"), INVALID, ids=[_stable_id(c[0]) for c in INVALID])
def test_invalid_filters(flt: Any, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        parse(flt)


def test_deep_nesting_is_rejected() -> None:
    flt: dict[str, Any] = {"a": 1}
    for _ in range(150):
        flt = {"$and": [flt]}
    with pytest.raises(InvalidArgumentError, match="levels deep"):
        parse(flt)
    value: Any = 1
    for _ in range(150):
        value = [value]
    with pytest.raises(InvalidArgumentError, match="levels deep"):
        parse({"a": value})


def test_compiler_rejects_bad_column() -> None:
    for bad in ("", "a\x00b", "\ud800", 5):
        with pytest.raises(InvalidArgumentError, match="column"):
            SQLiteJSONCompiler(bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the AST and API


def test_parse_builds_a_small_immutable_ast() -> None:
    assert parse(None) is TRUE
    assert parse({}) is TRUE
    assert parse({"$and": [{}], "$or": [{}, {"a": 1}]}) is TRUE
    assert parse({"a.b": 1}) == Compare(("a", "b"), "$eq", 1)
    assert parse({"a": {"$gt": 1, "$lt": 3}}) == And(
        (Compare(("a",), "$gt", 1), Compare(("a",), "$lt", 3))
    )
    assert parse({"$or": [{"a": 1}, {"b": [1, [2]]}]}) == Or(
        (Compare(("a",), "$eq", 1), Compare(("b",), "$eq", (1, (2,))))
    )
    assert parse({"a": {"$in": [1, 2]}}) == Compare(("a",), "$in", (1, 2))
    parsed = parse({"a": 1})
    assert parse(parsed) is parsed
    assert isinstance(parsed, Compare)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.op = "$ne"  # type: ignore[misc]
    assert isinstance(TRUE, MatchAll)
    assert {"$eq", "$ne", "$in", "$nin", "$exists", "$gt", "$gte", "$lt", "$lte"} == OPERATORS


def test_operands_are_copied() -> None:
    operand: dict[str, Any] = {"x": [1]}
    parsed = parse({"a": operand})
    operand["x"].append(2)
    operand["y"] = 1
    assert parsed.matches({"a": {"x": [1]}})


def test_field_paths() -> None:
    flt = {"a.b": 1, "$or": [{"c": {"$gt": 1, "$lt": 2}}, {"$and": [{"d": None}]}]}
    assert field_paths(flt) == {("a", "b"), ("c",), ("d",)}
    assert field_paths(parse(flt)) == field_paths(flt)
    assert field_paths(None) == set()


def test_custom_compiler() -> None:
    class Printer(FilterCompiler[str]):
        def visit_and(self, node: And) -> str:
            return "(" + " & ".join(map(self.compile, node.children)) + ")"

        def visit_or(self, node: Or) -> str:
            return "(" + " | ".join(map(self.compile, node.children)) + ")"

        def visit_compare(self, node: Compare) -> str:
            return f"{'.'.join(node.path)} {node.op} {node.value!r}"

        def visit_true(self, node: MatchAll) -> str:
            return "true"

    printer = Printer()
    assert printer.compile(parse({"a": 1, "$or": [{"b": 2}, {"c": 3}]})) == (
        "(a $eq 1 & (b $eq 2 | c $eq 3))"
    )
    assert printer.compile(TRUE) == "true"
    with pytest.raises(TypeError):
        printer.compile("a")  # type: ignore[arg-type]


def test_sql_uses_parameters_and_quotes_names() -> None:
    where = SQLiteJSONCompiler('x"; DROP').compile(
        parse({"it's": "'; DROP TABLE docs; --", 'a"b': {"$gt": 7}, "k": {"$in": ["v"]}})
    )
    assert '"x""; DROP"' in where.sql
    assert """'$."it''s"'""" in where.sql
    assert "DROP TABLE" not in where.sql
    assert "'v'" not in where.sql
    assert where.params.count("'; DROP TABLE docs; --") == 1
    assert 'a"b' in where.params
    assert 7 in where.params
    assert SQLiteJSONCompiler("c").compile(TRUE).sql == "1"


def test_sql_plain_path_is_index_friendly() -> None:
    where = SQLiteJSONCompiler("body").compile(parse({"a.b": 3}))
    assert """json_extract("body", '$."a"."b"') = ?""" in where.sql
    assert where.params == (3,)


# --------------------------------------------------------------------------- reference model

MISSING = object()


def reference_get(doc: Any, path: list[str]) -> Any:
    if not path:
        return doc
    if not isinstance(doc, dict) or path[0] not in doc:
        return MISSING
    return reference_get(doc[path[0]], path[1:])


def canonical(value: Any) -> Any:
    """A form in which Python ``==`` is exactly JSON equality."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", Fraction(value))
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, dict):
        return ("object", frozenset((k, canonical(v)) for k, v in value.items()))
    return ("array", tuple(canonical(v) for v in value))


def reference_op(op: str, arg: Any, value: Any) -> bool:
    if op == "$eq":
        if arg is None:
            return value is None or value is MISSING
        return value is not MISSING and canonical(value) == canonical(arg)
    if op == "$ne":
        return not reference_op("$eq", arg, value)
    if op == "$in":
        return any(reference_op("$eq", a, value) for a in arg)
    if op == "$nin":
        return not reference_op("$in", arg, value)
    if op == "$exists":
        return (value is not MISSING) is arg
    left: Any
    right: Any
    if isinstance(arg, str):
        if not isinstance(value, str):
            return False
        left, right = [ord(c) for c in value], [ord(c) for c in arg]
    else:
        if value is MISSING or canonical(value)[0] != "number":
            return False
        left, right = Fraction(value), Fraction(arg)
    results: dict[str, bool] = {
        "$gt": left > right,
        "$gte": left >= right,
        "$lt": left < right,
        "$lte": left <= right,
    }
    return results[op]


def reference_matches(flt: dict[str, Any], doc: dict[str, Any]) -> bool:
    for key, cond in flt.items():
        if key == "$and":
            ok = all(reference_matches(f, doc) for f in cond)
        elif key == "$or":
            ok = any(reference_matches(f, doc) for f in cond)
        else:
            value = reference_get(doc, key.split("."))
            if isinstance(cond, dict) and cond and all(k.startswith("$") for k in cond):
                ok = all(reference_op(op, arg, value) for op, arg in cond.items())
            else:
                ok = reference_op("$eq", cond, value)
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------- strategies

PATH_KEYS = ["a", "b", "é", 'q"t', "it's", "x\\y", "$d", "0"]
DOC_KEYS = st.sampled_from([*PATH_KEYS, "", "a.b"])
TEXT = st.sampled_from(["", "a", "ab", "B", "é", "a\n"]) | st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), max_size=3
)
NUMBERS = (
    st.sampled_from([-1, 0, 1, 2, -0.0, 1.0, 2.5, 2**53, 2**53 + 1, float(2**53)])
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
VALUES = SCALARS | st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(DOC_KEYS, inner, max_size=3),
    max_leaves=5,
)
DOCS = st.dictionaries(DOC_KEYS, VALUES, min_size=2, max_size=6)
PATHS = (
    st.lists(st.sampled_from(PATH_KEYS), min_size=1, max_size=2)
    .map(".".join)
    .filter(lambda p: not p.startswith("$"))
)
PLAIN = VALUES.filter(lambda v: not (isinstance(v, dict) and any(k.startswith("$") for k in v)))
OPERATOR = (
    st.tuples(st.sampled_from(["$eq", "$ne"]), VALUES)
    | st.tuples(st.sampled_from(["$in", "$nin"]), st.lists(VALUES, max_size=3))
    | st.tuples(st.just("$exists"), st.booleans())
    | st.tuples(st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), NUMBERS | TEXT)
)
CONDITIONS = PLAIN | st.lists(OPERATOR, min_size=1, max_size=2).map(dict)
FIELDS = st.dictionaries(PATHS, CONDITIONS, min_size=1, max_size=2)
FILTERS = st.recursive(
    FIELDS,
    lambda inner: st.builds(
        lambda fields, op, children: {**fields, op: children},
        FIELDS,
        st.sampled_from(["$and", "$or"]),
        st.lists(inner, min_size=1, max_size=3),
    ),
    max_leaves=6,
)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(FILTERS, st.lists(DOCS, min_size=1, max_size=6))
def test_matches_agrees_with_reference(flt: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    parsed = parse(flt)
    for doc in docs:
        assert parsed.matches(doc) is reference_matches(flt, doc)


@PROPERTY
@given(FILTERS, st.lists(DOCS, min_size=1, max_size=6))
def test_sqlite_agrees_with_matches(flt: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    parsed = parse(flt)
    db = sqlite3.connect(":memory:")
    try:
        db.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, "bo""dy" TEXT)')
        expected = {i for i, doc in enumerate(docs) if parsed.matches(doc)}
        assert sql_matching(db, parsed, docs) == expected
    finally:
        db.close()


@PROPERTY
@given(OPERATOR, st.lists(VALUES, max_size=6))
def test_each_operator_agrees(op_arg: tuple[str, Any], values: list[Any]) -> None:
    """One operator against many values, the operand (or its elements) among them."""
    op, arg = op_arg
    flt = {"v": {op: arg}}
    values += arg if op in ("$in", "$nin") else [arg]
    docs = [{}, *({"v": v} for v in values)]
    parsed = parse(flt)
    expected = {i for i, doc in enumerate(docs) if reference_matches(flt, doc)}
    assert {i for i, doc in enumerate(docs) if parsed.matches(doc)} == expected
    db = sqlite3.connect(":memory:")
    try:
        db.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY, "bo""dy" TEXT)')
        assert sql_matching(db, parsed, docs) == expected
    finally:
        db.close()


# --------------------------------------------------------------------------- names and limits

from prism import _sql
from prism.filters import MAX_CONDITIONS, MAX_DEPTH

HOSTILE = [
    "o'clock",
    "''",
    'a"b',
    "back\\slash",
    "$.a",
    '$."a"',
    "[0]",
    "*%_?",
    "'); DROP TABLE docs; --",
    "ünï😀",
    " ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_sql_helpers_round_trip_through_sqlite(text: str) -> None:
    db = sqlite3.connect(":memory:")
    try:
        assert db.execute(f"SELECT {_sql.quote_literal(text)}").fetchone() == (text,)
        cursor = db.execute(f"SELECT 1 AS {_sql.quote_identifier(text)}")
        assert cursor.description[0][0] == text
        db.execute(f"CREATE TABLE {_sql.quote_identifier(text)} (x)")
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [(text,)]
        if _sql.PLAIN_JSON_KEY.fullmatch(text):
            literal = _sql.sqlite_json_path_literal([text, 0])
            doc = json.dumps({text: ["hit"], "other": ["miss"]})
            assert db.execute(f"SELECT json_extract(?, {literal})", (doc,)).fetchone() == ("hit",)
        else:
            with pytest.raises(ValueError, match="json_each"):
                _sql.sqlite_json_path([text])
    finally:
        db.close()


def test_sql_helpers_refuse_what_sql_text_cannot_carry() -> None:
    for bad in ("a\x00b", "\ud800"):
        with pytest.raises(ValueError, match="SQL text"):
            _sql.quote_literal(bad)
        with pytest.raises(ValueError, match="SQL text"):
            _sql.quote_identifier(bad)
    with pytest.raises(ValueError, match="empty"):
        _sql.quote_identifier("")
    with pytest.raises(TypeError):
        _sql.quote_literal(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        _sql.sqlite_json_path(["a", -1])
    assert _sql.sqlite_json_path([]) == "$"
    assert _sql.sqlite_json_path_literal(["o'clock", 2]) == "'$.\"o''clock\"[2]'"


def test_the_compiler_quotes_every_hostile_key(conn: sqlite3.Connection) -> None:
    keys = [k for k in HOSTILE if not k.startswith("$")] + ["x$[0]", 'x$"a"']
    docs = [{k: i, "n": {k: [i]}} for i, k in enumerate(keys)]
    for i, key in enumerate(keys):
        assert sql_matching(conn, parse({key: i}), docs) == {i}
        assert sql_matching(conn, parse({f"n.{key}": {"$in": [[i], 5]}}), docs) == {i}


def _nested(levels: int) -> dict[str, Any]:
    flt: dict[str, Any] = {"k": {"$gte": 0}}
    for i in range(levels):
        flt = {"$and" if i % 2 else "$or": [flt, {"k": -1 - i}]}
    return flt


def _deep(levels: int, leaf: Any = 1) -> Any:
    for _ in range(levels):
        leaf = {"x": leaf}
    return leaf


def test_limits_are_exact() -> None:
    parse(_nested(MAX_DEPTH))
    with pytest.raises(InvalidArgumentError, match=f"more than {MAX_DEPTH} levels"):
        parse(_nested(MAX_DEPTH + 1))
    parse({"a": _deep(MAX_DEPTH - 1)})  # as deep as a document's field value may be
    parse({"a": {"$in": [_deep(MAX_DEPTH - 1)]}})
    for too_deep in ({"a": _deep(MAX_DEPTH)}, {"a": {"$nin": [_deep(MAX_DEPTH)]}}):
        with pytest.raises(InvalidArgumentError, match="levels deep"):
            parse(too_deep)
    parse({"a": {"$in": list(range(MAX_CONDITIONS))}})
    parse({"$or": [{"a": i} for i in range(MAX_CONDITIONS)]})
    for too_many in (
        {"a": {"$in": list(range(MAX_CONDITIONS + 1))}},
        {"a": {"$in": list(range(MAX_CONDITIONS))}, "b": 1},
        {"$or": [{"a": i} for i in range(MAX_CONDITIONS)] + [{"b": {"$nin": []}}]},
    ):
        with pytest.raises(InvalidArgumentError, match=f"more than {MAX_CONDITIONS} conditions"):
            parse(too_many)


def test_nested_and_in_and_is_flattened() -> None:
    flt: dict[str, Any] = {"a": 0}
    for i in range(1, 90):
        flt = {"$and": [flt, {"a": {"$ne": i}}]}
    parsed = parse(flt)
    assert isinstance(parsed, And)
    assert len(parsed.children) == 90
    assert all(isinstance(c, Compare) for c in parsed.children)
    assert parse({"$or": [{"$or": [{"a": 1}, {"b": 2}]}, {"c": 3}]}) == Or(
        (Compare(("a",), "$eq", 1), Compare(("b",), "$eq", 2), Compare(("c",), "$eq", 3))
    )


def test_in_lists_bind_one_array_per_kind() -> None:
    where = SQLiteJSONCompiler("body").compile(
        parse({"a": {"$in": [*range(500), *map(str, range(500)), None, True, [1]]}})
    )
    assert "json_each" in where.sql
    assert len(where.params) < 10


def _split_matches(
    db: sqlite3.Connection, flt: dict[str, Any], docs: list[dict[str, Any]]
) -> set[int]:
    """What ``split`` selects in SQL, then narrowed by its rest, against SQLite's real limits."""

    def fits(fragment: Any) -> bool:
        try:
            db.execute(f"SELECT 1 FROM docs WHERE 0 AND ({fragment.sql})", fragment.params)
        except sqlite3.OperationalError:
            return False
        return True

    db.execute("DELETE FROM docs")
    for i, doc in enumerate(docs):
        db.execute("INSERT INTO docs VALUES (?, ?)", (i, json.dumps(doc)))
    parsed = parse(flt)
    where, rest = SQLiteJSONCompiler('bo"dy').split(parsed, fits)
    rows = db.execute(f'SELECT id, "bo""dy" FROM docs WHERE {where.sql}', where.params)
    return {i for i, body in rows if rest.matches(json.loads(body))}


@pytest.mark.parametrize(
    "flt",
    [
        pytest.param({"k": {"$in": list(range(-5, 2000))}}, id="in-2000"),
        pytest.param({"k": {"$nin": [{"o": i} for i in range(3000)]}}, id="nin-objects"),
        pytest.param(_nested(MAX_DEPTH), id="nested-100"),
        pytest.param({"k": {"$gte": -2}, **_nested(MAX_DEPTH)}, id="nested-and-plain"),
        pytest.param({"d": _deep(MAX_DEPTH - 1)}, id="deep-operand"),
        pytest.param({"d": {"$ne": _deep(MAX_DEPTH - 1)}, "k": {"$lt": 1}}, id="deep-ne"),
        pytest.param({"$or": [{"k": i, "s": str(i)} for i in range(5000)]}, id="wide-or"),
    ],
)
def test_split_runs_everything_validation_accepts(
    flt: dict[str, Any], conn: sqlite3.Connection
) -> None:
    docs = [{"k": k, "s": str(k), "d": _deep(MAX_DEPTH - 1, k % 2)} for k in range(-4, 4)]
    docs.append({"o": 1})
    parsed = parse(flt)
    expected = {i for i, doc in enumerate(docs) if parsed.matches(doc)}
    assert _split_matches(conn, flt, docs) == expected


def test_split_pushes_down_what_fits() -> None:
    compiler = SQLiteJSONCompiler("body")
    deep = parse(_nested(40))
    plain = parse({"k": 1})
    where, rest = compiler.split(And((plain, deep)))
    assert where == compiler.compile(plain)
    assert rest == deep
    where, rest = compiler.split(plain)
    assert (where, rest) == (compiler.compile(plain), TRUE)
    where, rest = compiler.split(deep, lambda fragment: False)
    assert (where.sql, rest) == ("1", deep)


def test_nesting_ignores_parentheses_in_quotes() -> None:
    from prism.filters import _nesting

    assert _nesting("""f('((', "a(""(") AND ((x))""") == 2
    assert _nesting("""'it''s (' || ("(")""") == 1


@PROPERTY
@given(FILTERS, st.lists(DOCS, min_size=1, max_size=6), st.integers(0, 6))
def test_split_agrees_with_matches_at_any_budget(
    flt: dict[str, Any], docs: list[dict[str, Any]], budget: int
) -> None:
    """Whatever SQLite can take (here: a random nesting budget), SQL plus the rest is exact."""
    from prism.filters import _nesting

    parsed = parse(flt)
    where, rest = SQLiteJSONCompiler("body").split(parsed, lambda f: _nesting(f.sql) <= budget)
    assert _nesting(where.sql) <= max(budget, 1) or where.sql == "1"
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT)")
        for i, doc in enumerate(docs):
            db.execute("INSERT INTO docs VALUES (?, ?)", (i, json.dumps(doc)))
        rows = db.execute(f"SELECT id, body FROM docs WHERE {where.sql}", where.params)
        got = {i for i, body in rows if rest.matches(json.loads(body))}
    finally:
        db.close()
    assert got == {i for i, doc in enumerate(docs) if parsed.matches(doc)}
