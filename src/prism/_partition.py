"""The key → partition mapping shared by every backend (stream_partitioning).

It must give the same answer in every process, on every platform and in every backend, so it
hashes the key's UTF-8 bytes with CRC-32 (never Python's salted ``hash()``).
"""

from __future__ import annotations

import zlib

__all__ = ["partition_for"]


def partition_for(key: str, partitions: int) -> int:
    """The partition (``0 <= p < partitions``) that ``key`` maps to."""
    return zlib.crc32(key.encode("utf-8")) % partitions
