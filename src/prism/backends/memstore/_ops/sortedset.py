"""Per-namespace state of memstore sorted sets (plain data, guarded by the store lock)."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class ZSet:
    """One sorted set: each member's score, and every ``(score, member)`` pair in sorted order
    (ties by member bytes), so ranks and score or lex bounds are binary searches."""

    scores: dict[bytes, float] = field(default_factory=dict)
    order: list[tuple[float, bytes]] = field(default_factory=list)

    @classmethod
    def of(cls, scores: Mapping[bytes, float]) -> ZSet:
        return cls(dict(scores), sorted((s, m) for m, s in scores.items()))

    def __len__(self) -> int:
        return len(self.scores)

    def put(self, member: bytes, score: float) -> bool:
        """Set ``member``'s score; return whether the member is new."""
        old = self.scores.get(member)
        if old == score:
            return False
        if old is not None:
            del self.order[bisect.bisect_left(self.order, (old, member))]
        self.scores[member] = score
        bisect.insort(self.order, (score, member))
        return old is None

    def discard(self, member: bytes) -> bool:
        """Remove ``member``; return whether it was present."""
        old = self.scores.pop(member, None)
        if old is None:
            return False
        del self.order[bisect.bisect_left(self.order, (old, member))]
        return True

    def rank(self, member: bytes) -> int | None:
        score = self.scores.get(member)
        return None if score is None else bisect.bisect_left(self.order, (score, member))


ZSets = dict[str, ZSet]
"""One namespace's sorted sets by key; an empty one is never stored."""
