"""Hostile names for the compliance suites: every backend must store, find and keep apart
names that are metacharacters of SQL, LIKE, glob, JSON paths, quoting or key schemes."""

from __future__ import annotations

__all__ = ["HOSTILE_FIELDS", "HOSTILE_NAMES", "HOSTILE_TOPICS"]

HOSTILE_NAMES: list[str] = [
    "it's",
    'say "hi"',
    "back\\slash",
    "\\'",
    "$dollar",
    "a.b",
    "[0]",
    "a[0].b",
    "x]",
    "*",
    "%",
    "_",
    "?",
    "a%_b*?",
    "with space",
    " lead",
    "ünï😀",
    "'); DROP TABLE x; --",
    '"); DROP TABLE x; --',
    "$.a",
    '$."a"',
    "$[0]",
    "prism_doc",
    "prism_kv",
    "{slot}",
    "a:b",
    "::",
    "tab\tand\nnewline",
]
"""Names that are SQL, LIKE, glob, JSON-path or quoting metacharacters, or look like them."""

HOSTILE_FIELDS: list[str] = [
    n.replace(".", "·") for n in HOSTILE_NAMES if not n.startswith("$")
] + ["a$b", "x$", "o'clock"]
"""Field names (no '.', which separates path segments; no leading '$', which marks operators)."""

HOSTILE_TOPICS: list[str] = [n for n in HOSTILE_NAMES if "*" not in n and ">" not in n]
"""Topic names: the hostile names without the pattern characters of pubsub_wildcards."""
