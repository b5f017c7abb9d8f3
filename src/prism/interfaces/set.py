# Generated from src/prism/interfaces/_async/set.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Set: unordered sets of distinct ``bytes`` members under ``str`` keys."""

from __future__ import annotations

import abc

from prism.interfaces._base import COUNT, KEY, MEMBER, PAYLOADS, VAR_KEYS, Interface, checks

__all__ = ["SetBasic", "SetCardinality", "SetOperations", "SetRandom"]


class SetBasic(Interface, name="set_basic", model="set"):
    """Add, remove and test members.  A set that becomes empty ceases to exist; a missing key is
    an empty set.

    Using one key for two data models (a set and a list both named ``k``) is unspecified: some
    backends keep each model's keys apart (memstore), others share one keyspace and raise on the
    type clash (Redis).
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, members=PAYLOADS)
    def add(self, key: str, *members: bytes) -> int:
        """Add members; return how many were not already present."""

    @abc.abstractmethod
    @checks(key=KEY, members=PAYLOADS)
    def remove(self, key: str, *members: bytes) -> int:
        """Remove members; return how many were present."""

    @abc.abstractmethod
    @checks(key=KEY, member=MEMBER)
    def contains(self, key: str, member: bytes) -> bool:
        """Whether ``member`` is in the set."""

    @abc.abstractmethod
    @checks(key=KEY)
    def members(self, key: str) -> set[bytes]:
        """Every member."""


class SetOperations(Interface, name="set_operations", model="set"):
    """Exact set algebra across keys of one namespace; a missing key is the empty set.
    ``difference`` is the first set minus all the others.  The ``*_store`` variants compute the
    result first, so ``destination`` may be one of ``keys``; an empty result deletes
    ``destination``."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(keys=VAR_KEYS)
    def union(self, *keys: str) -> set[bytes]: ...

    @abc.abstractmethod
    @checks(keys=VAR_KEYS)
    def intersection(self, *keys: str) -> set[bytes]: ...

    @abc.abstractmethod
    @checks(keys=VAR_KEYS)
    def difference(self, *keys: str) -> set[bytes]: ...

    @abc.abstractmethod
    @checks(destination=KEY, keys=VAR_KEYS)
    def union_store(self, destination: str, *keys: str) -> int:
        """Store the union in ``destination`` (replacing it); return its size."""

    @abc.abstractmethod
    @checks(destination=KEY, keys=VAR_KEYS)
    def intersection_store(self, destination: str, *keys: str) -> int:
        """Store the intersection in ``destination`` (replacing it); return its size."""

    @abc.abstractmethod
    @checks(destination=KEY, keys=VAR_KEYS)
    def difference_store(self, destination: str, *keys: str) -> int:
        """Store the difference in ``destination`` (replacing it); return its size."""


class SetCardinality(Interface, name="set_cardinality", model="set"):
    """Exact sizes and membership tests: ``size`` counts members exactly (never an estimate),
    and a missing key is an empty set of size 0."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY)
    def size(self, key: str) -> int:
        """The exact number of members (0 for a missing key)."""

    @abc.abstractmethod
    @checks(key=KEY, member=MEMBER)
    def is_member(self, key: str, member: bytes) -> bool: ...


class SetRandom(Interface, name="set_random", model="set"):
    """Random members.  Results are distinct; a count larger than the set returns the whole set."""

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, count=COUNT)
    def random_members(self, key: str, count: int = 1) -> list[bytes]:
        """Up to ``count`` distinct random members, leaving the set unchanged."""

    @abc.abstractmethod
    @checks(key=KEY, count=COUNT)
    def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        """Remove and return up to ``count`` distinct random members."""
