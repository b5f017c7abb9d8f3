"""Operations: resilience policies, health, OpenTelemetry and logging (docs/operations.md).

The redis tests run against a redis-server of their own (it is SIGSTOPped and resumed).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import prism
import prism.telemetry
from prism import _resilience
from prism._instrument import operations
from prism._resilience import Breaker, CircuitOpenError, RetryBudget
from prism.cli import main
from prism.interfaces._async.keyvalue import AsyncKeyValueBasic
from prism.interfaces._base import Around, decorate_checked
from prism.policy import BreakerPolicy, ResiliencePolicy, effective

opentelemetry = pytest.importorskip("opentelemetry.sdk.trace")
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)


def mem_config(**resilience: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "memstore", "connection": f"memory://ops-{uuid.uuid4().hex}"}
    if resilience:
        entry["resilience"] = resilience
    return {"backends": {"m": entry}, "default_backend": "m"}


# ----- policies: configuration -----------------------------------------------------------------


def test_without_a_policy_nothing_is_installed_on_the_call_path() -> None:
    with prism.open("plain", config=mem_config()) as ns:
        kv = ns.keyvalue
        assert "get" not in vars(kv)
        assert "set" not in vars(kv)


def test_a_policy_wraps_instances_only_and_keeps_the_interfaces() -> None:
    cfg = mem_config(timeout=1.0, breaker={"failures": 2})
    with (
        prism.open("wrapped", config=cfg) as ns,
        prism.open("plain2", config=mem_config()) as other,
    ):
        kv = ns.keyvalue
        assert "get" in vars(kv)
        assert isinstance(kv, prism.KeyValueTTL)
        kv.set("k", b"v")
        assert kv.get("k") == b"v"
        assert "get" not in vars(other.keyvalue)
        with pytest.raises(prism.InvalidArgumentError, match="key must not be empty"):
            kv.get("")  # the shared checks still run, with their own message


def test_namespace_and_model_overrides_go_field_by_field() -> None:
    backend = ResiliencePolicy(timeout=1.0, retries={"attempts": 4}, breaker={"failures": 3})
    ns = ResiliencePolicy(timeout=0.5, models={"queue": {"timeout": 30.0, "retries": None}})
    kv = effective(backend, ns, "keyvalue")
    queue = effective(backend, ns, "queue")
    assert kv is not None and queue is not None
    assert kv.timeout == 0.5 and kv.retries is not None and kv.retries.attempts == 4
    assert queue.timeout == 30.0 and queue.retries is None
    assert queue.breaker == BreakerPolicy(failures=3)
    assert effective(None, None, "keyvalue") is None


@pytest.mark.parametrize(
    ("resilience", "fragment"),
    [
        ({"timeout": 0}, "timeout"),
        ({"retries": {"attempts": 0}}, "attempts"),
        ({"breaker": {"reset_after": -1}}, "reset_after"),
        ({"retries": {"backof": 1}}, "backof"),
        ({"models": {"kv": {"timeout": 1}}}, "not a data model"),
    ],
)
def test_prism_validate_checks_the_policy_fields(
    tmp_path: Path, resilience: dict[str, Any], fragment: str
) -> None:
    import yaml

    path = tmp_path / "prism.yaml"
    cfg = {"backends": {"m": {"type": "memstore", "resilience": resilience}}}
    path.write_text(yaml.safe_dump(cfg))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "resilience" in result.output and fragment in result.output
    with pytest.raises(prism.ConfigurationError, match=fragment):
        prism.open("x", config=cfg)


# ----- the breaker and the budget -----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_fails_fast_probes_half_open_and_closes() -> None:
    clock = Clock()
    breaker = Breaker(BreakerPolicy(failures=3, reset_after=10, probes=1), "r", clock)
    for _ in range(2):
        breaker.before("get")
        breaker.failure()
    breaker.before("get")
    breaker.success()  # a success resets the count of consecutive failures
    for _ in range(3):
        breaker.before("get")
        breaker.failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpenError, match="circuit breaker open") as info:
        breaker.before("get")
    assert isinstance(info.value, prism.BackendUnavailableError)
    clock.now += 9.999
    with pytest.raises(CircuitOpenError):
        breaker.before("get")
    clock.now += 0.001
    breaker.before("get")  # the half-open probe goes through ...
    assert breaker.state == "half_open"
    with pytest.raises(CircuitOpenError):
        breaker.before("get")  # ... alone
    breaker.failure()  # it failed: open again, for another reset_after
    assert breaker.state == "open"
    clock.now += 10
    breaker.before("get")
    breaker.success()
    assert breaker.state == "closed"
    breaker.before("get")


def test_retry_budget_bounds_retries_to_a_fraction_of_calls() -> None:
    budget = RetryBudget(0.1, burst=2)
    assert budget.take() and budget.take()
    assert not budget.take()
    budget.calls += 9
    assert not budget.take()  # 0.9 of a token
    budget.calls += 1
    assert budget.take()


def test_only_safe_operations_are_retried() -> None:
    assert "get" in _resilience.IDEMPOTENT["keyvalue"]
    for model, names in _resilience.IDEMPOTENT.items():
        for never in ("publish", "enqueue", "append", "push_left", "receive", "increment"):
            assert never not in names, (model, never)


# ----- redis paused mid-run ---------------------------------------------------------------------------

redis_testing = pytest.importorskip("prism.backends.redis._testing")
needs_redis = pytest.mark.skipif(
    redis_testing.redis_binary() is None, reason="needs a redis-server binary"
)


@pytest.fixture
def paused_redis(tmp_path: Path) -> Iterator[Any]:
    server = redis_testing.start_redis(tmp_path)
    try:
        yield server
    finally:
        if server.process is not None and server.process.alive():
            os.killpg(server.process.pid, signal.SIGCONT)
        server.stop()


def redis_config(url: str) -> dict[str, Any]:
    policy = {
        "timeout": 0.3,
        "retries": {"attempts": 2, "initial": 0.01, "max_backoff": 0.02, "jitter": 0},
        "breaker": {"failures": 3, "reset_after": 0.5},
    }
    return {
        "backends": {"r": {"type": "redis", "connection": url, "resilience": policy}},
        "default_backend": "r",
    }


def until_ok(call: Any, deadline: float = 20.0) -> Any:
    end = time.monotonic() + deadline
    while True:
        try:
            return call()
        except prism.BackendUnavailableError:
            if time.monotonic() > end:
                raise


@needs_redis
def test_sigstop_times_out_opens_the_breaker_and_sigcont_recovers_without_loss(
    paused_redis: Any,
) -> None:
    name = f"ops-{uuid.uuid4().hex[:8]}"
    with prism.open(name, config=redis_config(paused_redis.url)) as ns:
        kv, queue = ns.keyvalue, ns.queue
        for i in range(20):
            kv.set(f"k{i}", str(i).encode())
        for i in range(5):
            queue.enqueue("jobs", str(i).encode())
        os.killpg(paused_redis.process.pid, signal.SIGSTOP)

        start = time.monotonic()
        with pytest.raises(prism.BackendUnavailableError) as info:
            queue.enqueue("jobs", b"maybe")  # not idempotent: one attempt, never resent
        took = time.monotonic() - start
        assert not isinstance(info.value, CircuitOpenError)
        assert 0.25 <= took < 1.0, took  # the 0.3 s deadline, once

        start = time.monotonic()
        with pytest.raises(prism.BackendUnavailableError):
            kv.get("k1")  # idempotent: two attempts of 0.3 s, then the breaker opens
        took = time.monotonic() - start
        assert 0.5 <= took < 1.6, took

        start = time.monotonic()
        with pytest.raises(CircuitOpenError, match="circuit breaker open"):
            kv.get("k2")
        assert time.monotonic() - start < 0.05  # fails fast, no I/O

        os.killpg(paused_redis.process.pid, signal.SIGCONT)
        assert until_ok(lambda: kv.get("k3")) == b"3"  # half-open probe, then closed
        assert kv.get_many([f"k{i}" for i in range(20)]) == {
            f"k{i}": str(i).encode() for i in range(20)
        }
        # every acknowledged enqueue is there; the timed-out one at most once
        assert queue.length("jobs") in (5, 6)


@needs_redis
def test_async_calls_time_out_at_their_deadline(paused_redis: Any) -> None:
    async def run() -> None:
        name = f"ops-{uuid.uuid4().hex[:8]}"
        cfg = redis_config(paused_redis.url)
        async with await prism.open_async(name, config=cfg) as ns:
            await ns.keyvalue.set("a", b"1")
            os.killpg(paused_redis.process.pid, signal.SIGSTOP)
            start = time.monotonic()
            with pytest.raises(prism.BackendUnavailableError):
                await ns.pubsub.publish("t", b"x")
            assert 0.25 <= time.monotonic() - start < 1.0
            os.killpg(paused_redis.process.pid, signal.SIGCONT)

    asyncio.run(run())


@needs_redis
def test_a_namespace_deadline_applies_to_sync_calls_through_the_driver(paused_redis: Any) -> None:
    name = f"ops-{uuid.uuid4().hex[:8]}"
    cfg: dict[str, Any] = {
        "backends": {"r": {"type": "redis", "connection": paused_redis.url}},
        "default_backend": "r",
        "namespaces": {name: {"resilience": {"timeout": 0.3}}, "other": {}},
    }
    with prism.open(name, config=cfg) as ns, prism.open("other", config=cfg) as other:
        ns.keyvalue.set("a", b"1")
        # the deadline is the driver's own (no wrapper needed for it) and only this namespace's
        assert ns.keyvalue._c.connection_pool.connection_kwargs["socket_timeout"] == 0.3  # type: ignore[attr-defined]
        assert other.keyvalue._c.connection_pool.connection_kwargs["socket_timeout"] != 0.3  # type: ignore[attr-defined]
        os.killpg(paused_redis.process.pid, signal.SIGSTOP)
        try:
            start = time.monotonic()
            with pytest.raises(prism.BackendUnavailableError):
                ns.keyvalue.get("a")
            assert 0.25 <= time.monotonic() - start < 1.0
            start = time.monotonic()
            with pytest.raises(prism.BackendUnavailableError):
                ns.queue.enqueue("jobs", b"once")  # a write times out too, and is not resent
            assert 0.25 <= time.monotonic() - start < 1.0
        finally:
            os.killpg(paused_redis.process.pid, signal.SIGCONT)
        assert until_ok(lambda: ns.keyvalue.get("a")) == b"1"
        received = []
        while (lease := until_ok(lambda: ns.queue.receive("jobs"))) is not None:
            received.append(lease.payload)
        assert received in ([], [b"once"])  # at most once


# ----- health -----------------------------------------------------------------------------------


def test_namespace_health_is_a_real_round_trip_with_latency() -> None:
    with prism.open("h", config=mem_config()) as ns:
        result = ns.health()
    assert result.ok and result.error is None and result.latency >= 0

    async def run() -> None:
        async with await prism.open_async("h", config=mem_config()) as ns:
            result = await ns.health()
            assert result.ok

    asyncio.run(run())


@needs_redis
def test_prism_health_names_the_backend_that_is_down_and_exits_non_zero(
    tmp_path: Path, paused_redis: Any
) -> None:
    import yaml

    cfg = {
        "backends": {
            "mem": {"type": "memstore", "connection": "memory://health"},
            "cache": {"type": "redis", "connection": paused_redis.url},
            "gone": {
                "type": "redis",
                "connection": "redis://:hunter2@127.0.0.1:1/0",
                "options": {"socket_connect_timeout": 0.5},
            },
        }
    }
    path = tmp_path / "prism.yaml"
    path.write_text(yaml.safe_dump(cfg))
    result = CliRunner().invoke(main, ["health", "--config", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("ok") and "backend mem" in line for line in lines)
    assert any(line.startswith("ok") and "backend cache" in line for line in lines)
    assert any(line.startswith("DOWN") and "backend gone" in line for line in lines)
    assert "hunter2" not in result.output
    assert "1 backend(s) down" in result.output


# ----- OpenTelemetry ------------------------------------------------------------------------------


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    prism.telemetry.enable(tracer_provider=provider)
    try:
        yield exporter
    finally:
        prism.telemetry.disable()


def _one_trace(exporter: InMemorySpanExporter, send: str) -> None:
    finished = exporter.get_finished_spans()
    producer = next(s for s in finished if s.name == send)
    process = [s for s in finished if s.name.startswith("process ")]
    assert len(process) == 1
    assert process[0].context.trace_id == producer.context.trace_id
    assert process[0].parent is not None
    assert process[0].parent.span_id == producer.context.span_id
    for span in finished:  # never a value, a payload or a header
        for value in (span.attributes or {}).values():
            assert value not in ("secret-payload", "traceparent")


def _configs(kind: str, tmp_path: Path) -> dict[str, Any]:
    if kind == "memstore":
        return mem_config()
    server = redis_testing.start_redis(tmp_path)
    _servers.append(server)
    return {"backends": {"r": {"type": "redis", "connection": server.url}}, "default_backend": "r"}


_servers: list[Any] = []


@pytest.fixture
def backend_config(request: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if request.param == "redis" and redis_testing.redis_binary() is None:
        pytest.skip("needs a redis-server binary")
    yield _configs(request.param, tmp_path)
    while _servers:
        _servers.pop().stop()


@pytest.mark.parametrize("backend_config", ["memstore", "redis"], indirect=True)
def test_one_trace_spans_an_enqueue_and_the_receive_in_another_process_view(
    spans: InMemorySpanExporter, backend_config: dict[str, Any]
) -> None:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    with prism.open(name, config=backend_config) as producer:
        producer.queue.enqueue("jobs", b"secret-payload", headers={"tenant": "a"})

    async def consume() -> Any:
        async with await prism.open_async(name, config=backend_config) as consumer:
            lease = await consumer.queue.receive("jobs")
            await consumer.queue.ack(lease)
            return lease

    lease = asyncio.run(consume())
    assert lease.message.headers["tenant"] == "a"  # the caller's headers are kept
    _one_trace(spans, "enqueue jobs")
    enqueue = next(s for s in spans.get_finished_spans() if s.name == "enqueue jobs")
    assert enqueue.attributes["messaging.operation.type"] == "send"
    assert enqueue.attributes["messaging.destination.name"] == "jobs"


@pytest.mark.parametrize("backend_config", ["memstore", "redis"], indirect=True)
def test_one_trace_spans_a_publish_and_the_subscriber_receive(
    spans: InMemorySpanExporter, backend_config: dict[str, Any]
) -> None:
    name = f"events-{uuid.uuid4().hex[:8]}"

    async def run() -> None:
        async with (
            await prism.open_async(name, config=backend_config) as consumer,
            await prism.open_async(name, config=backend_config) as producer,
        ):
            sub = await consumer.pubsub.subscribe("news")
            headers = {"kind": "x"}
            await producer.pubsub.publish("news", b"secret-payload", headers=headers)
            assert headers == {"kind": "x"}  # never mutated
            message = await sub.get(5)
            assert message is not None and message.payload == b"secret-payload"
            await sub.close()

    asyncio.run(run())
    _one_trace(spans, "publish news")


@pytest.mark.parametrize("backend_config", ["memstore", "redis"], indirect=True)
def test_one_trace_spans_a_pattern_publish_and_the_receive_in_another_namespace(
    spans: InMemorySpanExporter, backend_config: dict[str, Any]
) -> None:
    """A claim-check namespace whose messaging slot is a second namespace: the enqueue made
    through the pattern and the receive made by opening that second namespace share a trace,
    under the pattern-level span."""
    tag = uuid.uuid4().hex[:8]
    bus, claims = f"bus-{tag}", f"claims-{tag}"
    (backend,) = backend_config["backends"]
    config = {
        **backend_config,
        "namespaces": {
            bus: {"backend": backend},
            claims: {
                "pattern": "claim-check",
                "slots": {"messaging": {"namespace": bus}, "storage": {"backend": backend}},
                "options": {"threshold_bytes": 8},
            },
        },
    }
    with prism.open(claims, config=config) as producer:
        producer.queue.enqueue("jobs", b"secret-payload" * 4, headers={"tenant": "a"})
        assert "_publish_batch" not in producer.queue.__dict__  # the facet is not replaced

    async def consume() -> Any:
        async with await prism.open_async(bus, config=config) as consumer:
            lease = await consumer.queue.receive("jobs")
            await consumer.queue.ack(lease)
            return lease

    lease = asyncio.run(consume())
    assert lease.message.headers["tenant"] == "a"
    _one_trace(spans, "enqueue jobs")
    finished = spans.get_finished_spans()
    outer = next(s for s in finished if s.name == f"claim-check enqueue {claims}")
    enqueue = next(s for s in finished if s.name == "enqueue jobs")
    store = next(s for s in finished if s.name == f"set {claims}")  # the claimed payload
    assert enqueue.attributes["prism.namespace"] == bus
    assert outer.attributes["prism.pattern"] == "claim-check"
    for child in (enqueue, store):
        assert child.context.trace_id == outer.context.trace_id
        assert child.parent is not None and child.parent.span_id == outer.context.span_id
    # one pattern span per pattern call: the slot spans are not doubled
    assert [s.name for s in finished].count(f"claim-check enqueue {claims}") == 1
    assert [s.name for s in finished].count("enqueue jobs") == 1


def test_outbox_and_multicast_get_pattern_spans_and_keep_their_fast_hooks(
    spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    config = {
        "backends": {
            "db": {"type": "sqlite", "connection": f"sqlite:///{tmp_path / 'p.db'}"},
            "mem": {"type": "memstore", "connection": f"memory://ops-{tag}"},
        },
        "namespaces": {
            "orders": {
                "pattern": "outbox",
                "slots": {"database": {"backend": "db"}, "messaging": {"backend": "db"}},
            },
            "fleet": {
                "pattern": "multicast-registry",
                "slots": {"registry": {"backend": "db"}, "messaging": {"backend": "mem"}},
            },
        },
    }
    with prism.open("orders", config=config) as opened:
        orders: Any = opened
        assert orders.runtime.database._scan_in_key_order  # the database facet is not wrapped
        with orders.transaction() as tx:
            tx.set("order/1", b"paid")
            tx.enqueue("emails", b"secret-payload")
        assert orders.run_once() == 1
    with prism.open("fleet", config=config) as opened:
        fleet: Any = opened
        assert fleet.runtime.pubsub._publish_batch  # the batch hook is still reachable
        fleet.register("edge.berlin", {"site": "berlin"}, ttl=600)
        inbox = fleet.listen("edge.berlin")
        assert fleet.multicast({"site": "berlin"}, b"secret-payload").delivered == 1
        inbox.close()
    finished = spans.get_finished_spans()
    by_name = {s.name: s for s in finished}
    commit = by_name["outbox commit orders"]
    relay = by_name["outbox run_once orders"]
    enqueue = by_name["enqueue emails"]  # the relay's send, inside the relay pass
    assert enqueue.parent is not None and enqueue.parent.span_id == relay.context.span_id
    assert commit.attributes["prism.pattern"] == "outbox"
    multicast = by_name["multicast-registry multicast fleet"]
    assert multicast.status.is_ok
    assert [s.name for s in finished].count("multicast-registry multicast fleet") == 1


def test_database_spans_carry_the_semantic_attributes_and_errors(
    spans: InMemorySpanExporter,
) -> None:
    with prism.open("db", config=mem_config()) as ns:
        ns.keyvalue.set("user:1", b"secret-payload")
        with pytest.raises(prism.KeyNotFoundError):
            ns.keyvalue.get("missing")
    by_name = {s.name: s for s in spans.get_finished_spans()}
    attrs = by_name["set db"].attributes
    assert attrs["db.system.name"] == "prism.memstore"
    assert attrs["db.operation.name"] == "keyvalue.set"
    assert attrs["db.namespace"] == "db"
    assert "user:1" not in attrs.values()
    assert by_name["get db"].attributes["error.type"] == "KeyNotFoundError"


def test_telemetry_off_means_no_wrapper() -> None:
    prism.telemetry.disable()
    with prism.open("off", config=mem_config()) as ns:
        assert "publish" not in vars(ns.pubsub)


# ----- logging ----------------------------------------------------------------------------------


def test_logs_go_under_prism_and_redact_connection_strings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = {
        "backends": {
            "gone": {
                "type": "redis",
                "connection": "redis://:hunter2@127.0.0.1:1/0",
                "options": {"socket_connect_timeout": 0.5},
            }
        },
        "default_backend": "gone",
    }
    with (
        caplog.at_level(logging.DEBUG, logger="prism"),
        pytest.raises(prism.BackendUnavailableError),
    ):
        prism.open("x", config=cfg)
    records = [r for r in caplog.records if r.name.startswith("prism")]
    assert records, "opening a connection is logged"
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
    assert any("127.0.0.1:1" in r.getMessage() for r in records)


def test_one_trace_spans_a_stream_append_and_the_read(spans: InMemorySpanExporter) -> None:
    cfg = mem_config()
    with prism.open("log", config=cfg) as writer, prism.open("log", config=cfg) as reader:
        writer.stream.append("audit", b"secret-payload")
        records = reader.stream.read("audit", 0)
    assert len(records) == 1
    _one_trace(spans, "append audit")


def test_one_trace_spans_a_stream_append_many_and_each_record_read(
    spans: InMemorySpanExporter,
) -> None:
    cfg = mem_config()
    with prism.open("log", config=cfg) as writer, prism.open("log", config=cfg) as reader:
        writer.stream.append_many("audit", [b"secret-payload", b"b", b"a"], headers={"k": "v"})
        records = reader.stream.read("audit", 0)
    assert [dict(r.headers)["k"] for r in records] == ["v", "v", "v"]
    finished = spans.get_finished_spans()
    producer = next(s for s in finished if s.name == "append_many audit")
    process = [s for s in finished if s.name.startswith("process ")]
    assert len(process) == 3  # one per record, each a child of the one send span
    for span in process:
        assert span.context.trace_id == producer.context.trace_id
        assert span.parent is not None
        assert span.parent.span_id == producer.context.span_id
    assert "append_many" not in _resilience.IDEMPOTENT["stream"]


def test_batch_spans_count_their_messages_and_single_ones_do_not(
    spans: InMemorySpanExporter,
) -> None:
    """OpenTelemetry's ``messaging.batch.message_count``: on a batch send (from its list, or
    not at all for an iterator, which is never read ahead of the call) and on a receive that
    returns a list (what it returned, empty included); never on a single-message operation."""
    cfg = mem_config()
    with prism.open("log", config=cfg) as ns:
        ns.stream.append("one", b"x")
        ns.stream.append_many("many", [b"c", b"a", b"b", b"a"])
        ns.stream.append_many("iter", (p for p in [b"z", b"y"]))
        assert [r.payload for r in ns.stream.read("many", 1)] == [b"a", b"b", b"a"]
        assert ns.stream.read("one", 5) == []
        assert [r.payload for r in ns.stream.read("iter", 0)] == [b"z", b"y"]
    by_name = {s.name: dict(s.attributes or {}) for s in spans.get_finished_spans()}
    count = "messaging.batch.message_count"
    assert by_name["append_many many"][count] == 4
    assert count not in by_name["append_many iter"]
    assert count not in by_name["append one"]
    assert by_name["read many"][count] == 3
    assert by_name["read one"][count] == 0
    assert by_name["read iter"][count] == 2
    assert all(count not in a for n, a in by_name.items() if n.startswith("process "))


def test_metrics_record_durations_errors_by_type_and_breaker_state() -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    prism.telemetry.enable(
        tracer_provider=TracerProvider(), meter_provider=MeterProvider(metric_readers=[reader])
    )
    try:
        cfg = mem_config(breaker={"failures": 2})
        with prism.open("metered", config=cfg) as ns:
            ns.keyvalue.set("a", b"1")
            with pytest.raises(prism.KeyNotFoundError):
                ns.keyvalue.get("missing")
            ns.queue.enqueue("q", b"x")
    finally:
        prism.telemetry.disable()
    data = reader.get_metrics_data()
    points: dict[str, list[Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                points.setdefault(metric.name, []).extend(metric.data.data_points)
    db = points["db.client.operation.duration"]
    assert {p.attributes["db.operation.name"] for p in db} >= {"keyvalue.set", "keyvalue.get"}
    assert all(p.sum >= 0 for p in db)
    assert any(p.attributes.get("error.type") == "KeyNotFoundError" for p in db)
    errors = points["prism.client.errors"]
    assert [p.attributes["error.type"] for p in errors] == ["KeyNotFoundError"]
    assert (
        points["messaging.client.operation.duration"][0].attributes["messaging.operation.name"]
        == "enqueue"
    )
    states = points["prism.circuit_breaker.state"]
    assert [(p.attributes["prism.backend"], p.value) for p in states] == [("m", 0)]


def test_a_no_op_tracer_skips_spans_but_keeps_the_metrics() -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.trace import NoOpTracerProvider

    reader = InMemoryMetricReader()
    prism.telemetry.enable(
        tracer_provider=NoOpTracerProvider(), meter_provider=MeterProvider(metric_readers=[reader])
    )
    try:
        state = prism.telemetry.enabled()
        assert state is not None and state.spans_off()
        with prism.open("noop", config=mem_config()) as ns:
            headers = {"a": "b"}
            ns.queue.enqueue("q", b"x", headers=headers)
            lease = ns.queue.receive("q")
    finally:
        prism.telemetry.disable()
    assert lease is not None and dict(lease.message.headers) == {"a": "b"}  # nothing injected
    names = {
        metric.name
        for resource in reader.get_metrics_data().resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }
    assert "messaging.client.operation.duration" in names


# ----- the call path: checks fused into the backend method ---------------------------------------


class _Recording(prism.KeyValueBasic):
    """A facet whose methods record what reached them (after the shared checks)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    def set(self, key: str, value: bytes) -> None:
        self.seen.append((key, value))
        if key == "boom":
            raise RuntimeError("raised in the body")

    def get(self, key: str) -> bytes:
        return super().get(key)  # type: ignore[safe-super]  # a closure: never fused

    def delete(self, key: str) -> bool:
        return bool(self.seen)

    def exists(self, key: str) -> bool:
        return False


def test_a_fused_method_checks_before_its_body_and_tracebacks_point_at_the_backend() -> None:
    facet = _Recording()
    fused = type(facet).set
    # one function, compiled from the method's own source in its own file
    assert fused.__code__.co_filename == __file__
    assert fused.__wrapped__.__code__.co_firstlineno == fused.__code__.co_firstlineno
    with pytest.raises(prism.InvalidArgumentError, match="key"):
        facet.set("bad\x00key", b"v")
    with pytest.raises(prism.InvalidArgumentError, match="value"):
        facet.set("k", "not bytes")  # type: ignore[arg-type]
    assert facet.seen == []  # nothing reached the body
    facet.set("k", b"v")
    assert facet.seen == [("k", b"v")]
    with pytest.raises(RuntimeError) as info:
        facet.set("boom", b"v")
    last = info.traceback[-1]
    assert last.path == Path(__file__)
    assert "raise RuntimeError" in str(last.statement)


def test_methods_that_cannot_be_fused_keep_the_two_frame_wrapper() -> None:
    cls = _Recording
    assert cls.get.__code__.co_filename.startswith("<prism checks")  # super(): a closure
    assert cls.delete.__code__.co_filename == __file__
    with pytest.raises(prism.InvalidArgumentError):
        _Recording().get("")


_EVENTS: list[Any] = []


def _recording_around(func: Any) -> Around:
    """'before' first, then the result (a write records no result)."""
    after = None if func.__name__ == "set" else "_prism_events.append(('after', _prism_r))"
    return Around("_prism_events.append('before')", after, {"_prism_events": _EVENTS})


def _recording(func: Any) -> Any:
    """The decorator: the same code run round ``func``, where it cannot be fused."""
    return _recording_around(func).wrap(func)


_recording.__prism_around__ = _recording_around  # type: ignore[attr-defined]


class _Exits:
    def __enter__(self) -> None:
        _EVENTS.append("enter")

    def __exit__(self, *exc: object) -> None:
        _EVENTS.append("exit")


class _Wrapped(AsyncKeyValueBasic):
    """Returns inside try/finally and with, a nested function, a fall off the end, and a
    return inside a loop (which cannot become a break out of the whole body)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values = {"k": b"v"}

    async def get(self, key: str) -> bytes:
        self.lock.acquire()
        try:
            _EVENTS.append("body")
            if key == "gone":
                return None  # type: ignore[return-value]
            return self.values[key]
        finally:
            _EVENTS.append(("finally", self.lock.locked()))
            self.lock.release()

    async def exists(self, key: str) -> bool:
        with _Exits():
            if key == "k":
                return True

        def nested() -> str:
            return "nested"  # left alone: another function's return

        _EVENTS.append(nested())  # and then the body ends: None
        return None  # type: ignore[return-value]

    async def delete(self, key: str) -> bool:
        for k in list(self.values):
            if k == key:
                del self.values[k]
                return True
        return False

    async def set(self, key: str, value: bytes) -> None:
        _EVENTS.append("body")
        self.values[key] = value


for _name in ("get", "exists", "delete", "set"):
    decorate_checked(_Wrapped, _name, _recording)


def test_code_around_a_checked_async_method_is_fused_into_its_one_coroutine() -> None:
    """A decorator may give code to run before the checks and at every return (memstore's
    yields to the event loop).  Fused, it runs in the method's own coroutine: the returns of
    the body become breaks out of it, so the code after them runs once every ``finally`` and
    ``with`` of the body has run (no lock held), and sees the value returned.  A method whose
    body returns from inside a loop gets the same code run round it instead."""
    cls = _Wrapped
    for name in ("get", "exists", "set"):
        method = getattr(cls, name)
        assert method.__code__.co_filename == __file__, name  # one function: the method's own
        assert inspect.iscoroutinefunction(method)
    # a return inside a loop: not fused; the same code runs round the checked method
    assert cls.delete.__code__.co_filename == "<prism around _Wrapped.delete>"
    assert inspect.iscoroutinefunction(cls.delete)
    facet = _Wrapped()

    def run(call: Any) -> list[Any]:
        _EVENTS.clear()
        result = asyncio.run(call)
        return [*_EVENTS, result]

    assert run(facet.get("k")) == ["before", "body", ("finally", True), ("after", b"v"), b"v"]
    assert run(facet.get("gone")) == ["before", "body", ("finally", True), ("after", None), None]
    assert not facet.lock.locked()
    assert run(facet.exists("k")) == ["before", "enter", "exit", ("after", True), True]
    assert run(facet.exists("x")) == ["before", "enter", "exit", "nested", ("after", None), None]
    assert run(facet.set("n", b"1")) == ["before", "body", None]  # no after for a write
    assert run(facet.delete("n")) == ["before", ("after", True), True]
    assert run(facet.delete("n")) == ["before", ("after", False), False]
    _EVENTS.clear()
    with pytest.raises(prism.InvalidArgumentError, match="key"):
        asyncio.run(facet.get(""))
    assert _EVENTS == ["before"]  # before the checks; the body never ran
    with pytest.raises(KeyError):
        asyncio.run(facet.get("missing"))  # raised in the body: finally ran, no after
    assert _EVENTS == ["before", "before", "body", ("finally", True)]
    assert not facet.lock.locked()


def test_a_checked_method_is_built_on_first_use_only() -> None:
    class Lazy(prism.KeyValueBasic):
        def set(self, key: str, value: bytes) -> None:
            pass

        def get(self, key: str) -> bytes | None:
            return None

        def delete(self, key: str) -> bool:
            return False

        def exists(self, key: str) -> bool:
            return False

    # nothing compiled at class creation: the class holds the unbuilt descriptors
    assert all(
        type(Lazy.__dict__[attr]).__name__ == "_Lazy" for attr in ("set", "get", "delete", "exists")
    )
    facet = Lazy()
    assert facet.get("k") is None  # first use builds (fuses) get, and only get
    assert Lazy.__dict__["get"].__code__.co_filename == __file__
    assert Lazy.__dict__["get"].__prism_checked__
    assert type(Lazy.__dict__["set"]).__name__ == "_Lazy"  # never called: never compiled
    with pytest.raises(prism.InvalidArgumentError):
        facet.exists("")  # built on first use, checks included
    assert not isinstance(Lazy.__dict__["exists"], type(Lazy.__dict__["set"]))


def test_an_interface_default_is_checked_and_so_is_an_override_made_after_it_was_built() -> None:
    class Log(prism.StreamBasic):
        def __init__(self) -> None:
            self.records: list[bytes] = []

        def append(self, stream: str, payload: bytes, *, headers: Any = None) -> int:
            self.records.append(payload)
            return len(self.records) - 1

        def read(self, stream: str, from_offset: int = 0, *, max_count: int = 100) -> Any:
            return []

        def latest_offset(self, stream: str) -> int | None:
            return len(self.records) - 1 if self.records else None

    log = Log()
    assert log.append_many("s", iter([b"b", b"a"])) == [0, 1]  # the default, built now
    with pytest.raises(prism.InvalidArgumentError, match=r"payloads\[1\]"):
        log.append_many("s", [b"ok", "text"])  # type: ignore[list-item]
    assert log.records == [b"b", b"a"]  # checked whole: nothing of the bad batch written
    assert "append_many" in operations(Log)

    class Batched(Log):
        def append_many(self, stream: str, payloads: Any, *, headers: Any = None) -> list[int]:
            assert type(payloads) is list  # the check hands over a fresh list
            return [self.append(stream, p) for p in payloads]

    batched = Batched()
    with pytest.raises(prism.InvalidArgumentError):
        batched.append_many("", [b"x"])
    with pytest.raises(prism.InvalidArgumentError, match="not a single bytes"):
        batched.append_many("s", b"abc")
    assert batched.append_many("s", (b"x", b"y")) == [0, 1]
    assert batched.records == [b"x", b"y"]


def test_queue_length_and_group_lag_are_observable_gauges() -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    prism.telemetry.enable(meter_provider=MeterProvider(metric_readers=[reader]))
    try:
        config = mem_config()

        async def watch_async() -> None:
            async with await prism.open_async("lagging", config=config) as ans:
                prism.telemetry.watch(ans, queues=["jobs"])

        with pytest.raises(prism.ConfigurationError, match="sync namespace"):
            asyncio.run(watch_async())
        with prism.open("lagging", config=config) as ns:
            prism.telemetry.watch(ns, queues=["jobs"], groups=[("events", "billing")])
            for _ in range(3):
                ns.queue.enqueue("jobs", b"x")
            ns.stream.create_group("events", "billing")
            for i in range(5):
                ns.stream.append("events", b"%d" % i)
            ns.stream.consume("events", "billing", "c1", max_count=2)

            def gauges() -> dict[str, dict[tuple[tuple[str, Any], ...], Any]]:
                data = reader.get_metrics_data()
                out: dict[str, dict[tuple[tuple[str, Any], ...], Any]] = {}
                for rm in data.resource_metrics:
                    for sm in rm.scope_metrics:
                        for metric in sm.metrics:
                            for point in metric.data.data_points:
                                key = tuple(sorted(point.attributes.items()))
                                if metric.name.startswith(("prism.queue", "prism.stream")):
                                    out.setdefault(metric.name, {})[key] = point.value
                return out

            seen = gauges()
            (queue,) = seen["prism.queue.length"].items()
            assert dict(queue[0])["messaging.destination.name"] == "jobs"
            assert dict(queue[0])["prism.namespace"] == "lagging"
            assert queue[1] == 3
            (lag,) = seen["prism.stream.group.lag"].items()
            assert dict(lag[0])["messaging.consumer.group.name"] == "billing"
            assert lag[1] == 3  # 5 appended, 2 delivered
            assert next(iter(seen["prism.stream.group.pending"].values())) == 2
            ns.queue.dequeue("jobs")
            assert next(iter(gauges()["prism.queue.length"].values())) == 2
    finally:
        prism.telemetry.disable()
