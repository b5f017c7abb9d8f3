"""The key layout of the redis backend (no driver import).

Every key a namespace stores is ``<root>:{<namespace>}:<model>:<name>`` (UTF-8), ``<root>``
being the option ``key_prefix`` (default ``prism``).  Pub/sub channels follow the same layout
with the model ``ps``.

* The braces make ``{<namespace>}`` the Redis Cluster hash tag of every key of the namespace, so
  a namespace lives in one hash slot and every multi-key command (MSET, SUNION, ZUNIONSTORE,
  BLPOP over several lists, WATCH/MULTI/EXEC, Lua scripts) works on a cluster.
* ``%``, ``{`` and ``}`` in the namespace name are percent-encoded so that the tag is exactly the
  encoded name: the first ``}`` after the first ``{`` is always the one this layout wrote.
* Namespaces are isolated by prefix: ``<root>:{<ns>}:`` of one namespace is never a prefix of
  another's, because the encoded name cannot contain ``}``.
* Scans use ``SCAN MATCH <escaped prefix>*`` where every glob metacharacter (``* ? [ ] \\``) of
  the root, the namespace and the user's prefix is escaped.

Model codes (``kv``, ``list``, ``set``, ``zset``, ``ps``, ``stream``, ``queue``) keep one
model's keys out of another's: a list and a key-value key of the same name never collide.
Streams and queues also use a few derived segments, which differ from every model code at the
character after it (``.``), so they never collide either:

* ``stream:<name>`` (partition 0), ``stream.<p>:<name>`` (partition p >= 1) and
  ``stream.meta:<name>`` (retention limits, partition count, group starts);
* ``queue:<part>`` for the namespace-wide queue structures (``ready``, ``delayed``, ``leased``,
  ``dead``, ``msg``, ``seq``, ``rules``, ``scheduled``) and ``queue.wake:<queue>`` per queue.
"""

from __future__ import annotations

import re

__all__ = ["MODEL_CODES", "encode_namespace", "glob_escape", "model_prefix", "namespace_tag"]

MODEL_CODES = {
    "keyvalue": "kv",
    "list": "list",
    "set": "set",
    "sortedset": "zset",
    "pubsub": "ps",
    "stream": "stream",
    "queue": "queue",
}
"""Data model → the key segment after the namespace tag."""

_GLOB_META = re.compile(rb"([*?\[\]\\])")


def encode_namespace(namespace: str) -> str:
    """Percent-encode ``%``, ``{`` and ``}`` so the name can sit inside a hash tag."""
    if "%" in namespace or "{" in namespace or "}" in namespace:
        return namespace.replace("%", "%25").replace("{", "%7B").replace("}", "%7D")
    return namespace


def namespace_tag(root: str, namespace: str) -> bytes:
    """``<root>:{<namespace>}``: the part every key of the namespace starts with."""
    return f"{root}:{{{encode_namespace(namespace)}}}".encode()


def model_prefix(root: str, namespace: str, model: str) -> bytes:
    """``<root>:{<namespace>}:<model code>:``: prepend a user's key name to get the Redis key."""
    return namespace_tag(root, namespace) + b":" + MODEL_CODES[model].encode() + b":"


def glob_escape(raw: bytes) -> bytes:
    """Escape Redis glob metacharacters so ``raw`` matches only itself in SCAN MATCH / PSUBSCRIBE.

    Works on UTF-8 bytes: multi-byte sequences never contain ASCII bytes, so escaping the ASCII
    metacharacters byte-wise is exact.
    """
    return _GLOB_META.sub(rb"\\\1", raw)
