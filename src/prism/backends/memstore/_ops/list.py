"""Per-namespace state of memstore lists, and the Redis rule for inclusive index ranges."""

from __future__ import annotations

from collections import deque

Lists = dict[str, deque[bytes]]
"""One namespace's lists by key; an empty list is never stored (guarded by the store lock)."""


def inclusive_slice(start: int, stop: int, length: int) -> slice:
    """The slice of a sequence of ``length`` items holding indexes ``start`` through ``stop``
    inclusive, negative counting from the end and out-of-range bounds clipped (Redis LRANGE)."""
    if start < 0:
        start = max(start + length, 0)
    stop = stop + length if stop < 0 else min(stop, length - 1)
    return slice(start, stop + 1) if start <= stop else slice(0, 0)
