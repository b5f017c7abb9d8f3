# Generated from src/prism/backends/postgres/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The postgres backend class (async flavour: ``psycopg.Connection`` in an
``psycopg_pool.ConnectionPool``; the sync twin uses ``Connection`` and ``ConnectionPool``)."""

from __future__ import annotations

import itertools
from typing import Any

from psycopg import Connection  # noqa: TID253 (backend-internal module)
from psycopg_pool import ConnectionPool

from prism.backends._errors import translating
from prism.backends.base import Backend
from prism.backends.postgres._auth import (
    connect_kwargs,
    probe,
    refreshing_connection,
)
from prism.backends.postgres._config import parse_config
from prism.backends.postgres._core import (
    BACKEND,
    MIGRATIONS,
    SET_VERSION,
    VERSION,
    bootstrap,
    render,
)
from prism.backends.postgres._errors import translate
from prism.backends.postgres.document import PostgresDocument
from prism.backends.postgres.graph import PostgresGraph
from prism.backends.postgres.keyvalue import PostgresKeyValue
from prism.backends.postgres.pubsub import PostgresPubSub, PostgresSubscription
from prism.backends.postgres.queue import PostgresQueue
from prism.backends.postgres.set import PostgresSet
from prism.backends.postgres.stream import PostgresStream
from prism.backends.postgres.timeseries import PostgresTimeSeries
from prism.backends.settings import BackendSettings

__all__ = ["PostgresBackend"]


class PostgresBackend(Backend):
    """One connection pool to one PostgreSQL database, shared by the namespaces opened on the
    same connection entry; each namespace is a schema of its own (see ``_core.py`` and
    ``docs/backends/postgres.md``).  Pooled connections run in autocommit mode; multi-statement
    work opens an explicit transaction (READ COMMITTED unless said otherwise)."""

    facet_classes = {
        "keyvalue": PostgresKeyValue,
        "queue": PostgresQueue,
        "document": PostgresDocument,
        "stream": PostgresStream,
        "timeseries": PostgresTimeSeries,
        "pubsub": PostgresPubSub,
        "graph": PostgresGraph,
        "set": PostgresSet,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self._pool: ConnectionPool[Any] | None = None
        self.ready: set[tuple[str, str]] = set()
        """(schema, model or table) pairs known to be in place."""
        self._writes = itertools.count(1)
        self.subscriptions: set[PostgresSubscription] = set()
        """Open pubsub subscriptions (each on a connection of its own), closed with the backend."""

    @property
    def pool(self) -> ConnectionPool[Any]:
        if self._pool is None:
            msg = "the postgres backend is not open"
            raise RuntimeError(msg)
        return self._pool

    def open(self) -> None:
        config = self.config
        kwargs: dict[str, Any] = {
            "autocommit": True,
            "prepare_threshold": config.prepare_threshold,
            **config.libpq,
        }
        provider = self.settings.credentials
        pool: ConnectionPool[Any] = ConnectionPool(
            config.conninfo,
            connection_class=refreshing_connection(provider),
            kwargs=connect_kwargs(kwargs, provider),
            min_size=config.min_size,
            max_size=config.max_size,
            timeout=config.timeout,
            max_idle=config.max_idle,
            max_lifetime=config.max_lifetime,
            name="prism",
            open=False,
        )
        try:
            with translating(BACKEND, "open", translate):
                if provider is not None:
                    # one direct connection first: a refused credential is refreshed once and
                    # then reported (ConfigurationError), where the pool would retry it in the
                    # background until its timeout
                    probe(config.conninfo, kwargs, provider)
                pool.open(wait=True, timeout=config.timeout)
        except BaseException:
            pool.close()
            raise
        self._pool = pool

    def close(self) -> None:
        for subscription in list(self.subscriptions):
            subscription.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def count_write(self, every: int) -> bool:
        """Count one write; True once every ``every`` writes (time for housekeeping)."""
        return next(self._writes) % every == 0

    def ensure(self, schema: str, namespace: str, model: str) -> None:
        """Create ``schema`` and bring ``model``'s tables in it to the latest version, once per
        backend (the check is a set lookup afterwards)."""
        if (schema, model) in self.ready:
            return
        steps = MIGRATIONS[model]
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [schema])
            for statement in bootstrap(schema, namespace):
                conn.execute(statement)
            cur = conn.execute(render(VERSION, schema, m="prism_migrations"), [model])
            row = cur.fetchone()
            version = 0 if row is None else int(row[0])
            for number in range(version, len(steps)):
                for statement in steps[number](schema):
                    conn.execute(statement)
            if version < len(steps):
                conn.execute(render(SET_VERSION, schema, m="prism_migrations"), [model, len(steps)])
        self.ready.add((schema, model))

    def forget(self, schema: str) -> None:
        """Drop what is known of ``schema`` (it vanished): the next use creates it again."""
        self.ready = {entry for entry in self.ready if entry[0] != schema}

    def ensure_ddl(
        self, conn: Connection[Any], schema: str, key: str, statements: list[str]
    ) -> None:
        """Run idempotent DDL ``statements`` (a document collection's table) once per backend,
        on ``conn`` (the caller's pooled connection, in autocommit mode) under the schema's
        advisory lock."""
        if (schema, key) in self.ready:
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [schema])
            for statement in statements:
                conn.execute(statement)
        self.ready.add((schema, key))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
