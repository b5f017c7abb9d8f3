# Generated from tests/broken/_async/set.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Broken set variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

from prism.backends.memstore.set import MemSet
from tests.broken import Variant

# set_operations ---------------------------------------------------------------------------------


class ShortDifferenceMemSet(MemSet):
    """difference looks only at the first two keys: a - b - c comes out as a - b."""

    def difference(self, *keys: str) -> set[bytes]:
        return super().difference(*keys[:2])


# set_random -------------------------------------------------------------------------------------


class KeepingPopMemSet(MemSet):
    """pop_random returns random members but leaves them in the set."""

    def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        return self.random_members(key, count)


VARIANTS = [
    Variant(
        "set",
        "difference-two-keys",
        ShortDifferenceMemSet,
        "set_operations",
    ),
    Variant("set", "pop-keeps", KeepingPopMemSet, "set_random"),
]
