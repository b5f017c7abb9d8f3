# Generated from src/prism/interfaces/_async/keyvalue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""KeyValue: six interfaces over a flat space of ``str`` keys and ``bytes`` values."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Self

from prism._validate import Duration
from prism.interfaces._base import (
    KEY,
    KEYS,
    OPT_LIMIT,
    OPT_PAYLOAD,
    OPT_TTL,
    PAYLOAD,
    PAYLOAD_MAP,
    PREFIX,
    TTL,
    Checked,
    Interface,
    checks,
)

__all__ = [
    "KeyValueBasic",
    "KeyValueBatch",
    "KeyValueCAS",
    "KeyValueScan",
    "KeyValueTTL",
    "KeyValueTransactional",
    "Transaction",
]


class KeyValueBasic(Interface, name="keyvalue_basic", model="keyvalue"):
    """Set, get, delete and test single keys.

    Keys are non-empty ``str`` of at most 1024 UTF-8 bytes without NUL; values are ``bytes`` up to
    the backend's ``max_value_bytes``.  Anything else raises ``InvalidArgumentError`` (or
    ``ValueTooLargeError``) before any I/O.  Every operation is atomic per key and safe to call
    from many threads at once; a completed ``set`` is visible to every later ``get``.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, value=PAYLOAD)
    def set(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``, replacing any previous value (and any expiry)."""

    @abc.abstractmethod
    @checks(key=KEY)
    def get(self, key: str) -> bytes:
        """Return the value of ``key``.  Raises ``KeyNotFoundError`` when it is absent."""

    @abc.abstractmethod
    @checks(key=KEY)
    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it existed.  A missing key is not an error."""

    @abc.abstractmethod
    @checks(key=KEY)
    def exists(self, key: str) -> bool:
        """Return whether ``key`` is present.  Never raises for a missing key."""


class KeyValueScan(Interface, name="keyvalue_scan", model="keyvalue"):
    """Enumerate keys by prefix.

    Every key present for the whole scan is yielded exactly once; keys created or deleted during
    the scan may or may not appear.  ``prefix`` filters exactly (``"user:"`` never yields
    ``"user2:x"``) and literally: glob and LIKE metacharacters (``*``, ``?``, ``[``, ``]``,
    ``%``, ``_``, ``\\``) in it match only themselves.  The empty prefix means every key of the
    namespace.  ``limit`` caps how many
    items are yielded.  Order is unspecified.  Implementations page through the keyspace: no
    single round trip returns an unbounded result.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(prefix=PREFIX, limit=OPT_LIMIT)
    def scan(self, prefix: str = "", *, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        """Yield ``(key, value)`` for every key starting with ``prefix``."""

    @abc.abstractmethod
    @checks(prefix=PREFIX, limit=OPT_LIMIT)
    def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Iterator[str]:
        """Yield every key starting with ``prefix``, without fetching values."""

    @abc.abstractmethod
    @checks(prefix=PREFIX)
    def count(self, prefix: str = "") -> int:
        """Return how many keys start with ``prefix``."""


class KeyValueTTL(Interface, name="keyvalue_ttl", model="keyvalue"):
    """Expiring keys.

    A key set with a TTL of ``t`` seconds is readable for less than ``t`` seconds: from the
    instant ``t`` has passed it is expired, and an expired key is absent to every operation at
    once -- ``get`` and ``get_ttl`` raise ``KeyNotFoundError``; ``exists``, ``delete``,
    ``expire`` and ``persist`` return False; ``scan``, ``scan_keys``, ``count`` and
    ``get_many`` leave it out; ``compare_and_swap`` and ``compare_and_delete`` and a
    transaction's reads treat it as absent.  Its storage is reclaimed eventually.  A plain ``set`` (without ``ttl``) of an
    existing key clears its expiry, as Redis ``SET`` does.  TTLs are seconds (``float``) or
    ``timedelta`` and must be positive and at most ``MAX_SECONDS`` (100 years).
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, value=PAYLOAD, ttl=OPT_TTL)
    def set(self, key: str, value: bytes, *, ttl: Duration | None = None) -> None:
        """Store ``value``; with ``ttl`` the key expires that many seconds from now."""

    @abc.abstractmethod
    @checks(key=KEY, ttl=TTL)
    def expire(self, key: str, ttl: Duration) -> bool:
        """Set the expiry of an existing key; return False (and do nothing) when it is absent."""

    @abc.abstractmethod
    @checks(key=KEY)
    def get_ttl(self, key: str) -> float | None:
        """Seconds left before ``key`` expires, or None when it has no expiry.

        Raises ``KeyNotFoundError`` when the key is absent.
        """

    @abc.abstractmethod
    @checks(key=KEY)
    def persist(self, key: str) -> bool:
        """Remove the expiry of ``key``; return whether it had one."""


class Transaction(Checked):
    """A unit of work over one namespace's keys, from :meth:`KeyValueTransactional.begin`.

    Reads see the transaction's own writes.  Nothing is visible to others before ``commit``;
    ``commit`` applies every write together or none.  When another client changed a key this
    transaction read or wrote since it was first touched -- a key it only read counts, and so
    does a key it only wrote -- ``commit`` raises ``ConflictError``
    and applies nothing (optimistic backends), or the transactions are serialised
    (pessimistic backends): never a lost update.  As a context manager it commits on
    normal exit and rolls back when the block raises.  A finished transaction refuses further
    use with ``InvalidArgumentError``.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY)
    def get(self, key: str) -> bytes:
        """The value as this transaction sees it; ``KeyNotFoundError`` when absent."""

    @abc.abstractmethod
    @checks(key=KEY, value=PAYLOAD)
    def set(self, key: str, value: bytes) -> None:
        """Buffer a write of ``value`` to ``key``."""

    @abc.abstractmethod
    @checks(key=KEY)
    def delete(self, key: str) -> bool:
        """Buffer a delete; return whether the key existed as this transaction sees it."""

    @abc.abstractmethod
    def commit(self) -> None:
        """Apply every buffered write atomically, or raise ``ConflictError`` and apply none."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard every buffered write."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


class KeyValueTransactional(Interface, name="keyvalue_transactional", model="keyvalue"):
    """Multi-key transactions: ``with kv.begin() as tx: ...`` (see :class:`Transaction`)."""

    __slots__ = ()

    @abc.abstractmethod
    def begin(self) -> Transaction:
        """Start a transaction.  Does no I/O; the first operation on it may."""


class KeyValueBatch(Interface, name="keyvalue_batch", model="keyvalue"):
    """Many keys per call, in one round trip (or a bounded number of them).

    A bad key or value anywhere in a batch rejects the whole batch before any I/O.  An empty
    batch is a no-op.  Keys may come in any order and may repeat; a repeated key counts once.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(items=PAYLOAD_MAP)
    def set_many(self, items: Mapping[str, bytes]) -> None:
        """Store every ``key: value`` pair.  Applied atomically where the backend can.

        Like a plain ``set`` (Redis ``SET``/``MSET``), it clears any expiry the keys had.
        """

    @abc.abstractmethod
    @checks(keys=KEYS)
    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the values of the keys present; missing keys are omitted."""

    @abc.abstractmethod
    @checks(keys=KEYS)
    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete the keys; return how many distinct keys existed."""


class KeyValueCAS(Interface, name="keyvalue_cas", model="keyvalue"):
    """Compare-and-swap, linearizable per key.

    ``N`` concurrent read-increment-CAS loops produce exactly ``N`` increments.
    """

    __slots__ = ()

    @abc.abstractmethod
    @checks(key=KEY, expected=OPT_PAYLOAD, new=PAYLOAD)
    def compare_and_swap(self, key: str, expected: bytes | None, new: bytes) -> bool:
        """Set ``key`` to ``new`` if its value is ``expected`` (None: only if absent).

        Return whether the swap applied.  A swap clears any expiry.
        """

    @abc.abstractmethod
    @checks(key=KEY, expected=PAYLOAD)
    def compare_and_delete(self, key: str, expected: bytes) -> bool:
        """Delete ``key`` if its value is ``expected``; return whether it was deleted."""
