"""memstore: the embedded in-process backend (thread- and asyncio-safe, injectable clock)."""

from prism.backends.memstore._core import ManualClock, Store, get_store

__all__ = ["ManualClock", "Store", "get_store"]
