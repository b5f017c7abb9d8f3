"""A small, documented subset of Gremlin, evaluated in Python: memstore's graph_query language.

It is the reference for the ``gremlin`` language of ``graph_query`` on backends without a
Gremlin engine.  A query is one traversal from ``g``, written as in Gremlin's Groovy or Python
flavours (``'text'`` or ``"text"``, ``in``/``in_``, ``hasLabel``/``has_label``), whose arguments
are literals (strings, numbers, true/false/null as ``True``/``False``/``None``, lists) or the
names of bound parameters, never spliced into the text.

Steps: ``V(ids...)``, ``E(ids...)``; filters ``hasLabel(labels...)``, ``hasId(ids...)``,
``has(key)``, ``has(key, value)``, ``has(label, key, value)``, ``hasNot(key)``; moves
``out``/``in``/``both(labels...)``, ``outE``/``inE``/``bothE(labels...)``,
``outV``/``inV``/``bothV()``; maps ``id()``, ``label()``, ``values(keys...)``, ``elementMap()``;
``dedup()``, ``limit(n)``, ``count()``, ``order()``.  Start steps go in id order, moves in
(neighbour id, edge id) order; ``order()`` sorts the values.  A vertex or edge in the result is
its id.  Anything else is an ``InvalidArgumentError`` naming what is supported.
"""

from __future__ import annotations

import ast
import copy
import io
import keyword
import tokenize
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from prism.errors import InvalidArgumentError
from prism.types import Edge, Node

__all__ = ["STEPS", "GraphView", "run"]


class GraphView(Protocol):
    """What the interpreter reads (memstore's ``GraphState`` is one)."""

    @property
    def nodes(self) -> Mapping[str, Node]: ...
    @property
    def edges(self) -> Mapping[str, Edge]: ...
    @property
    def out(self) -> Mapping[str, set[str]]: ...
    @property
    def into(self) -> Mapping[str, set[str]]: ...


STEPS = (
    "V", "E", "hasLabel", "hasId", "has", "hasNot", "out", "in", "both", "outE", "inE", "bothE",
    "outV", "inV", "bothV", "id", "label", "values", "elementMap", "dedup", "limit", "count",
    "order",
)  # fmt: skip


def _bad(text: str) -> InvalidArgumentError:
    return InvalidArgumentError(text)


def _camel(name: str) -> str:
    name = name.rstrip("_")
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _python(text: str) -> str:
    """Gremlin text as a Python expression: a keyword used as a step (``.in(``) gets ``_``."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise _bad(f"malformed Gremlin query: {exc}") from exc
    out = []
    previous = ""
    for tok in tokens:
        string = tok.string
        if tok.type == tokenize.NAME and previous == "." and keyword.iskeyword(string):
            string += "_"
        if tok.type == tokenize.NAME and string in ("true", "false", "null"):
            string = {"true": "True", "false": "False", "null": "None"}[string]
        out.append((tok.type, string))
        previous = tok.string
    return tokenize.untokenize(out)


def _value(node: ast.expr, params: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool | None):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in params:
            msg = f"the Gremlin query uses {node.id!r}, which is not among the params"
            raise _bad(msg)
        return params[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        return [_value(e, params) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _value(node.operand, params)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value
    msg = "Gremlin step arguments must be literals or parameter names"
    raise _bad(msg)


def _steps(text: str, params: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    try:
        tree = ast.parse(_python(text).strip(), mode="eval")
    except SyntaxError as exc:
        raise _bad(f"malformed Gremlin query: {exc.msg}") from exc
    steps: list[tuple[str, list[Any]]] = []
    node = tree.body
    while isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Attribute) or node.keywords:
            raise _bad("a Gremlin query is a chain of steps from g, like g.V().out('knows')")
        steps.append((_camel(node.func.attr), [_value(a, params) for a in node.args]))
        node = node.func.value
    if not (isinstance(node, ast.Name) and node.id == "g") or not steps:
        raise _bad("a Gremlin query starts from the traversal source g, like g.V()")
    steps.reverse()
    if steps[0][0] not in ("V", "E"):
        raise _bad("a Gremlin query starts with g.V(...) or g.E(...)")
    return steps


def _flat(args: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for arg in args:
        flat.extend(arg if isinstance(arg, list) else [arg])
    return flat


def _same(a: Any, b: Any) -> bool:
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _props(item: Any) -> Mapping[str, Any]:
    if isinstance(item, Node | Edge):
        return item.properties
    raise _bad("has(), values() and elementMap() apply to vertices and edges")


def run(graph: GraphView, text: str, params: Mapping[str, Any]) -> list[Any]:
    """Evaluate ``text`` on ``graph`` (hold the store's lock): results as plain values."""
    items: list[Any] = []
    for i, (name, args) in enumerate(_steps(text, params)):
        if name not in STEPS or (name in ("V", "E") and i > 0):
            msg = f"the Gremlin step {name}() is not supported here; supported: {', '.join(STEPS)}"
            raise _bad(msg)
        items = _STEP[name](graph, items, args)
    return [x.id if isinstance(x, Node | Edge) else copy.deepcopy(x) for x in items]


def _start(table: Callable[[GraphView], Mapping[str, Any]]) -> Any:
    def step(graph: GraphView, _: list[Any], args: list[Any]) -> list[Any]:
        found = table(graph)
        ids = _flat(args)
        if not ids:
            return [found[k] for k in sorted(found)]
        return [found[k] for k in ids if isinstance(k, str) and k in found]

    return step


def _move(direction: str, to: str) -> Any:
    def step(graph: GraphView, items: list[Any], args: list[Any]) -> list[Any]:
        labels = set(_flat(args))
        out: list[Any] = []
        for item in items:
            if not isinstance(item, Node):
                raise _bad("out(), in(), both() and their E() forms apply to vertices")
            found: list[tuple[str, Edge]] = []
            if direction in ("out", "both"):
                found += [(e.target, e) for e in map(graph.edges.__getitem__, graph.out[item.id])]
            if direction in ("in", "both"):
                found += [(e.source, e) for e in map(graph.edges.__getitem__, graph.into[item.id])]
            found.sort(key=lambda pair: (pair[0], pair[1].id))
            for other, edge in found:
                if not labels or edge.label in labels:
                    out.append(graph.nodes[other] if to == "vertex" else edge)
        return out

    return step


def _ends(which: str) -> Any:
    def step(graph: GraphView, items: list[Any], args: list[Any]) -> list[Any]:
        if args:
            raise _bad(f"{which}() takes no arguments")
        out: list[Any] = []
        for item in items:
            if not isinstance(item, Edge):
                raise _bad("outV(), inV() and bothV() apply to edges")
            if which in ("outV", "bothV"):
                out.append(graph.nodes[item.source])
            if which in ("inV", "bothV"):
                out.append(graph.nodes[item.target])
        return out

    return step


def _has(_graph: GraphView, items: list[Any], args: list[Any]) -> list[Any]:
    if len(args) == 3:
        label, key, value = args
        items = [x for x in items if getattr(x, "label", None) == label]
        args = [key, value]
    if len(args) == 1:
        return [x for x in items if args[0] in _props(x)]
    if len(args) == 2:
        key, value = args
        return [x for x in items if key in _props(x) and _same(_props(x)[key], value)]
    raise _bad("has() takes (key), (key, value) or (label, key, value)")


def _values(_graph: GraphView, items: list[Any], args: list[Any]) -> list[Any]:
    keys = _flat(args)
    out: list[Any] = []
    for item in items:
        props = _props(item)
        out.extend(props[k] for k in (keys or sorted(props)) if k in props)
    return out


def _element_map(_graph: GraphView, items: list[Any], _args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        row = {"id": item.id, "label": item.label, **_props(item)}
        if isinstance(item, Edge):
            row.update(OUT=item.source, IN=item.target)
        out.append(row)
    return out


def _limit(_graph: GraphView, items: list[Any], args: list[Any]) -> list[Any]:
    if len(args) != 1 or isinstance(args[0], bool) or not isinstance(args[0], int):
        raise _bad("limit() takes one integer")
    return items[: max(args[0], 0)]


def _dedup(_graph: GraphView, items: list[Any], _args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if not any(_same(item, seen) for seen in out):
            out.append(item)
    return out


def _order(_graph: GraphView, items: list[Any], _args: list[Any]) -> list[Any]:
    try:
        return sorted(items, key=lambda x: x.id if isinstance(x, Node | Edge) else x)
    except TypeError as exc:
        raise _bad("order() needs values of one comparable type") from exc


_STEP: dict[str, Callable[[GraphView, list[Any], list[Any]], list[Any]]] = {
    "V": _start(lambda g: g.nodes),
    "E": _start(lambda g: g.edges),
    "hasLabel": lambda _, items, a: [x for x in items if x.label in set(_flat(a))],
    "hasId": lambda _, items, a: [x for x in items if x.id in set(_flat(a))],
    "has": _has,
    "hasNot": lambda _, items, a: [x for x in items if not set(_flat(a)) & set(_props(x))],
    "out": _move("out", "vertex"),
    "in": _move("in", "vertex"),
    "both": _move("both", "vertex"),
    "outE": _move("out", "edge"),
    "inE": _move("in", "edge"),
    "bothE": _move("both", "edge"),
    "outV": _ends("outV"),
    "inV": _ends("inV"),
    "bothV": _ends("bothV"),
    "id": lambda _g, items, _a: [x.id for x in items],
    "label": lambda _g, items, _a: [x.label for x in items],
    "values": _values,
    "elementMap": _element_map,
    "dedup": _dedup,
    "limit": _limit,
    "count": lambda _g, items, _a: [len(items)],
    "order": _order,
}
