"""Authentication and server-enforced tenant isolation on a real PostgreSQL (issue 17).

A private server per module, switched to password (SCRAM) authentication for TCP connections
of every role but the administrator ``postgres``; one login role per namespace is created from
``prism acl``'s own output.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import prism
from prism.acl import PASSWORD, access_rules
from prism.backends.postgres._core import schema_name
from prism.backends.postgres._testing import postgres_bindir, start_postgres

pytestmark = pytest.mark.skipif(postgres_bindir() is None, reason="needs PostgreSQL binaries")


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    srv = start_postgres()
    hba = srv.datadir / "data" / "pg_hba.conf"
    hba.write_text(
        "local all all trust\n"
        "host all postgres 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    with psycopg.connect(srv.url, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    yield srv
    srv.stop()


def tenant_url(server: Any) -> str:
    return f"postgresql://127.0.0.1:{server.port}/postgres"


def apply_acl(server: Any, namespace: str, config: dict[str, Any], password: str) -> str:
    (rules,) = access_rules(namespace, config=config)
    with psycopg.connect(server.url, autocommit=True) as conn:
        for statement in rules.rules:
            conn.execute(statement.replace(PASSWORD, password.replace("'", "''")))  # type: ignore[arg-type]
    return rules.principal


def tenants(server: Any, **namespaces: tuple[str, str]) -> dict[str, Any]:
    return {
        "backends": {"pg": {"type": "postgres", "connection": tenant_url(server)}},
        "namespaces": {
            ns: {
                "backend": "pg",
                "credentials": {"provider": "static", "username": user, "password": pw},
            }
            for ns, (user, pw) in namespaces.items()
        },
    }


def test_a_role_from_prism_acl_owns_its_schema_and_cannot_reach_another(server: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    ns_a, ns_b = f"orders-{tag}", f"billing-{tag}"
    user_a, user_b = f"ta_{tag}", f"tb_{tag}"
    config = tenants(server, **{ns_a: (user_a, "pw-a'q"), ns_b: (user_b, "pw-b")})
    assert apply_acl(server, ns_a, config, "pw-a'q") == user_a
    assert apply_acl(server, ns_b, config, "pw-b") == user_b

    with prism.open(ns_a, config=config) as a, prism.open(ns_b, config=config) as b:
        a.keyvalue.set("k", b"alpha")
        b.keyvalue.set("k", b"beta")
        a.queue.enqueue("jobs", b"job-a")
        assert a.keyvalue.get("k") == b"alpha" and b.keyvalue.get("k") == b"beta"
        # namespace B opened with A's role: the server refuses B's schema
        crossed = tenants(server, **{ns_b: (user_a, "pw-a'q")})
        with prism.open(ns_b, config=crossed) as wrong, pytest.raises(prism.ConfigurationError):
            wrong.keyvalue.get("k")
        assert b.keyvalue.get("k") == b"beta"

    # a raw psycopg client logged in as A's role can neither read nor write B's schema
    schema_b = schema_name(ns_b)
    raw = f"postgresql://{user_a}:pw-a'q@127.0.0.1:{server.port}/postgres"
    with psycopg.connect(raw.replace("'", "%27"), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema_b],
        ).fetchall()
        assert tables == []  # not even visible
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                psycopg.sql.SQL("SELECT * FROM {}.{}").format(
                    psycopg.sql.Identifier(schema_b), psycopg.sql.Identifier("prism_migrations")
                )
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                psycopg.sql.SQL("CREATE TABLE {}.x (i int)").format(
                    psycopg.sql.Identifier(schema_b)
                )
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE SCHEMA squatter")


def test_a_refused_password_is_refreshed_once_then_the_connection_succeeds(
    server: Any, tmp_path: Path
) -> None:
    """The password file still holds the old password when the pool first connects: refused,
    the provider reads the file again (rotated meanwhile) and the connection succeeds."""
    tag = uuid.uuid4().hex[:6]
    ns, user = f"rot-{tag}", f"rot_{tag}"
    secret = tmp_path / "pw"
    secret.write_text("old")
    config = {
        "backends": {"pg": {"type": "postgres", "connection": tenant_url(server)}},
        "namespaces": {
            ns: {
                "backend": "pg",
                "credentials": {"provider": "file", "path": str(secret), "username": user},
            }
        },
    }
    apply_acl(server, ns, config, "new")

    calls: list[int] = []
    from prism.credentials import FileCredentials, provider_for

    provider = provider_for(FileCredentials.model_validate(config["namespaces"][ns]["credentials"]))
    original = provider._fetch

    def fetch_then_rotate() -> Any:
        cred = original()
        calls.append(1)
        if len(calls) == 1:  # the server already moved on: the file follows right after
            secret.write_text("new")
        return cred

    provider._fetch = fetch_then_rotate  # type: ignore[method-assign]

    async def run_async() -> bytes | None:
        async with await prism.open_async(ns, config=config) as handle:
            await handle.keyvalue.set("k", b"async")
            return await handle.keyvalue.get("k")

    with prism.open(ns, config=config) as handle:
        handle.keyvalue.set("k", b"v")
        assert handle.keyvalue.get("k") == b"v"
    assert len(calls) == 2  # "old" refused once, "new" accepted
    assert asyncio.run(run_async()) == b"async"


def test_a_wrong_password_is_a_configuration_error_without_the_secret(server: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    ns, user = f"bad-{tag}", f"bad_{tag}"
    config = tenants(server, **{ns: (user, "wrong-Secret-9")})
    apply_acl(server, ns, config, "right")
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open(ns, config=config)
    assert "wrong-Secret-9" not in str(info.value)
