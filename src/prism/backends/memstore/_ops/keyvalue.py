"""Per-namespace state of each memstore data model (plain data, guarded by the store lock)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class KeyValueState:
    values: dict[str, bytes] = field(default_factory=dict)
    expires: dict[str, float] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    version: int = 0
    watchers: int = 0
    """Open transactions.  ``set`` bumps a key's version only while there is one: a transaction
    compares the versions it read with those at commit, so only writes made while it is open
    need a new version (a write with no transaction open may leave an older number behind;
    no open transaction has read it)."""

    def live(self, key: str, now: float) -> bool:
        """Whether ``key`` is present and unexpired; drops it if it expired."""
        if key not in self.values:
            return False
        deadline = self.expires.get(key)
        if deadline is not None and deadline <= now:
            self.drop(key)
            return False
        return True

    def drop(self, key: str) -> None:
        """Remove ``key``.  Its version goes too: an absent key has version 0, so a transaction
        that saw it present still conflicts, and nothing is kept per key ever written."""
        self.values.pop(key, None)
        self.expires.pop(key, None)
        self.versions.pop(key, None)

    def put(self, key: str, value: bytes, deadline: float | None) -> None:
        self.values[key] = value
        if deadline is not None:
            self.expires[key] = deadline
        elif self.expires:
            self.expires.pop(key, None)
        self.version += 1
        self.versions[key] = self.version

    def bump(self, key: str) -> None:
        self.version += 1
        self.versions[key] = self.version
