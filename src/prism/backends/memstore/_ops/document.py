"""memstore document state.  The document semantics it computes with (copies, merge patch, paths,
sort order, projection, metrics) live in :mod:`prism._documents`, shared by every backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prism._documents import (
    METRICS,
    MISSING,
    compute_metric,
    copy_json,
    get_path,
    hash_key,
    merge_patch,
    parse_metrics,
    parse_projection,
    parse_sort,
    project,
    sort_documents,
    sort_key,
    split_path,
)

__all__ = [
    "METRICS",
    "MISSING",
    "compute_metric",
    "copy_json",
    "get_path",
    "hash_key",
    "merge_patch",
    "parse_metrics",
    "parse_projection",
    "parse_sort",
    "project",
    "sort_documents",
    "sort_key",
    "split_path",
]


@dataclass(frozen=True)
class Index:
    fields: tuple[str, ...]
    unique: bool
    paths: tuple[tuple[str, ...], ...]
    entries: dict[Any, str] = field(default_factory=dict, compare=False)
    """For a unique index: key of the field values → document id."""

    def key(self, document: Mapping[str, Any]) -> Any | None:
        """The document's key in this index, or None when it lacks every field (exempt)."""
        values = [get_path(document, p) for p in self.paths]
        if all(x is MISSING for x in values):
            return None
        return tuple(hash_key(x) for x in values)


@dataclass
class Collection:
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)


@dataclass
class DocumentState:
    collections: dict[str, Collection] = field(default_factory=dict)
