"""Authentication and server-enforced tenant isolation on a real Redis (issue 17).

Each test starts its own ``redis-server`` with ACLs (the admin is the ``default`` user with a
password), creates one ACL user per namespace from ``prism acl``'s own output, and then checks
what those users can and cannot do — through prism and through a raw redis-py client.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.exceptions

import prism
from prism.acl import PASSWORD, access_rules
from prism.backends.redis._testing import redis_binary, start_redis
from tests.test_credentials import TokenEndpoint

pytestmark = pytest.mark.skipif(redis_binary() is None, reason="needs a redis-server binary")

ADMIN = "admin-Pa55"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    srv = start_redis(tmp_path / "redis", password=ADMIN)
    yield srv
    srv.stop()


def admin(server: Any) -> redis.Redis:
    return redis.Redis(port=server.port, password=ADMIN)


def apply_acl(server: Any, namespace: str, config: dict[str, Any], password: str) -> str:
    """Run ``prism acl``'s Redis rule for ``namespace`` as the admin; returns the user name."""
    (rules,) = access_rules(namespace, config=config)
    (rule,) = rules.rules
    argv = rule.replace(PASSWORD, password).split()
    assert argv[:2] == ["ACL", "SETUSER"]
    with admin(server) as client:
        assert client.execute_command(*argv) in (b"OK", "OK", True)
    return rules.principal


def one_namespace(
    server: Any, ns: str, credentials: dict[str, Any], retries: int
) -> dict[str, Any]:
    """A prism.yaml mapping: one redis entry on ``server`` and namespace ``ns`` with its own
    ``credentials``."""
    url = f"redis://127.0.0.1:{server.port}/0"
    return {
        "backends": {"r": {"type": "redis", "connection": url, "options": {"retries": retries}}},
        "namespaces": {ns: {"backend": "r", "credentials": credentials}},
    }


def oidc(endpoint: TokenEndpoint, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "oidc",
        "token_url": endpoint.url,
        "client_id": "app",
        "client_secret": "app-secret",
        "username": "svc",
        **extra,
    }


def two_tenants(server: Any, ns_a: str, ns_b: str) -> dict[str, Any]:
    url = f"redis://127.0.0.1:{server.port}/0"
    return {
        "backends": {"r": {"type": "redis", "connection": url, "options": {"retries": 1}}},
        "namespaces": {
            ns_a: {
                "backend": "r",
                "credentials": {"provider": "static", "username": "tenant-a", "password": "pw-a"},
            },
            ns_b: {
                "backend": "r",
                "credentials": {"provider": "static", "username": "tenant-b", "password": "pw-b"},
            },
        },
    }


def test_a_tenant_user_from_prism_acl_reaches_its_namespace_and_never_another(
    server: Any,
) -> None:
    ns_a, ns_b = f"a[{uuid.uuid4().hex[:6]}]*", f"b-{uuid.uuid4().hex[:6]}"
    config = two_tenants(server, ns_a, ns_b)
    assert apply_acl(server, ns_a, config, "pw-a") == "tenant-a"
    assert apply_acl(server, ns_b, config, "pw-b") == "tenant-b"

    with prism.open(ns_a, config=config) as a, prism.open(ns_b, config=config) as b:
        a.keyvalue.set("k", b"alpha")
        b.keyvalue.set("k", b"beta")
        a.set.add("s", b"x")
        assert a.keyvalue.get("k") == b"alpha" and b.keyvalue.get("k") == b"beta"
        # a namespace opened with another tenant's credentials is refused by the server
        crossed = {**config, "namespaces": {ns_b: config["namespaces"][ns_a]}}
        with prism.open(ns_b, config=crossed) as wrong:
            with pytest.raises(prism.ConfigurationError, match=r"(?i)permission|noperm"):
                wrong.keyvalue.get("k")
            with pytest.raises(prism.ConfigurationError):
                wrong.keyvalue.set("k", b"overwritten")
        assert b.keyvalue.get("k") == b"beta"

    # a raw client holding tenant A's credentials cannot read or write B's keys
    with (
        redis.Redis(port=server.port, username="tenant-a", password="pw-a") as raw,
        admin(server) as root,
    ):
        b_keys = [k for k in root.keys("*") if ns_b.encode() in k]
        assert b_keys
        for key in b_keys:
            with pytest.raises(redis.exceptions.NoPermissionError):
                raw.get(key)
            with pytest.raises(redis.exceptions.NoPermissionError):
                raw.set(key, b"x")
        with pytest.raises(redis.exceptions.NoPermissionError):
            raw.publish(f"prism:{{{ns_b}}}:ps:t", b"x")
        with pytest.raises(redis.exceptions.NoPermissionError):
            raw.flushall()
        with pytest.raises(redis.exceptions.NoPermissionError):
            raw.keys("*")


def test_a_rotated_password_file_is_used_from_the_next_connection_without_errors(
    server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ns = f"rot-{uuid.uuid4().hex[:6]}"
    secret = tmp_path / "password"
    secret.write_text("old-pass")
    config = one_namespace(
        server, ns, {"provider": "file", "path": str(secret), "username": "rot"}, retries=2
    )
    apply_acl(server, ns, config, "old-pass")
    with prism.open(ns, config=config) as handle:
        kv = handle.keyvalue
        kv.set("before", b"1")
        # rotation as an operator does it: the server accepts the new password and forgets the
        # old one, the mounted secret is replaced, and live connections are dropped
        with admin(server) as root:
            root.execute_command("ACL", "SETUSER", "rot", ">new-pass", "<old-pass")
            replacement = tmp_path / "password.new"
            replacement.write_text("new-pass")
            replacement.replace(secret)
            root.execute_command("CLIENT", "KILL", "USER", "rot")
        assert kv.get("before") == b"1"  # no error surfaces to the caller
        kv.set("after", b"2")
        assert kv.get("after") == b"2"
    assert "old-pass" not in caplog.text and "new-pass" not in caplog.text


def test_an_expired_token_is_refreshed_mid_run_with_no_error_reaching_the_caller(
    server: Any, tmp_path: Path
) -> None:
    """The server accepts only the newest token (as when a token expires), and drops the
    connections authenticated with the previous one; the OIDC provider's token is then stale,
    so the reconnect asks the endpoint for a new one."""
    ns = f"oidc-{uuid.uuid4().hex[:6]}"
    with TokenEndpoint(expires_in=3600) as endpoint:

        def accept_only(token: str) -> None:
            with admin(server) as root:
                root.execute_command("ACL", "SETUSER", "svc", "resetpass", f">{token}")
                root.execute_command("CLIENT", "KILL", "USER", "svc")

        config = one_namespace(
            server, ns, oidc(endpoint, cache_dir=str(tmp_path / "cache")), retries=2
        )
        apply_acl(server, ns, config, "placeholder-not-a-token")
        endpoint.on_issue = accept_only
        with prism.open(ns, config=config) as handle:
            kv = handle.keyvalue
            kv.set("k", b"v1")
            assert endpoint.issued == ["tok-1"]
            # tok-1 expires at the server: another token is issued out of band (as a second
            # process of the application would), the server accepts only that one and drops
            # the connections of tok-1
            with admin(server) as root:
                root.execute_command("ACL", "SETUSER", "svc", "resetpass", ">tok-other")
                root.execute_command("CLIENT", "KILL", "USER", "svc")
            endpoint.on_issue = accept_only
            # our reconnect presents tok-1: rejected once, refreshed (tok-2), accepted
            assert kv.get("k") == b"v1"
            assert endpoint.issued == ["tok-1", "tok-2"]
            kv.set("k", b"v2")
            assert kv.get("k") == b"v2"


def test_async_flavour_refreshes_a_rejected_credential_too(server: Any, tmp_path: Path) -> None:
    ns = f"async-{uuid.uuid4().hex[:6]}"
    with TokenEndpoint() as endpoint:
        config = one_namespace(server, ns, oidc(endpoint, cache=False), retries=1)
        apply_acl(server, ns, config, "tok-2")  # the server already expects the next token

        async def main() -> bytes | None:
            async with await prism.open_async(ns, config=config) as handle:
                await handle.keyvalue.set("k", b"async")
                return await handle.keyvalue.get("k")

        assert asyncio.run(main()) == b"async"
        assert endpoint.issued == ["tok-1", "tok-2"]  # tok-1 rejected, refreshed once


def test_a_wrong_secret_fails_fast_with_one_refresh_and_no_loop(server: Any) -> None:
    ns = f"wrong-{uuid.uuid4().hex[:6]}"
    with TokenEndpoint() as endpoint:
        config = one_namespace(server, ns, oidc(endpoint, cache=False), retries=3)
        apply_acl(server, ns, config, "never-issued")
        with pytest.raises(prism.ConfigurationError) as info:
            prism.open(ns, config=config)
        assert "tok-" not in str(info.value) and "app-secret" not in str(info.value)
        assert len(endpoint.issued) == 2  # the first token and one refresh, no more
