"""Where prism's objects live in the bucket, and how a prism key becomes an object name.

Layout, under the configured ``prefix`` (default ``prism/``) of the bucket::

    <prefix><namespace>/k/<key>    the value (object body); expiry in its metadata
    <prefix><namespace>/t/<key>    an empty marker object: "this key may carry an expiry"

``<namespace>`` and ``<key>`` are percent-encoded byte by byte (UTF-8): only ASCII letters,
digits, ``-``, ``_`` and ``:`` stay as they are, everything else (``/``, ``.``, ``%``, ``~``,
``+``, spaces, control characters, every non-ASCII byte) becomes ``%XX``.  So an encoded name is
one path segment that is never ``.`` or ``..``, contains nothing an HTTP stack or a proxy
normalises, and lists in the same order as any other client sees it.  The encoding maps each
character to a fixed token, so ``enc(p)`` is a prefix of ``enc(k)`` exactly when ``p`` is a
prefix of ``k``: a prefix scan is a listing of ``<base>k/<enc(prefix)>``.

S3 object names are at most 1024 bytes.  A key whose encoding does not fit is stored as the
longest token-aligned start of its encoding that leaves room, then ``~`` (never produced by the
encoding) and the SHA-256 of the key; the key itself is kept in the object's metadata
(``prism-key``, base64url), and a listing reads it back with a HEAD.  Prefix scans stay exact:
every listed key is decoded and compared with the prefix.

With ``bucket_per_namespace`` the same names live in a bucket of the namespace's own, named by
:func:`bucket_name`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

__all__ = [
    "EXPIRES",
    "KEY",
    "MAX_NAME_BYTES",
    "Layout",
    "bucket_name",
    "decode",
    "encode",
    "expiry_of",
]

MAX_NAME_BYTES = 1024
"""The longest object name S3 accepts (UTF-8 bytes)."""
EXPIRES = "prism-expires"
"""User metadata: the key's expiry, seconds since the epoch (writer's wall clock)."""
KEY = "prism-key"
"""User metadata of a hashed (over-long) name: the key, base64url of its UTF-8."""
HASHED = "~"

_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:")
_TOKENS = tuple(chr(b) if b in _SAFE else f"%{b:02X}" for b in range(256))
_HASH_ROOM = 1 + 64


def encode(text: str) -> str:
    """The percent-encoding of ``text`` described above (ASCII only)."""
    if text.isascii() and all(ord(c) in _SAFE for c in text):
        return text
    return "".join([_TOKENS[b] for b in text.encode("utf-8")])


def decode(name: str) -> str:
    """The inverse of :func:`encode` (``ValueError`` for text it never produces)."""
    if "%" not in name:
        return name
    out = bytearray()
    i = 0
    while i < len(name):
        c = name[i]
        if c == "%":
            out.append(int(name[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(ord(c))
            i += 1
    return out.decode("utf-8")


_BUCKET_PART = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_RESERVED_ENDS = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")
BUCKET_MAX = 63
"""The longest S3 bucket name."""
BUCKET_HASH = 16
"""Hex digits of the SHA-256 of a namespace in a hashed bucket name."""


def bucket_name(prefix: str, namespace: str) -> str:
    """The bucket of ``namespace`` under ``bucket_per_namespace`` (``prefix`` is a checked
    ``namespace_bucket_prefix``: lowercase letters, digits, single hyphens, at most 40).

    ``<prefix>-<namespace>`` when the namespace is lowercase letters and digits in runs joined
    by single hyphens and the whole fits in 63 characters (and ends with no suffix S3
    reserves); otherwise ``<prefix>-<slug>--<hash>``: the namespace's letter and digit runs,
    lower-cased, joined by ``-`` and cut to fit, then ``--`` and the first 16 hex digits of its
    SHA-256 (``<prefix>--<hash>`` when it has no letter or digit).  A name of the first form
    never holds ``--`` after the prefix and one of the second always does, so two namespaces
    share a bucket only if their SHA-256 hashes share 64 bits.
    """
    direct = f"{prefix}-{namespace}"
    if (
        _BUCKET_PART.fullmatch(namespace)
        and len(direct) <= BUCKET_MAX
        and not direct.endswith(_RESERVED_ENDS)
    ):
        return direct
    digest = hashlib.sha256(namespace.encode("utf-8")).hexdigest()[:BUCKET_HASH]
    room = BUCKET_MAX - len(prefix) - 1 - 2 - BUCKET_HASH
    slug = "-".join(re.findall(r"[a-z0-9]+", namespace.lower()))[:room].strip("-")
    return f"{prefix}-{slug}--{digest}" if slug else f"{prefix}--{digest}"


def _cut(encoded: str, room: int) -> str:
    """The longest start of ``encoded`` of at most ``room`` characters that ends on a token."""
    cut = encoded[:room]
    pct = cut.rfind("%", max(0, len(cut) - 2))
    if pct != -1 and len(cut) - pct < 3:
        cut = cut[:pct]
    return cut


def expiry_of(meta: dict[str, str]) -> float | None:
    """The expiry recorded in an object's user metadata (None: none, or unreadable)."""
    raw = meta.get(EXPIRES)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        return None


class Layout:
    """The object names of one namespace."""

    __slots__ = ("base", "data", "marks", "room")

    def __init__(self, prefix: str, namespace: str) -> None:
        self.base = f"{prefix}{encode(namespace)}/"
        self.data = self.base + "k/"
        self.marks = self.base + "t/"
        self.room = MAX_NAME_BYTES - len(self.data.encode("utf-8"))

    def suffix(self, key: str) -> str:
        """The part after ``k/`` (or ``t/``) for ``key``."""
        return _suffix(key, self.room)

    def name(self, key: str) -> str:
        return self.data + _suffix(key, self.room)

    def mark(self, key: str) -> str:
        return self.marks + _suffix(key, self.room)

    def list_prefix(self, prefix: str) -> str:
        """The listing prefix (after ``k/`` or ``t/``) that covers every key starting with
        ``prefix``: its encoding, cut to what a stored name can hold."""
        encoded = encode(prefix)
        return (
            encoded
            if len(encoded) <= self.room - _HASH_ROOM
            else _cut(encoded, self.room - _HASH_ROOM)
        )

    def key_of(self, suffix: str) -> str | None:
        """The key a listed name suffix stands for; None when it is hashed (read ``prism-key``
        from the object's metadata then)."""
        return None if HASHED in suffix else decode(suffix)

    @staticmethod
    def hashed_meta(key: str) -> dict[str, str]:
        return {KEY: base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii")}

    @staticmethod
    def key_from_meta(meta: dict[str, str]) -> str | None:
        raw = meta.get(KEY)
        return None if raw is None else base64.urlsafe_b64decode(raw).decode("utf-8")

    def is_hashed(self, key: str) -> bool:
        return HASHED in _suffix(key, self.room)


@lru_cache(maxsize=4096)
def _suffix(key: str, room: int) -> str:
    encoded = encode(key)
    if len(encoded) <= room:
        return encoded
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return _cut(encoded, room - _HASH_ROOM) + HASHED + digest
