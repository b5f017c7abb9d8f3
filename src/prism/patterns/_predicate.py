"""A parsed filter compiled to nested closures, for documents that come from ``json.loads``.

:meth:`prism.filters.Filter.matches` walks the filter tree and dispatches on operand types for
every document.  The multicast registry evaluates one filter against every registration, so it
compiles the tree once: each comparison with a scalar operand becomes one closure specialised on
its operand's type, and a field path of one segment is read with a single ``dict.get``.

The closures assume documents built by ``json.loads`` (values of exactly the types ``dict``,
``list``, ``str``, ``int``, ``float``, ``bool`` and ``None``), and agree with
:meth:`~prism.filters.Filter.matches` on every such document.  Comparisons with an array or
object operand are left to :meth:`~prism.filters.Compare.matches` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prism.filters import And, Compare, Filter, MatchAll, Or

__all__ = ["Predicate", "compile_filter"]

Predicate = Callable[[dict[str, Any]], bool]

_MISSING: Any = object()
_NUMBERS = frozenset({int, float})


def _always(_doc: dict[str, Any]) -> bool:
    return True


def compile_filter(node: Filter) -> Predicate:
    """The predicate of the parsed filter ``node``."""
    if isinstance(node, MatchAll):
        return _always
    if isinstance(node, And):
        return _all([compile_filter(child) for child in node.children])
    if isinstance(node, Or):
        return _any([compile_filter(child) for child in node.children])
    assert isinstance(node, Compare)
    return _compare(node)


def _all(parts: list[Predicate]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda doc: first(doc) and second(doc)

    def every(doc: dict[str, Any]) -> bool:
        return all(part(doc) for part in parts)

    return every


def _any(parts: list[Predicate]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda doc: first(doc) or second(doc)

    def some(doc: dict[str, Any]) -> bool:
        return any(part(doc) for part in parts)

    return some


def _getter(path: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    """Reads the value at ``path`` (``_MISSING`` when absent or behind a non-object)."""
    if len(path) == 1:
        (segment,) = path
        return lambda doc: doc.get(segment, _MISSING)

    def walk(doc: dict[str, Any]) -> Any:
        value: Any = doc
        for segment in path:
            if type(value) is not dict:
                return _MISSING
            value = value.get(segment, _MISSING)
        return value

    return walk


def _scalar(value: object) -> bool:
    return value is None or type(value) in (bool, int, float, str)


def _equals(value: Any) -> Callable[[Any], bool]:
    """``$eq value`` on a read value, for a scalar operand."""
    if value is None:
        return lambda x: x is None or x is _MISSING
    if type(value) is bool:
        return lambda x: x is value
    if type(value) is str:
        return lambda x: type(x) is str and x == value
    return lambda x: type(x) in _NUMBERS and x == value


def _compare(node: Compare) -> Predicate:
    op, operand, read = node.op, node.value, _getter(node.path)
    if op == "$exists":
        want = bool(operand)
        return lambda doc: (read(doc) is not _MISSING) is want
    if op in ("$eq", "$ne") and _scalar(operand):
        test = _equals(operand)
        if op == "$eq":
            if len(node.path) == 1 and type(operand) is str:
                key = node.path[0]
                return lambda doc: doc.get(key) == operand and type(doc[key]) is str
            return lambda doc: test(read(doc))
        return lambda doc: not test(read(doc))
    if op in ("$in", "$nin") and all(_scalar(x) for x in operand):
        tests = [_equals(x) for x in operand]
        strings = frozenset(x for x in operand if type(x) is str)
        if len(strings) == len(operand):  # the common case: a list of strings

            def within(doc: dict[str, Any]) -> bool:
                x = read(doc)
                return type(x) is str and x in strings

        else:

            def within(doc: dict[str, Any]) -> bool:
                x = read(doc)
                return any(test(x) for test in tests)

        if op == "$in":
            return within
        return lambda doc: not within(doc)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        kinds = frozenset({str}) if type(operand) is str else _NUMBERS
        if op == "$gt":
            return lambda doc: type(x := read(doc)) in kinds and x > operand
        if op == "$gte":
            return lambda doc: type(x := read(doc)) in kinds and x >= operand
        if op == "$lt":
            return lambda doc: type(x := read(doc)) in kinds and x < operand
        return lambda doc: type(x := read(doc)) in kinds and x <= operand
    return node.matches  # array or object operands: the reference evaluator
