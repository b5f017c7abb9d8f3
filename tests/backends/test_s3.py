"""The s3 (boto3) and minio (minio SDK) backends against a real S3 server started by the tests
themselves: moto's S3 server from the test dependencies (one per test run, shared with the
compliance harness's code), or ``PRISM_TEST_S3_URL``.  Tests marked ``docker`` need a real MinIO
through testcontainers (moto verifies no signatures): without a Docker engine they are reported
as skipped, and they fail instead when ``PRISM_REQUIRE_DOCKER=1``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import prism
from prism.backends._bridge import WorkerPool
from prism.backends._objects import _ops as ops
from prism.backends._objects._config import parse_config
from prism.backends._objects._layout import MAX_NAME_BYTES, Layout, bucket_name, decode, encode
from prism.backends.s3._errors import make_translate
from prism.backends.s3._testing import (
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    MotoServer,
    minio_container,
    moto_available,
    raw_client,
    release,
    shared_moto,
)
from prism.testing.servers import free_port

pytestmark = pytest.mark.skipif(not moto_available(), reason="no moto_server (moto[server])")

BACKENDS = ["s3", "minio"]
BUCKET = "prism-tests"
TRICKY_KEYS = [
    "plain",
    "a/b/c",
    "/leading/slash",
    "trailing/",
    "a//double",
    "..",
    ".",
    "../escape",
    "a/../b",
    "./x",
    "100%",
    "%2F-looks-encoded",
    "%",
    "space and+plus",
    "tilde~",
    "q?x=1&y#frag",
    "back\\slash",
    "ctrl\x01\x1f\x7f",
    "new\nline",
    "café",
    "键值",
    "🙂:emoji",
    "é" * 512,  # 1024 UTF-8 bytes: its encoding is hashed
    "x" * 1024,
]


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = shared_moto(BUCKET)
    yield server
    release()


def config(server: MotoServer, backend: str, **options: Any) -> dict[str, Any]:
    return {
        "backends": {
            "o": {
                "type": backend,
                "connection": server.url(BUCKET),
                "options": {"region": REGION, **options},
            }
        },
        "default_backend": "o",
    }


def fresh(stem: str = "ns") -> str:
    return f"{stem}-{uuid.uuid4().hex[:10]}"


def listed(server: MotoServer, prefix: str) -> list[str]:
    names: list[str] = []
    for page in server.client.get_paginator("list_objects_v2").paginate(
        Bucket=BUCKET, Prefix=prefix
    ):
        names += [item["Key"] for item in page.get("Contents", ())]
    return names


# ----- layout and key encoding --------------------------------------------------------------------


@pytest.mark.parametrize("key", TRICKY_KEYS)
def test_encoding_round_trips_and_is_one_safe_segment(key: str) -> None:
    encoded = encode(key)
    assert decode(encoded) == key
    assert encoded.isascii() and "/" not in encoded and "." not in encoded
    assert encoded not in ("", ".", "..")


def test_encoding_preserves_prefixes_exactly() -> None:
    keys = ["user:1", "user:10", "user2:x", "usé", "us", "u%s", "u%"]
    for p in ["user:", "us", "u%", "usé", "u"]:
        assert {k for k in keys if encode(k).startswith(encode(p))} == {
            k for k in keys if k.startswith(p)
        }


def test_over_long_names_are_hashed_within_the_s3_limit() -> None:
    layout = Layout("prism/", "ns")
    for key in ["é" * 512, "x" * 1024, "%" * 400, "a" + "🙂" * 255]:
        name = layout.name(key)
        assert len(name.encode()) <= MAX_NAME_BYTES
        assert layout.is_hashed(key) == (len(encode(key)) > layout.room)
    assert layout.name("é" * 512) != layout.name("é" * 511 + "e")


# ----- what prism writes, read back with raw boto3 -------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_raw_boto3_lists_the_namespace_prefix_and_reads_byte_for_byte(
    moto: MotoServer, backend: str
) -> None:
    name, other = fresh("raw"), fresh("raw")
    values = {key: f"value of {key!r}".encode() + bytes(range(256)) for key in TRICKY_KEYS}
    with (
        prism.open(name, config=config(moto, backend)) as ns,
        prism.open(other, config=config(moto, backend)) as neighbour,
    ):
        ns.keyvalue.set_many(values)
        neighbour.keyvalue.set("plain", b"neighbour's")
        layout = Layout("prism/", name)
        names = listed(moto, layout.base)
        assert sorted(names) == sorted(layout.name(k) for k in TRICKY_KEYS)
        for key, value in values.items():
            body = moto.client.get_object(Bucket=BUCKET, Key=layout.name(key))["Body"].read()
            assert body == value
        # and prism reads every key back, by name and by scan, exactly
        assert ns.keyvalue.get_many(list(values)) == values
        assert dict(ns.keyvalue.scan()) == values
        assert sorted(ns.keyvalue.scan_keys("..")) == sorted(
            k for k in values if k.startswith("..")
        )
        assert ns.keyvalue.count("é") == 1
        assert neighbour.keyvalue.count() == 1 and neighbour.keyvalue.get("plain") == b"neighbour's"
        assert ns.keyvalue.get("plain") == values["plain"]


def test_ttl_is_object_metadata_hidden_at_once_and_swept(moto: MotoServer) -> None:
    name = fresh("ttl")
    with prism.open(name, config=config(moto, "s3", sweep_every=0)) as ns:
        kv: Any = ns.keyvalue
        kv.set("short", b"s", ttl=0.3)
        kv.set("long", b"l", ttl=600)
        layout = Layout("prism/", name)
        head = moto.client.head_object(Bucket=BUCKET, Key=layout.name("long"))
        assert 590 < float(head["Metadata"]["prism-expires"]) - time.time() <= 600
        assert sorted(listed(moto, layout.marks)) == [layout.mark("long"), layout.mark("short")]
        deadline = time.monotonic() + 5
        while kv.exists("short"):
            assert time.monotonic() < deadline, "the key never expired"
        with pytest.raises(prism.KeyNotFoundError):
            kv.get("short")
        assert sorted(kv.scan_keys()) == ["long"] and kv.count() == 1
        assert layout.name("short") in listed(moto, layout.data)  # hidden, not yet reclaimed
        assert kv.sweep_expired() == 1
        assert listed(moto, layout.data) == [layout.name("long")]
        assert kv.persist("long") is True
        assert kv.sweep_expired() == 0
        assert listed(moto, layout.marks) == []  # the marker of a key that no longer expires


# ----- compare-and-swap on ETags --------------------------------------------------------------------


def test_16_racing_create_if_absent_writers_exactly_one_wins(moto: MotoServer) -> None:
    with prism.open(fresh("cas"), config=config(moto, "s3")) as ns:
        kv: Any = ns.keyvalue
        for round_ in range(5):
            key = f"race-{round_}"
            barrier = threading.Barrier(16)

            def write(i: int, key: str = key, barrier: threading.Barrier = barrier) -> bool:
                barrier.wait()
                return bool(kv.compare_and_swap(key, None, f"writer {i}".encode()))

            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                won = list(pool.map(write, range(16)))
            assert sum(won) == 1
            assert kv.get(key) == f"writer {won.index(True)}".encode()


def test_minio_declares_no_cas(moto: MotoServer) -> None:
    with prism.open(fresh("nocas"), config=config(moto, "minio")) as ns:
        assert "keyvalue_cas" not in type(ns.keyvalue).implemented_interfaces()
        assert not hasattr(ns.keyvalue, "compare_and_swap")


# ----- large values: multipart with bounded memory --------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_200mb_value_round_trips_through_multipart_with_bounded_memory(
    moto: MotoServer, backend: str
) -> None:
    size = 200 * 1024 * 1024
    value = os.urandom(1024 * 1024) * 200
    name = fresh("big")
    with prism.open(name, config=config(moto, backend)) as ns:
        started = time.perf_counter()
        tracemalloc.start()
        try:
            ns.keyvalue.set("big", value)
            put_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            back = ns.keyvalue.get("big")
            get_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        elapsed = time.perf_counter() - started
        assert back == value
        del back
        etag = moto.client.head_object(Bucket=BUCKET, Key=Layout("prism/", name).name("big"))
        assert "-" in etag["ETag"], "not a multipart upload"
        print(
            f"\n{backend}: 200 MB round trip {elapsed:.1f} s; client peak above the value: "
            f"put {put_peak / 2**20:.0f} MiB, get {(get_peak - size) / 2**20:.0f} MiB"
        )
        # parts in flight only (4 x 8 MiB for s3, minio's 3 x 8 MiB + its buffers)
        assert put_peak < 80 * 2**20
        assert get_peak < size + 80 * 2**20
        ns.keyvalue.delete("big")


# ----- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_missing_bucket_is_a_configuration_error_naming_bucket_and_endpoint(
    moto: MotoServer, backend: str
) -> None:
    url = f"http://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{moto.port}/no-such-bucket"
    cfg = {"backends": {"o": {"type": backend, "connection": url}}, "default_backend": "o"}
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open(fresh(), config=cfg).keyvalue.get("k")
    text = str(info.value)
    assert "no-such-bucket" in text and f"127.0.0.1:{moto.port}" in text
    assert SECRET_KEY not in text and SECRET_KEY not in repr(info.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_unreachable_endpoint_is_backend_unavailable(backend: str) -> None:
    url = f"http://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{free_port()}/bucket"
    options = {"connect_timeout": 0.5, "max_attempts": 1, "region": REGION}
    cfg = {"backends": {"o": {"type": backend, "connection": url, "options": options}},
           "default_backend": "o"}  # fmt: skip
    with pytest.raises(prism.BackendUnavailableError) as info:
        prism.open(fresh(), config=cfg).keyvalue.get("k")
    assert info.value.__cause__ is not None and SECRET_KEY not in str(info.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_missing_key_is_key_not_found(moto: MotoServer, backend: str) -> None:
    with (
        prism.open(fresh(), config=config(moto, backend)) as ns,
        pytest.raises(prism.KeyNotFoundError),
    ):
        ns.keyvalue.get("absent")


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("NoSuchKey", 404, prism.KeyNotFoundError),
        ("NoSuchBucket", 404, prism.ConfigurationError),
        ("AccessDenied", 403, prism.ConfigurationError),
        ("InvalidAccessKeyId", 403, prism.ConfigurationError),
        ("SignatureDoesNotMatch", 403, prism.ConfigurationError),
        ("SlowDown", 503, prism.BackendUnavailableError),
        ("Throttling", 400, prism.BackendUnavailableError),
        ("InternalError", 500, prism.BackendUnavailableError),
        ("BadGateway", 502, prism.BackendUnavailableError),
        ("EntityTooLarge", 400, prism.ValueTooLargeError),
    ],
)
def test_s3_error_codes_translate(code: str, status: int, error: type[Exception]) -> None:
    cfg = parse_config("s3", "http://AKIA:topsecret@minio.internal:9000/bucket-x", {})
    exc = ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetObject",
    )
    found = make_translate(cfg)(exc)
    assert type(found) is error
    if error is prism.ConfigurationError:
        assert "bucket-x" in str(found) and "http://minio.internal:9000" in str(found)
    assert "topsecret" not in str(found)


# ----- connection options ----------------------------------------------------------------------------


def test_connection_url_and_options_are_parsed_and_secrets_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = parse_config(
        "s3",
        "https://AKIA:s%2Fcret@objects.example:8443/bucket/apps/orders?region=eu-west-1",
        {"verify": False, "read_timeout": 5, "retry_mode": "adaptive", "max_attempts": 7},
    )
    assert cfg.endpoint_url == "https://objects.example:8443" and cfg.bucket == "bucket"
    assert cfg.prefix == "apps/orders/" and cfg.region == "eu-west-1"
    assert cfg.access_key == "AKIA" and cfg.secret_key == "s/cret"
    assert cfg.addressing_style == "path" and cfg.verify is False and cfg.read_timeout == 5.0
    assert cfg.retry_mode == "adaptive" and cfg.max_attempts == 7
    assert "s/cret" not in repr(cfg) and "AKIA" not in repr(cfg)
    aws = parse_config("s3", "s3://my-bucket", {"profile": "prod"})
    assert aws.endpoint_url is None and aws.bucket == "my-bucket" and aws.access_key is None
    for options, word in [
        ({"bogus": 1}, "bogus"),
        ({"part_size": 1024}, "part_size"),
        ({"addressing_style": "sideways"}, "addressing_style"),
        ({"secret_key": "only-a-secret"}, "access_key"),
        ({"clock": 1_700_000_000.0}, "clock"),
    ]:
        with pytest.raises(prism.ConfigurationError, match=word) as info:
            parse_config("s3", "http://127.0.0.1:9/b", options)
        assert "only-a-secret" not in str(info.value)
    with pytest.raises(prism.ConfigurationError, match="bucket"):
        parse_config("s3", None, {})
    assert aws.clock is time.time
    assert parse_config("s3", "s3://b", {"clock": (now := lambda: 5.0)}).clock is now


def test_connection_options_reach_boto3() -> None:
    from prism.backends.s3._driver import make_client

    cfg = parse_config(
        "s3",
        "http://AKIA:secret@127.0.0.1:9/b",
        {"region": "eu-west-3", "connect_timeout": 3, "read_timeout": 4, "retry_mode": "legacy",
         "max_attempts": 2, "addressing_style": "virtual"},
    )  # fmt: skip
    client = make_client(cfg)
    try:
        meta = client.meta
        assert meta.endpoint_url == "http://127.0.0.1:9" and meta.region_name == "eu-west-3"
        assert meta.config.connect_timeout == 3 and meta.config.read_timeout == 4
        assert meta.config.retries == {"mode": "legacy", "total_max_attempts": 2}
        assert meta.config.s3 == {"addressing_style": "virtual"}
    finally:
        client.close()


def test_credentials_from_the_environment_chain(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("BUCKET_FOR_TEST", BUCKET)
    cfg = {
        "backends": {
            "o": {
                "type": "s3",
                "options": {"endpoint_url": moto.endpoint, "bucket": "${BUCKET_FOR_TEST}",
                            "region": REGION},
            }
        },
        "default_backend": "o",
    }  # fmt: skip
    with prism.open(fresh(), config=cfg) as ns:
        ns.keyvalue.set("k", b"v")
        assert ns.keyvalue.get("k") == b"v"
        assert ns.keyvalue._store.driver.client._request_signer._credentials.access_key == (
            "from-env"
        )


# ----- the async flavour runs on the shared bridge ---------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_async_flavour_awaits_the_worker_pool_without_blocking_the_loop(
    moto: MotoServer, backend: str
) -> None:
    async def scenario() -> None:
        ns = await prism.open_async(fresh("aio"), config=config(moto, backend, max_workers=4))
        try:
            kv: Any = ns.keyvalue
            assert isinstance(kv._store.pool, WorkerPool) and kv._store.pool.max_workers == 4
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0)

            ticker = asyncio.create_task(tick())
            await kv.set_many({f"k{i}": b"v" * 1000 for i in range(20)})
            assert len(await kv.get_many([f"k{i}" for i in range(20)])) == 20
            ticker.cancel()
            assert ticks > 10  # the loop kept running while the driver worked
        finally:
            await ns.close()

    asyncio.run(scenario())


# ----- refused credentials: a real MinIO (testcontainers) --------------------------------------------


@pytest.fixture(scope="module")
def real_minio() -> Iterator[str]:
    found = minio_container()
    if found is None:
        message = "needs a Docker engine for a real MinIO (testcontainers); none answered"
        if os.environ.get("PRISM_REQUIRE_DOCKER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    url, container = found
    client = raw_client("http://" + url.split("@", 1)[1], *_keys(url))
    client.create_bucket(Bucket=BUCKET)
    yield url
    container.stop()


def _keys(url: str) -> tuple[str, str]:
    access, secret = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)
    return access, secret


@pytest.mark.docker
@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_secret_is_a_configuration_error_without_the_secret(
    real_minio: str, backend: str
) -> None:
    access, _ = _keys(real_minio)
    host = real_minio.split("@", 1)[1]
    url = f"http://{access}:definitely-wrong-secret@{host}/{BUCKET}"
    cfg = {"backends": {"o": {"type": backend, "connection": url}}, "default_backend": "o"}
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open(fresh(), config=cfg).keyvalue.get("k")
    assert BUCKET in str(info.value) and "definitely-wrong-secret" not in str(info.value)


@pytest.mark.docker
@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_access_key_is_a_configuration_error(real_minio: str, backend: str) -> None:
    host = real_minio.split("@", 1)[1]
    url = f"http://nobody:nobody-secret@{host}/{BUCKET}"
    cfg = {"backends": {"o": {"type": backend, "connection": url}}, "default_backend": "o"}
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open(fresh(), config=cfg).keyvalue.set("k", b"v")
    assert "nobody-secret" not in str(info.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_large_batches_learn_existence_from_a_listing_and_respect_expiry(
    moto: MotoServer, backend: str
) -> None:
    with prism.open(fresh("dense"), config=config(moto, backend, sweep_every=0)) as ns:
        kv: Any = ns.keyvalue
        items = {f"d:{i:04d}": f"{i}".encode() for i in range(0, 300, 2)}  # every other key
        kv.set_many(items)
        for i in range(0, 20, 2):
            kv.set(f"d:{i:04d}", b"short", ttl=0.3)
        kv.set("d:0100", b"long", ttl=600)
        deadline = time.monotonic() + 5
        while kv.exists("d:0018"):  # the last one set
            assert time.monotonic() < deadline, "the key never expired"
        wanted = [f"d:{i:04d}" for i in range(300)]  # half of them never existed
        live = {k: v for k, v in items.items() if int(k[2:]) >= 20}
        live["d:0100"] = b"long"
        assert kv.get_many(wanted) == live
        assert kv.delete_many(wanted) == len(live)
        assert kv.get_many(wanted) == {} and kv.count("d:") == 0


class _Requests:
    """The requests a backend's driver sends, by kind (``list``, ``head``, ``get``, ``put``,
    ``delete_batch``, ``other``): botocore's events for s3, the urllib3 pool for minio."""

    _BOTO = {"ListObjectsV2": "list", "HeadObject": "head", "GetObject": "get",
             "PutObject": "put", "DeleteObjects": "delete_batch"}  # fmt: skip

    def __init__(self, kv: Any, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: dict[str, int] = {}
        # a batch sends its requests from several threads at once: a bare read-and-add would
        # lose some of them (a run counted 148 GETs of 150)
        self._lock = threading.Lock()
        driver = kv._store.driver
        if backend == "s3":
            driver.client.meta.events.register("before-call.s3.*", self._boto)
        else:
            send = driver.http.urlopen

            def urlopen(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                query = url.partition("?")[2]
                kind = {"HEAD": "head", "PUT": "put"}.get(method, "other")
                if method == "GET":
                    kind = "list" if "list-type=2" in query else "get" if not query else "other"
                if method == "POST" and query.startswith("delete"):
                    kind = "delete_batch"
                self._count(kind)
                return send(method, url, *args, **kwargs)

            monkeypatch.setattr(driver.http, "urlopen", urlopen)

    def _boto(self, event_name: str, **_: Any) -> None:
        self._count(self._BOTO.get(event_name.rsplit(".", 1)[1], "other"))

    def _count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def take(self) -> dict[str, int]:
        with self._lock:
            counts, self.counts = self.counts, {}
        return counts


@pytest.mark.parametrize("backend", BACKENDS)
def test_scans_list_the_markers_once_when_no_key_expires(
    moto: MotoServer, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pages of 10 names stand for pages of 1,000: 45 keys are 5 value pages
    monkeypatch.setattr(ops, "PAGE", 10)
    with prism.open(fresh("scan"), config=config(moto, backend, sweep_every=0)) as ns:
        kv: Any = ns.keyvalue
        keys = [f"s:{i:03d}" for i in range(45)]
        kv.set_many(dict.fromkeys(keys, b"v"))
        requests = _Requests(kv, backend, monkeypatch)
        assert sorted(kv.scan_keys("s:")) == keys
        assert requests.take() == {"list": 5 + 1}  # not 5 + 5
        assert kv.count("s:") == 45
        assert requests.take() == {"list": 5 + 1}
        # a key expiring in the fourth page is still hidden, and only its page is HEADed
        kv.set("s:033", b"short", ttl=0.2)
        deadline = time.monotonic() + 5
        while kv.exists("s:033"):
            assert time.monotonic() < deadline, "the key never expired"
        requests.take()
        assert sorted(kv.scan_keys("s:")) == [k for k in keys if k != "s:033"]
        assert requests.take() == {"list": 5 + 2, "head": 1}  # pages 1 and 4 list markers


@pytest.mark.parametrize("backend", BACKENDS)
def test_batches_send_no_request_they_can_do_without(
    moto: MotoServer, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with prism.open(fresh("batch"), config=config(moto, backend, sweep_every=0)) as ns:
        kv: Any = ns.keyvalue
        items = {f"b:{i:03d}": f"{i}".encode() for i in range(150)}
        kv.set_many(items)
        kv.set("b:007", b"ttl", ttl=600)
        items["b:007"] = b"ttl"
        requests = _Requests(kv, backend, monkeypatch)
        # all present: one listing page shows it, then a GET each (no HEAD: the expiry comes
        # with the body)
        assert kv.get_many(list(items)) == items
        assert requests.take() == {"list": 1, "get": 150}
        # most absent: the listing leaves them out
        wanted = [f"b:{i:03d}" for i in range(140, 400)]
        assert kv.get_many(wanted) == {k: items[k] for k in wanted if k in items}
        assert requests.take() == {"list": 1, "get": 10}
        # delete: values listed, markers listed, the one marked key HEADed, one DeleteObjects
        assert kv.delete_many([f"b:{i:03d}" for i in range(300)]) == 150
        assert requests.take() == {"list": 2, "head": 1, "delete_batch": 1}
        assert kv.get_many(list(items)) == {}
        assert requests.take() == {"list": 1}


# ----- one bucket per namespace ------------------------------------------------------------------------


def _bucket_objects(server: MotoServer, bucket: str) -> list[str]:
    names: list[str] = []
    for page in server.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        names += [item["Key"] for item in page.get("Contents", ())]
    return names


def _all_buckets(server: MotoServer) -> set[str]:
    return {b["Name"] for b in server.client.list_buckets()["Buckets"]}


_VALID_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


@pytest.mark.parametrize(
    "namespace",
    ["orders", "a", "Orders", "orders--x", "café/été", "..", "-x-", "a_b.c", "x" * 80, "键", "9"],
)
def test_namespace_bucket_names_are_valid_and_distinct(namespace: str) -> None:
    name = bucket_name("prism-ns", namespace)
    assert _VALID_BUCKET.fullmatch(name), name
    assert not name.startswith("xn--") and name.startswith("prism-ns-")
    direct = namespace == "orders" or namespace in ("a", "9")
    assert (name == f"prism-ns-{namespace}") == direct
    assert "--" in name[len("prism-ns-") - 1 :] or direct
    longest = bucket_name("p" * 40, namespace)
    assert _VALID_BUCKET.fullmatch(longest) and len(longest) <= 63


def test_namespace_bucket_names_do_not_collide() -> None:
    spaces = ["Orders", "orders", "ORDERS", "orders-", "orders_", "o r d e r s", "x" * 80, "x" * 81]
    names = [bucket_name("p", ns) for ns in spaces]
    assert len(set(names)) == len(spaces)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"bucket_per_namespace": "maybe"}, ["bucket_per_namespace", "true or false"]),
        ({"create_buckets": True}, ["create_buckets", "bucket_per_namespace"]),
        ({"namespace_bucket_prefix": "abc"}, ["namespace_bucket_prefix", "bucket_per_namespace"]),
        (
            {"bucket_per_namespace": True, "namespace_bucket_prefix": "Bad_Prefix"},
            ["namespace_bucket_prefix", "lowercase letters"],
        ),
        (
            {"bucket_per_namespace": True, "namespace_bucket_prefix": "p" * 41},
            ["namespace_bucket_prefix", "1-40"],
        ),
        (
            {"bucket_per_namespace": True, "namespace_bucket_prefix": "xn--abc"},
            ["namespace_bucket_prefix", "xn--"],
        ),
        ({"install_lifecycle": "often"}, ["install_lifecycle", "true or false"]),
    ],
)
def test_bucket_and_lifecycle_options_are_checked(
    options: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(prism.ConfigurationError) as info:
        parse_config("s3", "http://127.0.0.1:9/my-bucket", options)
    for word in words:
        assert word in str(info.value)


def test_bucket_options_are_checked_by_prism_validate(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from prism.cli import main

    path = tmp_path / "prism.yaml"
    path.write_text(
        "backends:\n"
        "  a: {type: minio, connection: 'http://127.0.0.1:9/b', "
        "options: {install_lifecycle: true}}\n"
        "  b: {type: s3, connection: 'http://127.0.0.1:9/Not_Valid', "
        "options: {bucket_per_namespace: true}}\n"
        "  c: {type: s3, connection: 'http://127.0.0.1:9/ok', "
        "options: {bucket_per_namespace: yes, create_buckets: true, install_lifecycle: true}}\n"
        "default_backend: c\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "install_lifecycle' is not supported: only the s3 backend" in result.output
    assert "'bucket' is, under bucket_per_namespace, the prefix" in result.output
    assert "2 problem(s)" in result.output
    cfg = parse_config("s3", "http://127.0.0.1:9/my-data", {"bucket_per_namespace": "true"})
    assert cfg.bucket_per_namespace and cfg.namespace_bucket_prefix == "my-data"
    assert not cfg.create_buckets and not cfg.install_lifecycle


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_namespaces_land_in_two_buckets_sync_and_async(moto: MotoServer, backend: str) -> None:
    prefix = fresh("pns").lower()
    options = {"bucket_per_namespace": True, "namespace_bucket_prefix": prefix,
               "create_buckets": True}  # fmt: skip
    first, second = "orders", "Odd Namespace/é.."  # the second is no valid bucket name
    with (
        prism.open(first, config=config(moto, backend, **options)) as a,
        prism.open(second, config=config(moto, backend, **options)) as b,
    ):
        a.keyvalue.set("k/1", b"first's")
        b.keyvalue.set("k/1", b"second's")
        b.keyvalue.set("only-b", b"b")
        assert a.keyvalue.get("k/1") == b"first's" and b.keyvalue.get("k/1") == b"second's"
        assert sorted(b.keyvalue.scan_keys()) == ["k/1", "only-b"]
        assert list(a.keyvalue.scan_keys()) == ["k/1"]

    async def from_async() -> None:
        ns = await prism.open_async(second, config=config(moto, backend, **options))
        try:
            kv: Any = ns.keyvalue
            assert await kv.get("only-b") == b"b"
            await kv.set("async", b"from the loop")
        finally:
            await ns.close()

    asyncio.run(from_async())
    bucket_a, bucket_b = bucket_name(prefix, first), bucket_name(prefix, second)
    assert bucket_a == f"{prefix}-orders" and bucket_b != bucket_a
    assert {bucket_a, bucket_b} <= _all_buckets(moto)
    layout_a, layout_b = Layout("prism/", first), Layout("prism/", second)
    assert _bucket_objects(moto, bucket_a) == [layout_a.name("k/1")]
    assert sorted(_bucket_objects(moto, bucket_b)) == sorted(
        layout_b.name(k) for k in ["k/1", "only-b", "async"]
    )
    body = moto.client.get_object(Bucket=bucket_b, Key=layout_b.name("async"))["Body"].read()
    assert body == b"from the loop"
    assert listed(moto, layout_a.base) == [] and listed(moto, layout_b.base) == []  # not in BUCKET


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_missing_namespace_bucket_is_a_configuration_error_unless_created(
    moto: MotoServer, backend: str
) -> None:
    prefix = fresh("nocreate").lower()
    options = {"bucket_per_namespace": True, "namespace_bucket_prefix": prefix}
    with prism.open("ns1", config=config(moto, backend, **options)) as ns:
        with pytest.raises(prism.ConfigurationError) as info:
            ns.keyvalue.set("k", b"v")
        text = str(info.value)
        assert f"{prefix}-ns1" in text and "'ns1'" in text and "create_buckets" in text
        assert f"{prefix}-ns1" not in _all_buckets(moto)
        moto.create_bucket(f"{prefix}-ns1")  # created by the operator: now it works
        ns.keyvalue.set("k", b"v")
        assert _bucket_objects(moto, f"{prefix}-ns1") == [Layout("prism/", "ns1").name("k")]


# ----- lifecycle rules -------------------------------------------------------------------------------


def _rules(server: MotoServer, bucket: str) -> dict[str, dict[str, Any]]:
    found = server.client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    return {rule["ID"]: rule for rule in found}


def _tags(server: MotoServer, bucket: str, name: str) -> dict[str, str]:
    tagging = server.client.get_object_tagging(Bucket=bucket, Key=name)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tagging}


def test_lifecycle_rules_installed_as_documented_and_merged(moto: MotoServer) -> None:
    bucket = fresh("lc").lower()
    moto.create_bucket(bucket)
    users_rule = {
        "ID": "users-own-rule",
        "Filter": {"Prefix": "logs/"},
        "Status": "Enabled",
        "Expiration": {"Days": 30},
    }
    moto.client.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [users_rule]}
    )
    cfg = config(moto, "s3", install_lifecycle=True, sweep_every=0)
    cfg["backends"]["o"]["connection"] = moto.url(bucket) + "/apps"
    with prism.open("ns", config=cfg):
        pass
    rules = _rules(moto, bucket)
    assert rules.pop("users-own-rule")["Expiration"] == {"Days": 30}  # kept as it was
    days = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    assert sorted(rules) == sorted(f"prism-ttl-{d}d@apps/" for d in days)
    for d in days:
        rule = rules[f"prism-ttl-{d}d@apps/"]
        assert rule["Status"] == "Enabled" and rule["Expiration"] == {"Days": d}
        assert rule["Filter"] == {
            "And": {"Prefix": "apps/", "Tags": [{"Key": "prism-expiry-days", "Value": str(d)}]}
        }

    # opening again changes nothing (no duplicate rules), async included
    async def reopen() -> None:
        ns = await prism.open_async("ns", config=cfg)
        await ns.close()

    asyncio.run(reopen())
    assert len(_rules(moto, bucket)) == len(days) + 1


def test_keys_with_a_ttl_carry_the_expiry_class_tag_in_step_with_expire_and_persist(
    moto: MotoServer,
) -> None:
    bucket = fresh("lct").lower()
    moto.create_bucket(bucket)
    cfg = config(moto, "s3", install_lifecycle=True, sweep_every=0)
    cfg["backends"]["o"]["connection"] = moto.url(bucket)
    layout = Layout("prism/", "ns")
    with prism.open("ns", config=cfg) as ns:
        kv: Any = ns.keyvalue
        kv.set("plain", b"p")
        kv.set("hour", b"h", ttl=3600)
        kv.set("day", b"d", ttl=86400)
        kv.set("3days", b"3", ttl=86400 * 2.5)
        kv.set("forever-ish", b"f", ttl=86400 * 2000)  # beyond the largest class
        kv.set("short", b"s", ttl=0.2)
        assert _tags(moto, bucket, layout.name("plain")) == {}
        assert _tags(moto, bucket, layout.name("hour")) == {"prism-expiry-days": "1"}
        assert _tags(moto, bucket, layout.name("day")) == {"prism-expiry-days": "1"}
        assert _tags(moto, bucket, layout.name("3days")) == {"prism-expiry-days": "4"}
        assert _tags(moto, bucket, layout.name("forever-ish")) == {}
        assert _tags(moto, bucket, layout.mark("hour")) == {}  # markers are never tagged
        assert kv.expire("plain", 86400 * 5) is True
        assert _tags(moto, bucket, layout.name("plain")) == {"prism-expiry-days": "8"}
        assert kv.persist("3days") is True
        assert _tags(moto, bucket, layout.name("3days")) == {}  # no rule may delete it now
        kv.set("hour", b"h2")  # a plain overwrite drops the tag with the expiry
        assert _tags(moto, bucket, layout.name("hour")) == {}
        assert kv.get("3days") == b"3" and kv.get_ttl("3days") is None
        # moto stores the rules but never runs them: the sweep is what reclaims here
        deadline = time.monotonic() + 5
        while kv.exists("short"):
            assert time.monotonic() < deadline, "the key never expired"
        assert kv.sweep_expired() == 1
        assert layout.name("short") not in _bucket_objects(moto, bucket)


def test_lifecycle_rules_go_into_each_namespace_bucket(moto: MotoServer) -> None:
    prefix = fresh("lcn").lower()
    options = {"bucket_per_namespace": True, "namespace_bucket_prefix": prefix,
               "create_buckets": True, "install_lifecycle": True}  # fmt: skip
    with prism.open("alpha", config=config(moto, "s3", **options)) as ns:
        ns.keyvalue.set("k", b"v", ttl=60)
    rules = _rules(moto, f"{prefix}-alpha")
    assert "prism-ttl-1d@prism/" in rules and len(rules) == 11
    assert _tags(moto, f"{prefix}-alpha", Layout("prism/", "alpha").name("k")) == {
        "prism-expiry-days": "1"
    }
