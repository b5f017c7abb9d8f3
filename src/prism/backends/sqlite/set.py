# Generated from src/prism/backends/sqlite/_async/set.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""sqlite set: all four interfaces (the SQL is in ``_ops/set.py``).  Sets have their own table,
so a set and a list (or a key-value key) may share a name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prism.backends.base import Facet
from prism.backends.sqlite._ops import set as ops
from prism.interfaces.set import (
    SetBasic,
    SetCardinality,
    SetOperations,
    SetRandom,
)

if TYPE_CHECKING:
    from prism.backends.sqlite.backend import SQLiteBackend


class SQLiteSet(Facet, SetBasic, SetOperations, SetCardinality, SetRandom):
    def __init__(self, backend: SQLiteBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._db = backend.db

    # set_basic ---------------------------------------------------------------------------------
    def add(self, key: str, *members: bytes) -> int:
        return self._db.run(ops.add, self.namespace, key, members)

    def remove(self, key: str, *members: bytes) -> int:
        return self._db.run(ops.remove, self.namespace, key, members)

    def contains(self, key: str, member: bytes) -> bool:
        return self._db.run(ops.contains, self.namespace, key, member)

    def members(self, key: str) -> set[bytes]:
        return self._db.run(ops.members, self.namespace, key)

    # set_operations ----------------------------------------------------------------------------
    def union(self, *keys: str) -> set[bytes]:
        return self._db.run(ops.combine, self.namespace, "union", keys, operation="union")

    def intersection(self, *keys: str) -> set[bytes]:
        return self._db.run(
            ops.combine, self.namespace, "intersection", keys, operation="intersection"
        )

    def difference(self, *keys: str) -> set[bytes]:
        return self._db.run(ops.combine, self.namespace, "difference", keys, operation="difference")

    def union_store(self, destination: str, *keys: str) -> int:
        return self._db.run(
            ops.combine_store, self.namespace, "union", destination, keys, operation="union_store"
        )

    def intersection_store(self, destination: str, *keys: str) -> int:
        return self._db.run(
            ops.combine_store,
            self.namespace,
            "intersection",
            destination,
            keys,
            operation="intersection_store",
        )

    def difference_store(self, destination: str, *keys: str) -> int:
        return self._db.run(
            ops.combine_store,
            self.namespace,
            "difference",
            destination,
            keys,
            operation="difference_store",
        )

    # set_cardinality ---------------------------------------------------------------------------
    def size(self, key: str) -> int:
        return self._db.run(ops.size, self.namespace, key)

    def is_member(self, key: str, member: bytes) -> bool:
        return self._db.run(ops.contains, self.namespace, key, member, operation="is_member")

    # set_random --------------------------------------------------------------------------------
    def random_members(self, key: str, count: int = 1) -> list[bytes]:
        return self._db.run(ops.random_members, self.namespace, key, count)

    def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        return self._db.run(ops.pop_random, self.namespace, key, count)
