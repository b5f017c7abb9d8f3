"""A Kafka-protocol broker for the compliance suites and the backend's own tests.

1. ``PRISM_TEST_KAFKA_URL`` (``kafka://host:port``), used as is — a real Kafka;
2. testcontainers' Kafka module (``confluentinc/cp-kafka:8.0.0``, Apache Kafka 4.0 in KRaft mode) when ``PRISM_TEST_KAFKA_DOCKER=1`` and a
   Docker engine answers;
3. librdkafka's mock cluster (3 brokers) in a process of its own
   (``python -m prism.backends.kafka._mock``); ready once a real metadata request answers;
   stopped by PID.  The mock has no admin API: the backend creates topics through the
   harness's endpoint (option ``mock_control``).

One broker serves a whole test run; every test namespace is its own topic and group prefix.  The
server reports its target kind, ``mock`` or ``real``: the known gaps of the mock hold only there.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prism.testing.servers import ServerProcess, docker_available, env_url, wait_until
from prism.testing.target import TestServer

__all__ = ["MockCluster", "kafka_server", "start_mock"]

_READY_TIMEOUT = 30.0


def _metadata_answers(bootstrap: str) -> bool:
    from confluent_kafka.admin import AdminClient

    try:
        admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})
        return len(admin.list_topics(timeout=2).brokers) > 0
    except Exception:  # noqa: BLE001 (not ready yet)
        return False


@dataclass
class MockCluster:
    process: ServerProcess
    bootstrap: str
    control: str

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    @property
    def options(self) -> dict[str, Any]:
        return {"mock_control": self.control}

    def alive(self) -> bool:
        return self.process.alive()

    def stop(self) -> None:
        self.process.stop()


def start_mock(workdir: Path | None = None, brokers: int = 3) -> MockCluster:
    """Start a mock cluster process; ``RuntimeError`` when it does not come up."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="prism-kafka-"))
    info = workdir / f"kafka-mock-{os.getpid()}-{id(workdir)}.json"
    argv = [sys.executable, "-m", "prism.backends.kafka._mock", "--brokers", str(brokers)]
    process = ServerProcess([*argv, "--info", str(info)], workdir, log_name="kafka-mock.log")
    try:
        wait_until(info.exists, _READY_TIMEOUT, "the kafka mock cluster", alive=process.alive)
        data = json.loads(info.read_text())
        wait_until(
            lambda: _metadata_answers(data["bootstrap"]),
            _READY_TIMEOUT,
            "the kafka mock cluster's metadata",
            alive=process.alive,
        )
    except RuntimeError as exc:
        tail = process.log_tail()
        process.stop()
        msg = f"{exc}\n{tail}"
        raise RuntimeError(msg) from None
    return MockCluster(process, data["bootstrap"], data["control"])


def kafka_server(workdir: Path) -> TestServer | str:
    """The suites' broker: ``PRISM_TEST_KAFKA_URL``, Docker on request, else the mock."""
    url = env_url("kafka")
    if url:
        return TestServer(connection=url, description="PRISM_TEST_KAFKA_URL", target="real")
    try:
        import confluent_kafka  # noqa: F401
    except ImportError:
        return 'confluent-kafka is not installed (pip install "prism[kafka]")'
    if os.environ.get("PRISM_TEST_KAFKA_DOCKER") == "1" and docker_available():
        from testcontainers.community.kafka import KafkaContainer

        # Confluent Platform 8.0 is Apache Kafka 4.0 (KRaft); the module expects cp-kafka images
        container = KafkaContainer("confluentinc/cp-kafka:8.0.0").with_kraft()
        container.start()
        bootstrap = container.get_bootstrap_server()
        return TestServer(
            connection=f"kafka://{bootstrap}",
            stop=container.stop,
            description=f"Kafka 4.0 (testcontainers, cp-kafka 8.0) on {bootstrap}",
            target="real",
        )
    cluster = start_mock(workdir)
    return TestServer(
        connection=cluster.url,
        options=cluster.options,
        stop=cluster.stop,
        description=f"librdkafka mock cluster (3 brokers) on {cluster.bootstrap}",
        target="mock",
    )
