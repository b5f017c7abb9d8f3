"""Broken set variants: each misbehaves in one way its suite must catch."""

from __future__ import annotations

from prism.backends.memstore._async.set import AsyncMemSet
from tests.broken import Variant

# set_operations ---------------------------------------------------------------------------------


class AsyncShortDifferenceMemSet(AsyncMemSet):
    """difference looks only at the first two keys: a - b - c comes out as a - b."""

    async def difference(self, *keys: str) -> set[bytes]:
        return await super().difference(*keys[:2])


# set_random -------------------------------------------------------------------------------------


class AsyncKeepingPopMemSet(AsyncMemSet):
    """pop_random returns random members but leaves them in the set."""

    async def pop_random(self, key: str, count: int = 1) -> list[bytes]:
        return await self.random_members(key, count)


VARIANTS = [
    Variant(
        "set",
        "difference-two-keys",
        AsyncShortDifferenceMemSet,
        "set_operations",
    ),
    Variant("set", "pop-keeps", AsyncKeepingPopMemSet, "set_random"),
]
