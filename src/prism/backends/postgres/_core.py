"""What both flavours share: the schema of a namespace and its versioned migrations.

Every namespace lives in a PostgreSQL schema of its own, ``prism_<slug>_<hash>``: ``slug`` is
up to 30 characters of the namespace name lower-cased with every run of characters other than
``[a-z0-9]`` made one ``_`` (for people reading ``\\dn``), ``hash`` the first 16 hex digits of the
name's SHA-256 (so two names never share a schema) — at most 53 bytes, inside PostgreSQL's
63-byte identifier limit.  The namespace's exact name is the schema's comment.  Identifiers
are always composed with :mod:`psycopg.sql`; values are always bound parameters.

A schema is created on first use, with a table ``prism_migrations(model, version)``; each data
model's tables are created by the numbered steps of :data:`MIGRATIONS`, applied under a
transaction-scoped advisory lock so that concurrent first uses (other threads, processes,
hosts) apply each step exactly once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache

from psycopg import sql  # noqa: TID253 (backend-internal module)

__all__ = [
    "BACKEND",
    "MIGRATIONS",
    "bootstrap",
    "collection_ddl",
    "render",
    "schema_name",
    "sequence_literal",
]

BACKEND = "postgres"

_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def schema_name(namespace: str) -> str:
    """The schema holding ``namespace`` (deterministic, at most 53 ASCII bytes)."""
    slug = _SLUG.sub("_", namespace.lower()).strip("_")[:30].strip("_")
    digest = hashlib.sha256(namespace.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"prism_{slug}_{digest}" if slug else f"prism_{digest}"


def render(template: str, schema: str, **tables: str) -> str:
    """``template`` with each ``{name}`` replaced by the quoted ``schema.table`` (``tables``
    maps placeholder → table name) and ``{schema}`` by the quoted schema; ``%s`` placeholders
    are left for the driver."""
    parts = {name: sql.Identifier(schema, table) for name, table in tables.items()}
    return sql.SQL(template).format(schema=sql.Identifier(schema), **parts).as_string(None)


def sequence_literal(schema: str, name: str) -> sql.Composable:
    """The ``regclass`` literal naming a sequence (for ``nextval(...)``)."""
    return sql.SQL("{}::regclass").format(sql.Literal(sql.Identifier(schema, name).as_string(None)))


def bootstrap(schema: str, namespace: str) -> list[str]:
    """Create the schema and its migration table (idempotent)."""
    return [
        # not CREATE SCHEMA IF NOT EXISTS: PostgreSQL checks the database's CREATE privilege
        # before it looks for the schema, and a namespace's own role (``prism acl``) owns its
        # schema without being allowed to create schemas
        sql.SQL(
            "DO $prism$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = {}) "
            "THEN CREATE SCHEMA {}; END IF; END $prism$"
        )
        .format(sql.Literal(schema), sql.Identifier(schema))
        .as_string(None),
        sql.SQL("COMMENT ON SCHEMA {} IS {}")
        .format(sql.Identifier(schema), sql.Literal(f"prism namespace {namespace}"))
        .as_string(None),
        render(
            "CREATE TABLE IF NOT EXISTS {m} (model text PRIMARY KEY, version integer NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())",
            schema,
            m="prism_migrations",
        ),
    ]


VERSION = "SELECT version FROM {m} WHERE model = %s"
SET_VERSION = (
    "INSERT INTO {m} (model, version) VALUES (%s, %s) "
    "ON CONFLICT (model) DO UPDATE SET version = EXCLUDED.version, applied_at = now()"
)

Step = Callable[[str], list[str]]


def _kv_1(schema: str) -> list[str]:
    return [
        render(
            'CREATE TABLE {t} (key text COLLATE "C" PRIMARY KEY, value bytea NOT NULL, '
            "expires_at timestamptz, version bigint NOT NULL DEFAULT 1)",
            schema,
            t="kv",
        ),
        render("CREATE INDEX ON {t} (expires_at) WHERE expires_at IS NOT NULL", schema, t="kv"),
    ]


def _queue_1(schema: str) -> list[str]:
    return [
        render("CREATE SEQUENCE {s}", schema, s="queue_seq"),
        sql.SQL(
            "CREATE TABLE {q} (seq bigint PRIMARY KEY DEFAULT nextval({s}), "
            "id text NOT NULL UNIQUE, queue text NOT NULL, payload bytea NOT NULL, "
            "headers bytea, priority integer NOT NULL DEFAULT 0, "
            "enqueued_at timestamptz NOT NULL DEFAULT now(), due timestamptz NOT NULL, "
            "attempts integer NOT NULL DEFAULT 0, receipt text, deadline timestamptz, "
            "origin text)"
        )
        .format(q=sql.Identifier(schema, "queue"), s=sequence_literal(schema, "queue_seq"))
        .as_string(None),
        render(
            "CREATE INDEX ON {q} (queue, priority DESC, seq) WHERE receipt IS NULL",
            schema,
            q="queue",
        ),
        render("CREATE INDEX ON {q} (deadline) WHERE receipt IS NOT NULL", schema, q="queue"),
        render("CREATE INDEX ON {q} (origin, seq) WHERE origin IS NOT NULL", schema, q="queue"),
        render(
            "CREATE TABLE {r} (queue text PRIMARY KEY, max_attempts integer NOT NULL, "
            "dead_letter_queue text NOT NULL)",
            schema,
            r="queue_dead_letter",
        ),
    ]


def _doc_1(schema: str) -> list[str]:
    return [
        render(
            "CREATE TABLE {i} (collection text NOT NULL, name text NOT NULL, "
            "fields jsonb NOT NULL, is_unique boolean NOT NULL, sql_name text NOT NULL, "
            "PRIMARY KEY (collection, name))",
            schema,
            i="doc_indexes",
        )
    ]


def _stream_1(schema: str) -> list[str]:
    return [
        render(
            "CREATE TABLE {m} (stream text PRIMARY KEY, partitions integer NOT NULL DEFAULT 1, "
            "max_age float8, max_length bigint)",
            schema,
            m="stream_meta",
        ),
        render(
            "CREATE TABLE {p} (stream text NOT NULL, partition integer NOT NULL, "
            "next_offset bigint NOT NULL, last_ts float8 NOT NULL, PRIMARY KEY (stream, partition))",
            schema,
            p="stream_partition",
        ),
        render(
            'CREATE TABLE {r} (stream text NOT NULL, partition integer NOT NULL, "offset" bigint '
            "NOT NULL, payload bytea NOT NULL, headers text, ts float8 NOT NULL, key text, "
            'PRIMARY KEY (stream, partition, "offset"))',
            schema,
            r="stream_record",
        ),
        render("CREATE INDEX ON {r} (stream, partition, ts)", schema, r="stream_record"),
        render(
            "CREATE TABLE {g} (stream text NOT NULL, grp text NOT NULL, next_offset bigint "
            "NOT NULL, last_delivered bigint, PRIMARY KEY (stream, grp))",
            schema,
            g="stream_group",
        ),
        render(
            "CREATE TABLE {c} (seq bigint GENERATED ALWAYS AS IDENTITY, stream text NOT NULL, "
            "grp text NOT NULL, consumer text NOT NULL, PRIMARY KEY (stream, grp, consumer))",
            schema,
            c="stream_consumer",
        ),
        render(
            'CREATE TABLE {e} (stream text NOT NULL, grp text NOT NULL, "offset" bigint NOT NULL, '
            "consumer text NOT NULL, delivered_at float8 NOT NULL, count integer NOT NULL, "
            'PRIMARY KEY (stream, grp, "offset"))',
            schema,
            e="stream_pending",
        ),
    ]


def _ts_1(schema: str) -> list[str]:
    return [
        render(
            "CREATE TABLE {p} (series text NOT NULL, ts float8 NOT NULL, value float8 NOT NULL, "
            "labels jsonb NOT NULL DEFAULT '{{}}', PRIMARY KEY (series, ts))",
            schema,
            p="ts_point",
        ),
        render(
            "CREATE TABLE {r} (series text PRIMARY KEY, max_age float8 NOT NULL)",
            schema,
            r="ts_retention",
        ),
    ]


def _graph_1(schema: str) -> list[str]:
    return [
        render(
            'CREATE TABLE {n} (id text COLLATE "C" PRIMARY KEY, label text NOT NULL, '
            "properties text NOT NULL)",
            schema,
            n="graph_node",
        ),
        render(
            'CREATE TABLE {e} (id text COLLATE "C" PRIMARY KEY, source text COLLATE "C" NOT NULL, '
            'target text COLLATE "C" NOT NULL, label text NOT NULL, properties text NOT NULL)',
            schema,
            e="graph_edge",
        ),
        render("CREATE INDEX ON {e} (source, label)", schema, e="graph_edge"),
        render("CREATE INDEX ON {e} (target, label)", schema, e="graph_edge"),
    ]


def _set_1(schema: str) -> list[str]:
    return [
        render(
            "CREATE TABLE {s} (key text NOT NULL, digest bytea NOT NULL, member bytea NOT NULL, "
            "PRIMARY KEY (key, digest))",
            schema,
            s="set_member",
        )
    ]


def collection_ddl(schema: str, table: str) -> list[str]:
    """The table of one document collection (idempotent; see ``_ops/document.py``)."""
    return [
        render(
            'CREATE TABLE IF NOT EXISTS {t} (id text COLLATE "C" PRIMARY KEY, '
            "seq bigint GENERATED ALWAYS AS IDENTITY, body jsonb NOT NULL, raw text NOT NULL, "
            "lossy boolean NOT NULL DEFAULT false)",
            schema,
            t=table,
        ),
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin (body jsonb_path_ops)")
        .format(sql.Identifier(f"{table}_gin"), sql.Identifier(schema, table))
        .as_string(None),
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (seq) WHERE lossy")
        .format(sql.Identifier(f"{table}_lossy"), sql.Identifier(schema, table))
        .as_string(None),
    ]


MIGRATIONS: dict[str, list[Step]] = {
    "keyvalue": [_kv_1],
    "queue": [_queue_1],
    "document": [_doc_1],
    "stream": [_stream_1],
    "timeseries": [_ts_1],
    "graph": [_graph_1],
    "set": [_set_1],
    "pubsub": [],  # no tables: the schema's name is the notification channel
}
"""Data model → its migration steps, in order (step ``i`` brings the model to version ``i+1``)."""
