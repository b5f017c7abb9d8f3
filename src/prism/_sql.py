"""The one place where user-chosen text becomes SQL text.

Every SQL statement prism sends binds its values as parameters.  A few places cannot: SQL has
no parameters for identifiers (table, column and index names), and SQLite evaluates the
expressions of ``CREATE INDEX`` (and wants them spelt exactly like the query's expressions for
the index to be used), so the JSON paths there must be literals.  Those places, and only those,
build SQL text from names, and they do it with the helpers below:

* :func:`quote_identifier` -- a standard SQL delimited identifier (``"a""b"``), for SQLite and
  PostgreSQL alike.
* :func:`quote_literal` -- a standard SQL string literal (``'o''clock'``).  Backslashes are not
  special in standard SQL (PostgreSQL with ``standard_conforming_strings``, its default and
  the only setting a backend may assume; SQLite always).
* :func:`sqlite_json_path` / :func:`sqlite_json_path_literal` -- the SQLite JSON path of a key
  path (``$."a"."b"``), for keys :data:`PLAIN_JSON_KEY` accepts; other keys cannot be written
  as a path on every SQLite version and must be looked up with ``json_each`` and a bound key.

Each refuses text it cannot represent exactly (NUL, lone surrogates, keys outside the plain
set) with :class:`ValueError` rather than producing a near miss: a caller that reaches one has
a bug, since the public API validated the names first.  Code that builds SQL with an f-string
may interpolate only constants of its own module and the results of these helpers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = [
    "PLAIN_JSON_KEY",
    "quote_identifier",
    "quote_literal",
    "sqlite_json_path",
    "sqlite_json_path_literal",
]

PLAIN_JSON_KEY: Final = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]+")
"""Object keys that may be written as a quoted label (``."key"``) of a SQLite JSON path on every
SQLite version however the JSON text escapes them: non-empty printable ASCII without ``"`` and
``\\`` (SQLite < 3.45 compares labels with the raw, still-escaped key text, and has no escape
for ``"`` inside a label).  ``'`` and every other SQL or JSON-path metacharacter are fine: the
label ends only at ``"`` and the literal around the path is quoted by :func:`quote_literal`."""


def _text(text: str, what: str) -> str:
    if type(text) is not str:
        msg = f"{what} must be a str, got {type(text).__name__}"
        raise TypeError(msg)
    if "\x00" in text:
        msg = f"{what} contains NUL, which SQL text cannot carry"
        raise ValueError(msg)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        msg = f"{what} has a lone surrogate, which SQL text cannot carry"
        raise ValueError(msg) from None
    return text


def quote_identifier(name: str) -> str:
    """``name`` as a delimited SQL identifier: in double quotes, inner ``"`` doubled."""
    if not _text(name, "an SQL identifier"):
        msg = "an SQL identifier cannot be empty"
        raise ValueError(msg)
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a standard SQL string literal: in single quotes, inner ``'`` doubled."""
    return "'" + _text(text, "an SQL string literal").replace("'", "''") + "'"


def sqlite_json_path(keys: Iterable[str | int]) -> str:
    """The SQLite JSON path text of a key path: ``$``, then ``."key"`` per object key and
    ``[i]`` per array index.  Raises :class:`ValueError` for a key outside
    :data:`PLAIN_JSON_KEY` or a negative index."""
    parts = ["$"]
    for key in keys:
        if isinstance(key, bool) or not isinstance(key, str | int):
            msg = f"a JSON path step must be a str key or an int index, got {key!r}"
            raise TypeError(msg)
        if isinstance(key, int):
            if key < 0:
                msg = f"a JSON path index must be >= 0, got {key}"
                raise ValueError(msg)
            parts.append(f"[{int(key)}]")
        elif PLAIN_JSON_KEY.fullmatch(key):
            parts.append(f'."{key}"')
        else:
            msg = (
                f"the key {key!r} cannot be written in a SQLite JSON path (allowed: printable "
                "ASCII without '\"' and '\\'); look it up with json_each() and a bound key"
            )
            raise ValueError(msg)
    return "".join(parts)


def sqlite_json_path_literal(keys: Iterable[str | int]) -> str:
    """:func:`sqlite_json_path` as a SQL string literal (``'$."o''clock"'``)."""
    return quote_literal(sqlite_json_path(keys))
