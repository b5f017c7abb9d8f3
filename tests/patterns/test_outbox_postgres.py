"""The outbox joins the application's own psycopg transaction (postgres database slot)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

import prism
from prism.backends.postgres._testing import postgres_bindir, start_postgres
from prism.testing.servers import env_url

pytestmark = pytest.mark.skipif(
    not env_url("postgres") and postgres_bindir() is None,
    reason="no PostgreSQL binaries and no PRISM_TEST_POSTGRES_URL",
)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    url = env_url("postgres")
    if url:
        yield url
        return
    server = start_postgres()
    yield server.url
    server.stop()


def _config(url: str) -> dict[str, Any]:
    return {
        "backends": {"pg": {"type": "postgres", "connection": url}},
        "namespaces": {
            "orders": {
                "pattern": "outbox",
                "slots": {"database": {"backend": "pg"}, "messaging": {"backend": "pg"}},
            }
        },
    }


def test_the_outbox_commits_and_rolls_back_with_the_applications_transaction(pg_url: str) -> None:
    table = f"invoices_{uuid.uuid4().hex[:8]}"
    with prism.open("orders", config=_config(pg_url)) as ns, psycopg.connect(pg_url) as app:
        app.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, total int)")
        app.commit()
        app.execute(f"INSERT INTO {table} (total) VALUES (1)")
        with ns.transaction(conn=app) as tx:
            tx.set("invoice/1", b"1")
            tx.enqueue("emails", b"invoice 1")
        app.rollback()
        assert ns.pending() == 0
        assert not ns.slots["database"].keyvalue.exists("invoice/1")
        app.execute(f"INSERT INTO {table} (total) VALUES (2)")
        with ns.transaction(conn=app) as tx:
            tx.set("invoice/2", b"2")
            tx.enqueue("emails", b"invoice 2")
        assert ns.pending() == 0  # not visible before the application commits
        app.commit()
        assert ns.pending() == 1
        assert ns.run_once() == 1
        message = ns.queue.dequeue("emails")
        assert message is not None
        assert message.payload == b"invoice 2"


def test_async_flavour_joins_an_async_psycopg_connection(pg_url: str) -> None:
    async def scenario() -> None:
        config = _config(pg_url)
        async with await prism.open_async("orders", config=config) as ns:
            async with await psycopg.AsyncConnection.connect(pg_url) as app:
                async with ns.transaction(conn=app) as tx:
                    await tx.set("invoice/3", b"3")
                    await tx.enqueue("emails", b"invoice 3")
                await app.commit()
            assert await ns.pending() == 1
            assert await ns.run_once() == 1

    asyncio.run(scenario())
