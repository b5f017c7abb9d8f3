"""Broken set variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

from prism.backends.memstore._async.set import AsyncMemSet
from prism.backends.memstore.set import MemSet
from tests.broken import Variant

# set_operations ---------------------------------------------------------------------------------


class ShortDifferenceMemSet(MemSet):
    """difference looks only at the first two keys: a - b - c comes out as a - b."""

    def difference(self, *keys: str) -> set[bytes]:
        return super().difference(*keys[:2])


class AsyncShortDifferenceMemSet(AsyncMemSet):
    async def difference(self, *keys: str) -> set[bytes]:
        return await super().difference(*keys[:2])


# set_random -------------------------------------------------------------------------------------


class KeepingPopMemSet(MemSet):
    """pop_random returns random members but leaves them in the set."""

    def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        return self.random_members(key, count)


class AsyncKeepingPopMemSet(AsyncMemSet):
    async def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        return await self.random_members(key, count)


VARIANTS = [
    Variant(
        "set",
        "difference-two-keys",
        ShortDifferenceMemSet,
        AsyncShortDifferenceMemSet,
        "set_operations",
    ),
    Variant("set", "pop-keeps", KeepingPopMemSet, AsyncKeepingPopMemSet, "set_random"),
]
