"""How prism names become NATS names that cannot collide or inject subject tokens.

Every name (namespace, topic token, key, stream, queue, subscription) is *escaped*: ASCII
letters and digits stay, every other byte of its UTF-8 form becomes ``_`` and two lower-case hex
digits (``.`` → ``_2e``, ``*`` → ``_2a``, ``>`` → ``_3e``, ``_`` → ``_5f``), and the empty
string becomes a lone ``_``.  The result is a valid subject token, stream name, consumer name
and KV key, and the map is injective, so no two prism names share a NATS name, and a topic token
can never be a NATS wildcard or separator.  Escaping keeps prefixes: ``escape(p)`` starts
``escape(k)`` exactly when ``p`` starts ``k`` (``_`` always opens a three-character escape).
"""

from __future__ import annotations

import hashlib

__all__ = ["escape", "escape_topic", "short", "unescape", "unescape_topic"]

_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_TABLE = [chr(b) if b in _SAFE else f"_{b:02x}" for b in range(256)]
_MAX_NAME = 200


def escape(name: str) -> str:
    """The escaped form of ``name`` (see the module docstring)."""
    if not name:
        return "_"
    if name.isascii() and name.isalnum():
        return name
    return "".join(_TABLE[b] for b in name.encode("utf-8"))


def unescape(text: str) -> str:
    """The name :func:`escape` made ``text`` from."""
    if text == "_":
        return ""
    if "_" not in text:
        return text
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "_":
            out.append(int(text[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(ord(text[i]))
            i += 1
    return out.decode("utf-8")


def escape_topic(topic: str) -> str:
    """A topic as subject tokens: each ``.``-separated token escaped on its own."""
    return ".".join(escape(token) for token in topic.split("."))


def unescape_topic(subject_tail: str) -> str:
    return ".".join(unescape(token) for token in subject_tail.split("."))


def short(escaped: str) -> str:
    """``escaped`` when it is short enough for a stream, bucket or consumer name (a file name on
    the server), else a prefix of it and a hash of the whole."""
    if len(escaped) <= _MAX_NAME:
        return escaped
    digest = hashlib.sha256(escaped.encode()).hexdigest()[:32]
    return f"{escaped[: _MAX_NAME - 40]}-{digest}"
