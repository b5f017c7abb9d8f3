"""The claim-check claim: what a message carries instead of a large payload.

A claimed message has the header ``prism-claim: v1`` and, as its payload, a small UTF-8 JSON
object (documented in docs/patterns/claim-check.md) that any consumer can resolve::

    {"v": 1, "key": "claim/1764505200000/3f2a...", "size": 104857600,
     "sha256": "<hex of the original payload>", "compression": "gzip",
     "stored_size": 1234567, "expires": 1764591600.0}

``key`` is the key in the storage slot's namespace (the pattern namespace's name); ``size`` and
``sha256`` describe the original bytes; ``compression`` is ``none``, ``gzip`` or ``zstd``;
``stored_size`` is the length of the stored object; ``expires`` is the epoch second after which
the object may be gone (``null``: it is deleted once the message is acknowledged -- by every
declared consumer group, on a stream namespace with the ``stream_groups`` option).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prism.errors import ConfigurationError
from prism.patterns._errors import ClaimIntegrityError

__all__ = [
    "CLAIM_HEADER",
    "CLAIM_VERSION",
    "Claim",
    "compress",
    "decompress",
    "parse_claim",
    "verify",
]

CLAIM_HEADER = "prism-claim"
CLAIM_VERSION = "v1"
KEY_PREFIX = "claim/"
ACK_MARK = "/acked/"
"""``<key>/acked/<group>``: a declared stream consumer group acknowledged the claim's record."""
COMPRESSIONS = ("none", "gzip", "zstd")


@dataclass(frozen=True, slots=True)
class Claim:
    key: str
    size: int
    sha256: str
    compression: str
    stored_size: int
    expires: float | None

    def encode(self) -> bytes:
        doc = {
            "v": 1,
            "key": self.key,
            "size": self.size,
            "sha256": self.sha256,
            "compression": self.compression,
            "stored_size": self.stored_size,
            "expires": self.expires,
        }
        return json.dumps(doc, separators=(",", ":")).encode()


def parse_claim(payload: bytes) -> Claim:
    """The claim a claimed message carries; ``ClaimIntegrityError`` when it is not one."""
    try:
        doc: Any = json.loads(payload)
        claim = Claim(
            key=doc["key"],
            size=doc["size"],
            sha256=doc["sha256"],
            compression=doc["compression"],
            stored_size=doc["stored_size"],
            expires=doc["expires"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        msg = "a message marked as a claim carries no valid claim document"
        raise ClaimIntegrityError(msg) from exc
    if (
        doc.get("v") != 1
        or not isinstance(claim.key, str)
        or not claim.key.startswith(KEY_PREFIX)
        or type(claim.size) is not int
        or type(claim.stored_size) is not int
        or not isinstance(claim.sha256, str)
        or claim.compression not in COMPRESSIONS
    ):
        msg = f"a message marked as a claim carries a malformed claim document: {doc!r}"[:300]
        raise ClaimIntegrityError(msg)
    return claim


def zstd_module() -> Any:
    try:
        import zstandard  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return zstandard


def check_compression(value: object) -> str:
    if value not in COMPRESSIONS:
        msg = f"claim-check option compression must be one of {', '.join(COMPRESSIONS)}, not {value!r}"
        raise ConfigurationError(msg)
    if value == "zstd" and zstd_module() is None:
        msg = "claim-check option compression: zstd needs the zstandard package (pip install zstandard)"
        raise ConfigurationError(msg)
    return str(value)


def compress(data: bytes, compression: str) -> bytes:
    if compression == "gzip":
        return gzip.compress(data, compresslevel=1)
    if compression == "zstd":
        return bytes(zstd_module().ZstdCompressor().compress(data))
    return data


def decompress(data: bytes, claim: Claim) -> bytes:
    try:
        if claim.compression == "gzip":
            return gzip.decompress(data)
        if claim.compression == "zstd":
            module = zstd_module()
            if module is None:
                msg = f"claim {claim.key!r} is zstd-compressed and the zstandard package is missing"
                raise ClaimIntegrityError(msg)
            return bytes(module.ZstdDecompressor().decompress(data, max_output_size=claim.size))
    except (OSError, EOFError, zlib.error) as exc:
        msg = f"stored payload of claim {claim.key!r} does not decompress ({claim.compression})"
        raise ClaimIntegrityError(msg) from exc
    except ClaimIntegrityError:
        raise
    except Exception as exc:  # zstandard.ZstdError
        msg = f"stored payload of claim {claim.key!r} does not decompress ({claim.compression})"
        raise ClaimIntegrityError(msg) from exc
    return data


_hasher: Any = None
_hasher_lock = threading.Lock()
PARALLEL_HASH_BYTES = 1 << 20


def sha256_later(data: bytes) -> Callable[[], str]:
    """The SHA-256 (hex) of ``data``: for large payloads computed on a worker thread while the
    caller writes the payload to storage (hashlib releases the GIL), so the hash costs almost
    nothing extra; the returned function waits for it."""
    if len(data) < PARALLEL_HASH_BYTES:
        digest = hashlib.sha256(data).hexdigest()
        return lambda: digest
    global _hasher
    with _hasher_lock:
        if _hasher is None:
            from concurrent.futures import ThreadPoolExecutor

            _hasher = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prism-claim-hash")
    future = _hasher.submit(lambda: hashlib.sha256(data).hexdigest())
    return future.result  # type: ignore[no-any-return]


def verify(stored: bytes, claim: Claim) -> bytes:
    """The original payload from the stored object; ``ClaimIntegrityError`` on any mismatch."""
    if len(stored) != claim.stored_size:
        msg = (
            f"stored payload of claim {claim.key!r} is {len(stored)} bytes, the claim says "
            f"{claim.stored_size}"
        )
        raise ClaimIntegrityError(msg)
    data = decompress(stored, claim)
    if len(data) != claim.size:
        msg = f"payload of claim {claim.key!r} is {len(data)} bytes, the claim says {claim.size}"
        raise ClaimIntegrityError(msg)
    if hashlib.sha256(data).hexdigest() != claim.sha256:
        msg = f"payload of claim {claim.key!r} does not match the claim's SHA-256"
        raise ClaimIntegrityError(msg)
    return data
