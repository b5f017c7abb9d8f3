# Generated from src/prism/backends/postgres/_async/set.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""postgres set: all four interfaces (the SQL is in ``_ops/set.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prism.backends.postgres._facet import PostgresFacet
from prism.backends.postgres._ops.set import statements
from prism.interfaces.set import (
    SetBasic,
    SetCardinality,
    SetOperations,
    SetRandom,
)

if TYPE_CHECKING:
    from prism.backends.postgres.backend import PostgresBackend

__all__ = ["PostgresSet"]


class PostgresSet(PostgresFacet, SetBasic, SetOperations, SetCardinality, SetRandom):
    MODEL = "set"

    def __init__(self, backend: PostgresBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._sql = statements(self.schema)

    # set_basic ---------------------------------------------------------------------------------
    def add(self, key: str, *members: bytes) -> int:
        return self._run("add", self._sql["add"], {"key": key, "members": list(members)})

    def remove(self, key: str, *members: bytes) -> int:
        params = {"key": key, "members": list(members)}
        return self._run("remove", self._sql["remove"], params)

    def contains(self, key: str, member: bytes) -> bool:
        params = {"key": key, "member": member}
        return self._one("contains", self._sql["contains"], params) is not None

    def members(self, key: str) -> set[bytes]:
        rows = self._all("members", self._sql["members"], {"key": key})
        return {bytes(row[0]) for row in rows}

    # set_operations ----------------------------------------------------------------------------
    @staticmethod
    def _params(keys: Sequence[str]) -> dict[str, Any]:
        return {
            "keys": list(keys),
            "distinct": len(set(keys)),
            "first": keys[0],
            "others": list(keys[1:]),
        }

    def _combine(self, op: str, keys: Sequence[str]) -> set[bytes]:
        rows = self._all(op, self._sql[op], self._params(keys))
        return {bytes(row[1]) for row in rows}

    def _store(self, op: str, destination: str, keys: Sequence[str]) -> int:
        """The result is computed first (``destination`` may be a source), then replaces
        ``destination``: one transaction, holding a lock on ``destination`` so that concurrent
        stores into it run one after the other.  A member added to ``destination`` by a
        concurrent ``add`` meanwhile stays (that add took effect after the store)."""
        with self._connection(f"{op}_store") as conn, conn.transaction():
            conn.execute(self._sql["lock"], {"schema": self.schema, "key": destination})
            cur = conn.execute(self._sql[op], self._params(keys))
            rows = cur.fetchall()
            conn.execute(self._sql["clear"], {"key": destination})
            params = {
                "key": destination,
                "digests": [row[0] for row in rows],
                "members": [row[1] for row in rows],
            }
            conn.execute(self._sql["store"], params)
        return len(rows)

    def union(self, *keys: str) -> set[bytes]:
        return self._combine("union", keys)

    def intersection(self, *keys: str) -> set[bytes]:
        return self._combine("intersection", keys)

    def difference(self, *keys: str) -> set[bytes]:
        return self._combine("difference", keys)

    def union_store(self, destination: str, *keys: str) -> int:
        return self._store("union", destination, keys)

    def intersection_store(self, destination: str, *keys: str) -> int:
        return self._store("intersection", destination, keys)

    def difference_store(self, destination: str, *keys: str) -> int:
        return self._store("difference", destination, keys)

    # set_cardinality ---------------------------------------------------------------------------
    def size(self, key: str) -> int:
        row = self._one("size", self._sql["size"], {"key": key})
        return int(row[0])

    def is_member(self, key: str, member: bytes) -> bool:
        params = {"key": key, "member": member}
        return self._one("is_member", self._sql["contains"], params) is not None

    # set_random --------------------------------------------------------------------------------
    def random_members(self, key: str, count: int = 1) -> list[bytes]:
        rows = self._all("random_members", self._sql["random"], {"key": key, "count": count})
        return [bytes(row[0]) for row in rows]

    def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        rows = self._all("pop_random", self._sql["pop"], {"key": key, "count": count})
        return [bytes(row[0]) for row in rows]
