"""The tables prism keeps in a SQLite database, their version and the migration hook.

Every table is prefixed ``prism_`` (a database may hold the application's own tables too) and
every row carries its namespace in an ``ns`` column that leads each primary key and index: one
set of tables serves every namespace, a namespace's rows are one contiguous index range, and no
namespace ever needs DDL (so opening a fresh namespace never invalidates other connections'
prepared statements).  The exceptions are document indexes: each is a partial expression index
scoped to its namespace and collection (see ``_ops/document.py``).

``prism_schema`` holds one row with the schema version.  :func:`ensure_schema` creates the tables
in a fresh database, leaves a current one alone, runs :data:`MIGRATIONS` step by step on an older
one, and refuses a newer one (written by a later prism) with ``ConfigurationError``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from prism.errors import ConfigurationError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "ensure_schema", "schema_version"]

SCHEMA_VERSION = 1
"""The version this release writes and reads."""

_TABLES_V1 = """
CREATE TABLE IF NOT EXISTS prism_schema (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    updated_at REAL NOT NULL
);

-- keyvalue: version is a random 64-bit stamp renewed by every write (transactions compare it)
CREATE TABLE IF NOT EXISTS prism_kv (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    expires REAL,
    version INTEGER NOT NULL,
    PRIMARY KEY (ns, key)
);
CREATE INDEX IF NOT EXISTS prism_kv_expires ON prism_kv (expires) WHERE expires IS NOT NULL;

-- queue: seq is the delivery order within a priority (a move to or from a dead-letter queue
-- re-inserts the row, so it goes to the tail); a leased message has a receipt and a deadline
CREATE TABLE IF NOT EXISTS prism_queue (
    seq INTEGER PRIMARY KEY,
    ns TEXT NOT NULL,
    id TEXT NOT NULL,
    queue TEXT NOT NULL,
    payload BLOB NOT NULL,
    headers TEXT,
    priority INTEGER NOT NULL,
    enqueued_at REAL NOT NULL,
    due REAL NOT NULL,
    attempts INTEGER NOT NULL,
    receipt TEXT,
    deadline REAL,
    origin TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS prism_queue_id ON prism_queue (ns, id);
CREATE INDEX IF NOT EXISTS prism_queue_ready
    ON prism_queue (ns, queue, priority DESC, seq) WHERE receipt IS NULL;
CREATE INDEX IF NOT EXISTS prism_queue_leased
    ON prism_queue (ns, deadline) WHERE receipt IS NOT NULL;
CREATE INDEX IF NOT EXISTS prism_queue_dead
    ON prism_queue (ns, origin, seq) WHERE origin IS NOT NULL;
CREATE TABLE IF NOT EXISTS prism_queue_rule (
    ns TEXT NOT NULL,
    queue TEXT NOT NULL,
    max_attempts INTEGER NOT NULL,
    dead_letter_queue TEXT NOT NULL,
    PRIMARY KEY (ns, queue)
);

-- stream: offsets come from prism_stream_partition.next_offset, so a trim never lets them repeat
CREATE TABLE IF NOT EXISTS prism_stream (
    ns TEXT NOT NULL,
    stream TEXT NOT NULL,
    partitions INTEGER NOT NULL DEFAULT 1,
    max_age REAL,
    max_length INTEGER,
    PRIMARY KEY (ns, stream)
);
CREATE TABLE IF NOT EXISTS prism_stream_partition (
    ns TEXT NOT NULL,
    stream TEXT NOT NULL,
    partition INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,
    last_ts REAL NOT NULL,
    PRIMARY KEY (ns, stream, partition)
);
CREATE TABLE IF NOT EXISTS prism_stream_record (
    ns TEXT NOT NULL,
    stream TEXT NOT NULL,
    partition INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    payload BLOB NOT NULL,
    headers TEXT,
    ts REAL NOT NULL,
    key TEXT,
    PRIMARY KEY (ns, stream, partition, "offset")
);
CREATE INDEX IF NOT EXISTS prism_stream_record_ts
    ON prism_stream_record (ns, stream, partition, ts);
CREATE TABLE IF NOT EXISTS prism_stream_group (
    ns TEXT NOT NULL,
    stream TEXT NOT NULL,
    grp TEXT NOT NULL,
    next_offset INTEGER NOT NULL,
    last_delivered INTEGER,
    PRIMARY KEY (ns, stream, grp)
);
CREATE TABLE IF NOT EXISTS prism_stream_consumer (
    ns TEXT NOT NULL,
    stream TEXT NOT NULL,
    grp TEXT NOT NULL,
    consumer TEXT NOT NULL,
    UNIQUE (ns, stream, grp, consumer)
);
CREATE TABLE IF NOT EXISTS prism_stream_pending (
    ns TEXT NOT NULL,
    stream TEXT NOT NULL,
    grp TEXT NOT NULL,
    "offset" INTEGER NOT NULL,
    consumer TEXT NOT NULL,
    delivered_at REAL NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (ns, stream, grp, "offset")
);

-- set: one row per member, identified by its SHA-256 (a member may be megabytes: it must not be
-- an index key, which SQLite reads whole at every comparison)
CREATE TABLE IF NOT EXISTS prism_set (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    digest BLOB NOT NULL,
    member BLOB NOT NULL,
    PRIMARY KEY (ns, key, digest)
);

-- timeseries: one point per (series, timestamp)
CREATE TABLE IF NOT EXISTS prism_ts_point (
    ns TEXT NOT NULL,
    series TEXT NOT NULL,
    ts REAL NOT NULL,
    value REAL NOT NULL,
    labels TEXT,
    PRIMARY KEY (ns, series, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS prism_ts_retention (
    ns TEXT NOT NULL,
    series TEXT NOT NULL,
    max_age REAL NOT NULL,
    PRIMARY KEY (ns, series)
);

-- graph: properties are JSON text
CREATE TABLE IF NOT EXISTS prism_graph_node (
    ns TEXT NOT NULL,
    id TEXT NOT NULL,
    label TEXT NOT NULL,
    properties TEXT NOT NULL,
    PRIMARY KEY (ns, id)
);
CREATE TABLE IF NOT EXISTS prism_graph_edge (
    ns TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    label TEXT NOT NULL,
    properties TEXT NOT NULL,
    PRIMARY KEY (ns, id)
);
CREATE INDEX IF NOT EXISTS prism_graph_edge_out ON prism_graph_edge (ns, source, target);
CREATE INDEX IF NOT EXISTS prism_graph_edge_in ON prism_graph_edge (ns, target, source);

-- document: the whole document (with "_id") as JSON text
CREATE TABLE IF NOT EXISTS prism_doc (
    ns TEXT NOT NULL,
    coll TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (ns, coll, id)
);
CREATE TABLE IF NOT EXISTS prism_doc_index (
    ns TEXT NOT NULL,
    coll TEXT NOT NULL,
    name TEXT NOT NULL,
    fields TEXT NOT NULL,
    is_unique INTEGER NOT NULL,
    sql_name TEXT,
    PRIMARY KEY (ns, coll, name)
);
"""

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: dict[int, Migration] = {}
"""``from_version → step``: each step upgrades the schema by one version, inside the
transaction that :func:`ensure_schema` holds (``BEGIN IMMEDIATE``), so a half-done migration
never commits.  Version 1 is the first release; a later release adds ``MIGRATIONS[1]`` and bumps
:data:`SCHEMA_VERSION` to 2."""


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (``executescript`` would commit our
    transaction)."""
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return out


def schema_version(conn: sqlite3.Connection) -> int | None:
    """The version recorded in the database, or None when it holds no prism schema yet."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'prism_schema'"
    ).fetchone()
    if found is None:
        return None
    row = conn.execute("SELECT version FROM prism_schema WHERE id = 1").fetchone()
    return None if row is None else int(row[0])


def _check_not_newer(version: int | None, location: str) -> None:
    if version is not None and version > SCHEMA_VERSION:
        msg = (
            f"{location} has prism schema version {version}, newer than the {SCHEMA_VERSION} "
            "this prism understands; upgrade prism to open it"
        )
        raise ConfigurationError(msg, backend="sqlite")


def ensure_schema(conn: sqlite3.Connection, location: str) -> int:
    """Create or migrate the schema to :data:`SCHEMA_VERSION`; return the version found before
    (0 for a fresh database).  A current schema costs one read and takes no write lock."""
    version = schema_version(conn)
    _check_not_newer(version, location)
    if version == SCHEMA_VERSION:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(conn)  # another process may have got here first
        _check_not_newer(version, location)
        before = version or 0
        if version is None:
            for statement in _statements(_TABLES_V1):
                conn.execute(statement)
            version = 1
        while version < SCHEMA_VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                msg = f"{location}: no migration from prism schema version {version}"
                raise ConfigurationError(msg, backend="sqlite")
            step(conn)
            version += 1
        conn.execute(
            "INSERT INTO prism_schema (id, version, updated_at) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
            "updated_at = excluded.updated_at",
            (version, time.time()),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before
