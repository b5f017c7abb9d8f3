"""Neptune IAM with a prism credential provider (issue 17).

The Gremlin stand-in accepts any handshake, so these tests serve its protocol handler from a
loopback server of their own that records every WebSocket handshake's headers (and refuses the
access keys a test names, as Neptune answers 403 to a signature it does not accept).  Each
recorded signature is recomputed with botocore's own SigV4 signer from the key the provider
handed out and the signing time in the request: the handshake is signed with that key, not
merely labelled with it.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("gremlin_python")
pytest.importorskip("graphersal")
pytest.importorskip("botocore")

from aiohttp import web

import prism
from prism.acl import access_rules
from prism.backends.gremlin._standin import StandIn, _gremlin

REGION = "us-east-1"


class RecordingNeptune:
    """The stand-in's Gremlin handler behind a handshake that is recorded, and refused (403)
    for the access key ids in :attr:`refused`."""

    def __init__(self) -> None:
        self.handshakes: list[dict[str, str]] = []
        self.refused: set[str] = set()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _handler(self, request: web.Request) -> web.StreamResponse:
        headers = dict(request.headers)
        self.handshakes.append(headers)
        key = headers.get("Authorization", "").partition("Credential=")[2].partition("/")[0]
        if key in self.refused:
            raise web.HTTPForbidden()
        return await _gremlin(request)

    async def _start(self) -> None:
        app = web.Application()
        with warnings.catch_warnings():  # the stand-in's handler reads a plain string key
            warnings.simplefilter("ignore")
            app["standin"] = StandIn()
        app.router.add_get("/gremlin", self._handler)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def start(self) -> RecordingNeptune:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=30)
        self.loop.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gremlin"

    def keys(self) -> list[str]:
        """The access key id of each handshake, in order."""
        return [
            h.get("Authorization", "").partition("Credential=")[2].partition("/")[0]
            for h in self.handshakes
        ]


@pytest.fixture
def neptune() -> Iterator[RecordingNeptune]:
    server = RecordingNeptune().start()
    yield server
    server.stop()


def expected_authorization(url: str, headers: dict[str, str], key: str, secret: str) -> str:
    """botocore's own SigV4 for the handshake, at the signing time the request carries."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    stamp = headers["X-Amz-Date"]
    request = AWSRequest(method="GET", url=url.replace("ws://", "http://", 1))
    request.context["timestamp"] = stamp
    request.headers["X-Amz-Date"] = stamp
    signer = SigV4Auth(Credentials(key, secret), "neptune-db", REGION)
    signature = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    scope = f"{key}/{stamp[:8]}/{REGION}/neptune-db/aws4_request"
    return (
        f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature={signature}"
    )


def write_keys(path: Path, key: str, secret: str) -> None:
    """Replace the document as a mounted secret is replaced: a new file renamed over it."""
    tmp = path.with_suffix(".new")
    tmp.write_text(json.dumps({"username": key, "password": secret}))
    tmp.replace(path)


def neptune_config(url: str, credentials: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {
        "backends": {
            "np": {
                "type": "neptune",
                "connection": url,
                "options": {"region": REGION, **options},
                "credentials": credentials,
            }
        },
        "default_backend": "np",
    }


def test_a_rotated_key_signs_the_next_new_connection(
    neptune: RecordingNeptune, tmp_path: Path
) -> None:
    doc = tmp_path / "aws.json"
    write_keys(doc, "AKIAFIRSTKEY", "first-secret-Qw3")
    creds = {"provider": "file", "path": str(doc), "format": "json"}
    ns = f"np-{uuid.uuid4().hex[:8]}"
    # two pooled WebSockets: the open probe connects the first, the next call the second
    with prism.open(ns, config=neptune_config(neptune.url, creds, pool_size=2)) as graph_ns:
        assert neptune.keys() == ["AKIAFIRSTKEY"]
        write_keys(doc, "AKIASECONDKEY", "second-secret-Zx8")
        graph_ns.graph.add_node("a", "person", {"name": "a"})
        assert graph_ns.graph.get_node("a") is not None
    assert neptune.keys() == ["AKIAFIRSTKEY", "AKIASECONDKEY"]
    first, second = neptune.handshakes
    assert first["Authorization"] == expected_authorization(
        neptune.url, first, "AKIAFIRSTKEY", "first-secret-Qw3"
    )
    assert second["Authorization"] == expected_authorization(
        neptune.url, second, "AKIASECONDKEY", "second-secret-Zx8"
    )
    for headers in neptune.handshakes:
        assert "secret" not in json.dumps(headers)


def test_async_flavour_signs_with_the_provider_too(
    neptune: RecordingNeptune, tmp_path: Path
) -> None:
    doc = tmp_path / "aws.json"
    write_keys(doc, "AKIAASYNCKEY", "async-secret-Pl0")
    creds = {"provider": "file", "path": str(doc), "format": "json"}

    async def main() -> None:
        config = neptune_config(neptune.url, creds, pool_size=1)
        ns = await prism.open_async("np-async", config=config)
        async with ns:
            await ns.graph.add_node("a", "person", {})

    asyncio.run(main())
    (headers,) = neptune.handshakes
    assert headers["Authorization"] == expected_authorization(
        neptune.url, headers, "AKIAASYNCKEY", "async-secret-Pl0"
    )


def command_credentials(source: Path) -> dict[str, Any]:
    """A command provider printing ``source`` (its cache lasts longer than the test)."""
    cat = f"{shlex.quote(sys.executable)} -c 'import sys; print(open(sys.argv[1]).read())'"
    return {
        "provider": "command",
        "command": [*shlex.split(cat), str(source)],
        "format": "json",
        "ttl": 3600,
    }


def test_a_refused_signature_is_refreshed_once_and_reconnects(
    neptune: RecordingNeptune, tmp_path: Path
) -> None:
    doc = tmp_path / "aws.json"
    write_keys(doc, "AKIAREVOKED", "revoked-secret-Mn5")
    creds = command_credentials(doc)
    config = neptune_config(neptune.url, creds, pool_size=1)
    from prism.credentials import provider_for
    from prism.registry.resolver import load_config

    loaded = load_config(config)
    assert loaded is not None
    provider = provider_for(loaded.backends["np"].credentials)  # type: ignore[arg-type]
    assert provider.get().username == "AKIAREVOKED"  # cached for an hour
    # the key is revoked and a new one issued; the provider still holds the old one
    neptune.refused.add("AKIAREVOKED")
    write_keys(doc, "AKIAISSUED", "issued-secret-Hy7")
    with prism.open("np-refused", config=config) as ns:
        ns.graph.add_node("a", "person", {})
    assert neptune.keys() == ["AKIAREVOKED", "AKIAISSUED"]


def test_a_wrong_key_fails_after_one_refresh_without_the_secret(
    neptune: RecordingNeptune, tmp_path: Path
) -> None:
    doc = tmp_path / "aws.json"
    write_keys(doc, "AKIAWRONG", "wrong-secret-Vb2")
    neptune.refused.add("AKIAWRONG")
    creds = {"provider": "file", "path": str(doc), "format": "json"}
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("np-wrong", config=neptune_config(neptune.url, creds))
    assert neptune.keys() == ["AKIAWRONG", "AKIAWRONG"]  # one refresh, no loop
    text = f"{info.value} {info.value!r} {info.value.__cause__!r} {info.value.__context__!r}"
    assert "wrong-secret" not in text
    assert "IAM" in str(info.value)


def test_gremlin_without_iam_refuses_credentials_it_cannot_use(
    neptune: RecordingNeptune,
) -> None:
    config = neptune_config(neptune.url, {"provider": "static", "password": "pw-Kk1"}, iam=False)
    with pytest.raises(prism.ConfigurationError, match="only to sign with AWS IAM") as info:
        prism.open("np-noiam", config=config)
    assert "pw-Kk1" not in repr(info.value)
    assert neptune.handshakes == []


def test_prism_acl_for_neptune_is_an_iam_policy_with_an_honest_note() -> None:
    config = {
        "backends": {
            "np": {
                "type": "neptune",
                "connection": "wss://db.cluster-x.us-east-1.neptune.amazonaws.com:8182/gremlin",
                "options": {"region": "eu-west-1"},
                "credentials": {"provider": "aws"},
            }
        },
        "namespaces": {"tenant.a": {"backend": "np"}},
    }
    (rules,) = access_rules("tenant.a", config=config)
    assert (rules.backend, rules.system) == ("neptune", "Neptune IAM policy")
    policy = json.loads("\n".join(rules.rules))
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == [
        "neptune-db:DeleteDataViaQuery",
        "neptune-db:ReadDataViaQuery",
        "neptune-db:WriteDataViaQuery",
        "neptune-db:connect",
    ]
    assert statement["Resource"] == (
        "arn:aws:neptune-db:eu-west-1:<account-id>:<cluster-resource-id>/*"
    )
    assert statement["Condition"] == {"StringEquals": {"neptune-db:QueryLanguage": "Gremlin"}}
    notes = " ".join(rules.notes)
    assert "cannot confine" in notes and "prism_ns" in notes
    assert "cluster per tenant" in notes


def test_prism_acl_for_a_gremlin_server_says_it_has_no_rules_to_give() -> None:
    config = {
        "backends": {"gr": {"type": "gremlin", "connection": "ws://127.0.0.1:8182/gremlin"}},
        "namespaces": {"tenant.b": {"backend": "gr"}},
    }
    (rules,) = access_rules("tenant.b", config=config)
    assert (rules.backend, rules.system, rules.rules) == ("gremlin", "Gremlin Server", [])
    assert "no per-graph authorization" in " ".join(rules.notes)
