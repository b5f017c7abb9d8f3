"""Reference semantics of the document model, shared by every backend: JSON copies, RFC 7386
merge patch, dotted paths, the cross-type sort order, projection and aggregate metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prism import _validate as v
from prism.errors import InvalidArgumentError

MISSING: Any = object()
"""The value at a path that does not exist."""


def copy_json(value: Any) -> Any:
    """A private copy of a (validated) JSON value: mappings become dicts, tuples lists."""
    if isinstance(value, Mapping):
        return {k: copy_json(x) for k, x in value.items()}
    if isinstance(value, list | tuple):
        return [copy_json(x) for x in value]
    return value


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``None`` deletes a member, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy_json(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def split_path(path: object, what: str = "field path") -> tuple[str, ...]:
    """A dotted field path as its segments; ``InvalidArgumentError`` when malformed."""
    v.name(path, what)
    segments = tuple(str(path).split("."))
    if "" in segments:
        msg = f"{what} {path!r} has an empty segment; use non-empty names joined by '.'"
        raise InvalidArgumentError(msg)
    return segments


def get_path(document: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path``, or :data:`MISSING` (paths go through objects only)."""
    for segment in path:
        if not isinstance(document, Mapping):
            return MISSING
        document = document.get(segment, MISSING)
    return document


def sort_key(value: Any) -> tuple[Any, ...]:
    """The total order of JSON values: missing < null < numbers < strings < objects < arrays <
    booleans; numbers by value, strings by code point, objects by their members in key order
    (key, then value), arrays element by element, false < true."""
    if value is MISSING:
        return (0,)
    if value is None:
        return (1,)
    if isinstance(value, bool):
        return (6, value)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    if isinstance(value, Mapping):
        return (4, tuple((k, sort_key(value[k])) for k in sorted(value)))
    return (5, tuple(sort_key(x) for x in value))


def hash_key(value: Any) -> Any:
    """A hashable key equal for JSON-equal values (``1 == 1.0``, ``True != 1``)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, Mapping):
        return ("object", frozenset((k, hash_key(x)) for k, x in value.items()))
    if isinstance(value, list | tuple):
        return ("array", tuple(hash_key(x) for x in value))
    if value is MISSING:
        return ("missing",)
    return (type(value).__name__, value)


def parse_sort(sort: object) -> list[tuple[tuple[str, ...], bool]]:
    """Validate ``[(field, 1 | -1), ...]``; return ``(path, descending)`` pairs."""
    if isinstance(sort, str | bytes | Mapping) or not isinstance(sort, Sequence):
        msg = f"sort must be a sequence of (field, 1 or -1) pairs, got {sort!r}"
        raise InvalidArgumentError(msg)
    out = []
    for item in sort:
        if not (
            isinstance(item, tuple | list)
            and len(item) == 2
            and item[1] in (1, -1)
            and not isinstance(item[1], bool)
        ):
            msg = f"sort entries are (field, 1) or (field, -1), got {item!r}"
            raise InvalidArgumentError(msg)
        out.append((split_path(item[0], "sort field"), item[1] == -1))
    return out


def sort_documents(
    docs: list[dict[str, Any]], sort: Sequence[tuple[tuple[str, ...], bool]]
) -> None:
    """Sort ``docs`` in place by the parsed sort keys (first key most significant)."""
    for path, descending in reversed(sort):

        def key(doc: dict[str, Any], path: tuple[str, ...] = path) -> tuple[Any, ...]:
            return sort_key(get_path(doc, path))

        docs.sort(key=key, reverse=descending)


def parse_projection(projection: object) -> list[tuple[str, ...]]:
    if isinstance(projection, str | bytes) or not isinstance(projection, Sequence):
        msg = f"projection must be a sequence of field paths, got {projection!r}"
        raise InvalidArgumentError(msg)
    return [split_path(p, "projection field") for p in projection]


def project(document: dict[str, Any], paths: Sequence[tuple[str, ...]]) -> dict[str, Any]:
    """Only ``_id`` and the fields at ``paths`` (nested objects kept as far as needed)."""
    out: dict[str, Any] = {"_id": document["_id"]}
    for path in paths:
        value = get_path(document, path)
        if value is MISSING:
            continue
        at = out
        for segment in path[:-1]:
            at = at.setdefault(segment, {})
        at[path[-1]] = value
    return out


METRICS = ("count", "sum", "avg", "min", "max")


def parse_metrics(
    metrics: object, group_by: Sequence[str]
) -> list[tuple[str, str, tuple[str, ...] | None]]:
    """Validate ``{name: (fn, field)}``; return ``(name, fn, path)`` triples."""
    if not isinstance(metrics, Mapping):
        msg = f"metrics must map output names to (fn, field) pairs, got {metrics!r}"
        raise InvalidArgumentError(msg)
    out: list[tuple[str, str, tuple[str, ...] | None]] = []
    for name, spec in metrics.items():
        v.name(name, "metric name")
        if name in group_by or name == "_id":
            msg = f"metric name {name!r} collides with a group field"
            raise InvalidArgumentError(msg)
        if not (isinstance(spec, tuple | list) and len(spec) == 2 and spec[0] in METRICS):
            msg = (
                f"metric {name!r} must be (fn, field) with fn one of {', '.join(METRICS)},"
                f" got {spec!r}"
            )
            raise InvalidArgumentError(msg)
        fn, path = spec
        if fn == "count":
            if path is not None:
                msg = f"metric {name!r}: count takes no field (use ('count', None))"
                raise InvalidArgumentError(msg)
            out.append((name, fn, None))
        else:
            out.append((name, fn, split_path(path, f"field of metric {name!r}")))
    return out


def compute_metric(fn: str, docs: Sequence[Mapping[str, Any]], path: tuple[str, ...] | None) -> Any:
    """``count`` of documents, or ``sum`` / ``avg`` / ``min`` / ``max`` over the numeric
    (non-bool) values at ``path``; with no numeric value sum is 0 and the others None."""
    if fn == "count" or path is None:
        return len(docs)
    values = [
        x
        for x in (get_path(d, path) for d in docs)
        if isinstance(x, int | float) and not isinstance(x, bool)
    ]
    if fn == "sum":
        return sum(values)
    if not values:
        return None
    if fn == "avg":
        return sum(values) / len(values)
    return min(values) if fn == "min" else max(values)


def group(
    documents: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    paths: Sequence[tuple[str, ...]],
    metrics: Sequence[tuple[str, str, tuple[str, ...] | None]],
) -> list[dict[str, Any]]:
    """``aggregate``'s reference semantics: group ``documents`` by the values at ``paths`` (a
    missing field counts as None), compute ``metrics`` (from :func:`parse_metrics`) per group,
    and return one row per group in the sort order of its values.  The group values are copies,
    so a row never shares structure with a stored document."""
    groups: dict[Any, tuple[list[Any], list[Mapping[str, Any]]]] = {}
    for doc in documents:
        values = [get_path(doc, p) for p in paths]
        values = [None if x is MISSING else x for x in values]
        key = tuple(hash_key(x) for x in values)
        groups.setdefault(key, (values, []))[1].append(doc)
    ordered = sorted(groups.values(), key=lambda g: [sort_key(x) for x in g[0]])
    return [
        {
            **dict(zip(fields, copy_json(values), strict=True)),
            **{name: compute_metric(fn, members, path) for name, fn, path in metrics},
        }
        for values, members in ordered
    ]


def id_of(document: Mapping[str, Any], id: str | None) -> str | None:
    """The id given explicitly or inside ``document`` (they must agree), or None."""
    inner: object = document.get("_id")
    if inner is None:
        return id
    doc_id = v.name(inner, "document _id")
    if id is not None and doc_id != id:
        msg = f"the document's _id {doc_id!r} differs from the id {id!r}"
        raise InvalidArgumentError(msg)
    return doc_id
