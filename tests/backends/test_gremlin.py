"""The gremlin / neptune backend against the Gremlin stand-in the tests start (or a real server
named by ``PRISM_TEST_GREMLIN_URL``): namespace isolation seen through raw gremlinpython, the
data layout, Neptune's SigV4 signature checked against botocore's own signer, error translation
and the bounded retry of ConcurrentModificationException."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("gremlin_python")
pytest.importorskip("graphersal")

from gremlin_python.driver.client import Client
from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import __
from gremlin_python.process.traversal import T

import prism
from prism.backends.gremlin._config import parse_config
from prism.backends.gremlin._core import NS_KEY, PROPS_KEY, server_id, sigv4_headers
from prism.backends.gremlin._standin import FAULT_SCRIPT, eval_script
from prism.backends.gremlin._testing import start_standin
from prism.testing.servers import env_url


def config(url: str, **options: Any) -> dict[str, Any]:
    return {
        "backends": {"gr": {"type": "gremlin", "connection": url, "options": options}},
        "default_backend": "gr",
    }


def fresh(stem: str = "ns") -> str:
    return f"{stem}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    found = env_url("gremlin")
    if found:
        yield found
        return
    server = start_standin(tmp_path_factory.mktemp("gremlin"))
    yield server.url
    server.stop()


@pytest.fixture
def g(url: str) -> Iterator[Any]:
    remote = DriverRemoteConnection(url, "g", pool_size=1)
    yield traversal().with_(remote)
    remote.close()


def test_a_raw_traversal_sees_only_its_namespace(url: str, g: Any) -> None:
    a_name, b_name = fresh("a"), fresh("b")
    with prism.open(a_name, config=config(url)) as a, prism.open(b_name, config=config(url)) as b:
        a.graph.add_node("x", "secret", {"owner": "a"})
        b.graph.add_node("x", "public", {"owner": "b"})
        b.graph.add_node("y", "public")
        b.graph.add_edge("xy", "x", "y", "l")
        # Everything B wrote carries B's partition key; A's traversals never start elsewhere.
        a_ids = g.V().has(NS_KEY, a_name).values("prism_id").to_list()
        assert a_ids == ["x"]
        assert g.E().has(NS_KEY, a_name).to_list() == []
        owners = sorted(g.V().has(NS_KEY, b_name).values("owner").to_list())
        assert owners == ["b"]
        # Same prism id, different server ids: a lookup by id cannot cross namespaces.
        assert server_id(a_name, "x") != server_id(b_name, "x")
        assert g.V(server_id(b_name, "x")).has(NS_KEY, a_name).to_list() == []
        # Edges never join namespaces, so no hop leads from A into B.
        assert g.V().has(NS_KEY, a_name).both().to_list() == []
        # A node written around prism into B, with A's own prism id, stays invisible to A.
        g.add_v("n").property(T.id, server_id(b_name, "z")).property(NS_KEY, b_name).property(
            "prism_id", "z"
        ).property(PROPS_KEY, "{}").to_list()
        with pytest.raises(prism.NotFoundError):
            a.graph.get_node("z")
        assert [n.id for n in a.graph.traverse("x", direction="both")] == ["x"]
        assert a.graph.connected_components() == [{"x"}]
        assert a.graph.query("gremlin", "g.V().values('owner')") == ["a"]
        # vertices come back as prism ids; id() is the server id, prism_id the prism one
        assert sorted(b.graph.query("gremlin", "g.V()")) == ["x", "y", "z"]
        assert sorted(b.graph.query("gremlin", "g.V().values('prism_id')")) == ["x", "y", "z"]
        assert b.graph.query("gremlin", "g.V().hasLabel('n').id()") == [server_id(b_name, "z")]


def test_layout_is_readable_by_raw_gremlinpython(url: str, g: Any) -> None:
    name = fresh("raw")
    props = {"name": "Ada", "age": 36, "tags": ["x", None], "nick": None, "w": 1.5}
    with prism.open(name, config=config(url)) as ns:
        ns.graph.add_node("ada", "person", props)
        ns.graph.add_node("bob", "person")
        ns.graph.add_edge("k", "ada", "bob", "knows", {"since": 2020})
    row = g.V(server_id(name, "ada")).element_map().to_list()[0]
    assert row["name"] == "Ada" and row["age"] == 36 and row["w"] == 1.5
    assert json.loads(row[PROPS_KEY]) == props
    assert "tags" not in row and "nick" not in row  # non-scalars live in the JSON copy only
    edge = g.E(server_id(name, "k")).project("s", "t").by(__.out_v().id_()).by(__.in_v().id_())
    assert edge.to_list() == [{"s": server_id(name, "ada"), "t": server_id(name, "bob")}]


def test_async_flavour_runs_on_the_shared_bridge(url: str) -> None:
    from prism.backends import WorkerPool

    async def scenario() -> list[str]:
        ns = await prism.open_async(fresh("async"), config=config(url, pool_size=3))
        try:
            graph = ns.graph
            assert isinstance(graph._conn.bridge, WorkerPool)
            assert graph._conn.bridge.max_workers == 3
            await asyncio.gather(*(graph.add_node(f"n{i}", "n") for i in range(20)))
            await asyncio.gather(
                *(graph.add_edge(f"e{i}", f"n{i}", f"n{i + 1}", "next") for i in range(19))
            )
            return [n.id for n in await graph.traverse("n0", max_depth=3)]
        finally:
            await ns.close()

    assert asyncio.run(scenario()) == ["n0", "n1", "n2", "n3"]


def test_concurrent_modification_is_retried_then_a_conflict(url: str) -> None:
    if env_url("gremlin"):
        pytest.skip("fault injection needs the stand-in")
    client = Client(url, "g", pool_size=1)
    try:
        with prism.open(fresh("cme"), config=config(url, retries=2, pool_size=1)) as ns:
            message = "ConcurrentModificationException: Failed to complete operation"
            client.submit(FAULT_SCRIPT, {"count": 2, "message": message}).all().result()
            ns.graph.add_node("a", "n")  # two failures, two retries: the third try lands
            assert ns.graph.get_node("a").label == "n"
            client.submit(FAULT_SCRIPT, {"count": 3, "message": message}).all().result()
            with pytest.raises(prism.ConflictError, match="ConcurrentModification") as info:
                ns.graph.add_node("b", "n")
            assert type(info.value.__cause__).__name__ == "GremlinServerError"
            with pytest.raises(prism.NotFoundError):
                ns.graph.get_node("b")
    finally:
        client.close()


def test_a_slow_server_is_a_timeout(url: str) -> None:
    if env_url("gremlin"):
        pytest.skip("fault injection needs the stand-in")
    client = Client(url, "g", pool_size=1)
    try:
        with prism.open(fresh("slow"), config=config(url, timeout=0.3, pool_size=1)) as ns:
            client.submit(FAULT_SCRIPT, {"delay": 1.5}).all().result()
            with pytest.raises(prism.BackendUnavailableError, match="in time"):
                ns.graph.get_node("a")
    finally:
        client.close()


def test_connection_refused_is_backend_unavailable(tmp_path: Path) -> None:
    from prism.testing.servers import free_port

    dead = f"ws://127.0.0.1:{free_port()}/gremlin"
    with pytest.raises(prism.BackendUnavailableError):
        prism.open(fresh(), config=config(dead, timeout=2))


def test_bad_settings_are_configuration_errors() -> None:
    for connection, options in [
        ("http://h:8182/gremlin", {}),
        ("ws://user:secret@h:8182/gremlin", {}),
        ("ws://h:8182/gremlin", {"serializer": "json"}),
        ("ws://h:8182/gremlin", {"pool_size": 0}),
        ("ws://h:8182/gremlin", {"timeout": -1}),
        ("ws://h:8182/gremlin", {"iam": "yes"}),
        ("ws://h:8182/gremlin", {"colour": 1}),
    ]:
        with pytest.raises(prism.ConfigurationError) as info:
            parse_config("gremlin", connection, options)
        assert "secret" not in str(info.value)
    assert parse_config("neptune", "wss://db.neptune.amazonaws.com:8182/gremlin", {}).iam is True
    assert parse_config("gremlin", "ws://h:8182/gremlin", {}).iam is False


def test_sigv4_headers_match_botocores_signer() -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/+=")
    url = "wss://db-1.cluster-abc.us-east-1.neptune.amazonaws.com:8182/gremlin"
    stamp = "20261130T120000Z"
    headers = sigv4_headers(url, "us-east-1", creds, timestamp=stamp)
    assert headers["Host"] == "db-1.cluster-abc.us-east-1.neptune.amazonaws.com:8182"
    assert headers["X-Amz-Date"] == stamp
    assert headers["X-Amz-Security-Token"] == "token/+="
    auth = headers["Authorization"]
    assert auth.startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/neptune-db/aws4_request, "
    )
    # botocore signs the same request on its own, at the same instant
    request = AWSRequest(
        method="GET", url="https://db-1.cluster-abc.us-east-1.neptune.amazonaws.com:8182/gremlin"
    )
    request.context["timestamp"] = stamp
    request.headers["X-Amz-Date"] = stamp
    request.headers["X-Amz-Security-Token"] = creds.token
    signer = SigV4Auth(creds, "neptune-db", "us-east-1")
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    assert auth.endswith(f"Signature={expected}")
    assert "wJalrXUtnFEMI" not in json.dumps(headers)
    # the live path (no fixed time): botocore's add_auth, credentials from the chain
    live = sigv4_headers(url, "us-east-1", creds)
    assert live["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")


def test_sigv4_without_credentials_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(prism.ConfigurationError, match="credential"):
        sigv4_headers("wss://h:8182/gremlin", "us-east-1")


def test_query_params_are_bound_and_checked(url: str) -> None:
    with prism.open(fresh("q"), config=config(url)) as ns:
        ns.graph.add_node("a", "person", {"name": 'it\'s "a"'})
        text = "g.V().has('name', who).values('name')"
        assert ns.graph.query("gremlin", text, {"who": 'it\'s "a"'}) == ['it\'s "a"']
        for bad in ({"prism_ns": "other"}, {"1x": 1}, {"who": ["a"]}):
            with pytest.raises(prism.InvalidArgumentError):
                ns.graph.query("gremlin", text, bad)


def test_standin_rewrites_only_its_partition_prefix() -> None:
    from prism.backends.gremlin._core import PARTITION_PREFIX

    text, params = eval_script(PARTITION_PREFIX + "g.V('a', g.V().id()).out('x')", {"p": 1})
    assert text == (
        'g.V("a", g.V().has(prism_pkey, prism_ns).id()).has(prism_pkey, prism_ns).out("x")'
    )
    assert params == {"p": 1}
    assert eval_script("g.V()", {})[0] == "g.V()"  # no prefix: no partition
