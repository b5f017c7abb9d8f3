"""memstore keyvalue get/set, sync and async, against a lock-guarded dict doing the same work.

Run: python -m benchmarks.bench_memstore
"""

from __future__ import annotations

import asyncio
import threading

import prism
from benchmarks._harness import Result, compare, compare_async, report

CONFIG = {
    "backends": {"m": {"type": "memstore", "connection": "memory://bench"}},
    "default_backend": "m",
}


class LockedDict:
    """The baseline: what a careful hand-written in-process store does per call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, bytes] = {}

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._data[key] = value

    def get(self, key: str) -> bytes:
        with self._lock:
            return self._data[key]

    async def aset(self, key: str, value: bytes) -> None:
        with self._lock:
            self._data[key] = value

    async def aget(self, key: str) -> bytes:
        with self._lock:
            return self._data[key]


def run_sync() -> list[Result]:
    base = LockedDict()
    with prism.open("bench", config=CONFIG) as ns:
        kv = ns.keyvalue
        kv.set("k", b"v" * 100)
        base.set("k", b"v" * 100)
        return [
            compare(
                "memstore keyvalue.set (sync)",
                lambda: kv.set("k", b"v" * 100),
                lambda: base.set("k", b"v" * 100),
                n=50_000,
            ),
            compare(
                "memstore keyvalue.get (sync)", lambda: kv.get("k"), lambda: base.get("k"), n=50_000
            ),
        ]


async def run_async() -> list[Result]:
    base = LockedDict()
    async with await prism.open_async("bench", config=CONFIG) as ns:
        kv = ns.keyvalue
        await kv.set("k", b"v" * 100)
        await base.aset("k", b"v" * 100)
        return [
            await compare_async(
                "memstore keyvalue.set (async)",
                lambda: kv.set("k", b"v" * 100),
                lambda: base.aset("k", b"v" * 100),
                n=50_000,
            ),
            await compare_async(
                "memstore keyvalue.get (async)",
                lambda: kv.get("k"),
                lambda: base.aget("k"),
                n=50_000,
            ),
        ]


def main() -> None:
    results = run_sync() + asyncio.run(run_async())
    report("memstore vs a lock-guarded dict (ratio = prism time / baseline time)", results)


if __name__ == "__main__":
    main()
