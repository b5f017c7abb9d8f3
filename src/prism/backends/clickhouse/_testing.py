"""The compliance suites' server for clickhouse: the engine in this process (chdb), or a real
server: one named by ``PRISM_TEST_CLICKHOUSE_URL``, or with ``PRISM_TEST_CLICKHOUSE_IMAGE``
and a Docker engine, that image started through testcontainers.

chdb runs one engine per process, so the whole test run shares one database directory (each
test's namespace has tables of its own); a manual clock drives retention.  With
``PRISM_TEST_CLICKHOUSE_URL=clickhouse://user:password@host:9000/db`` the suites run on that
server instead (with the manual clock too: retention compares timestamps with the backend's
clock, not the server's).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prism.testing.servers import (
    ServerProcess,
    docker_available,
    env_url,
    free_port,
    wait_until,
)
from prism.testing.target import TestServer


def clickhouse_server(workdir: Path) -> TestServer:
    from prism.backends.memstore import ManualClock

    clock = ManualClock()
    url = env_url("clickhouse")
    if url is not None:
        return TestServer(
            connection=url,
            options={"clock": clock},
            clock=clock,
            description="ClickHouse server from PRISM_TEST_CLICKHOUSE_URL, with a manual clock",
        )
    image = os.environ.get("PRISM_TEST_CLICKHOUSE_IMAGE")
    if image and docker_available():
        return _container(image, clock)
    path = (workdir / f"chdb-{uuid.uuid4().hex[:8]}").absolute()
    return TestServer(
        connection=f"chdb://{path}",
        options={"clock": clock},
        clock=clock,
        description=f"chdb {path.name} (the ClickHouse engine in-process) with a manual clock",
    )


def _container(image: str, clock: Any) -> TestServer:
    """A current ClickHouse server in Docker (testcontainers), e.g.
    ``PRISM_TEST_CLICKHOUSE_IMAGE=clickhouse/clickhouse-server:25.8``."""
    from testcontainers.community.clickhouse import ClickHouseContainer

    container: Any = ClickHouseContainer(image, username="prism", password=uuid.uuid4().hex)
    container.start()
    return TestServer(
        connection=container.get_connection_url(),
        options={"clock": clock},
        clock=clock,
        stop=container.stop,
        description=f"testcontainers {image}, with a manual clock",
    )


DEBIAN_SERVER = "/usr/sbin/clickhouse-server"
"""Debian's clickhouse-server 18.16 (``apt-get install clickhouse-server``): the only native
server installable here.  It predates Map columns, TTL, DateTime64, query parameters and
lightweight DELETE, so it serves the native transport's own tests, not the suites."""

_CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>{port}</tcp_port>
  <http_port>{http}</http_port>
  <path>{dir}/data/</path>
  <tmp_path>{dir}/tmp/</tmp_path>
  <user_files_path>{dir}/user_files/</user_files_path>
  <format_schema_path>{dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
"""
_USERS = """<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <{user}>
      <password>{password}</password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </{user}>
  </users>
  <quotas><default></default></quotas>
</yandex>
"""


@dataclass
class NativeServer:
    """A clickhouse-server started by the harness; ``url`` carries its user and password."""

    process: ServerProcess
    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return f"clickhouse://{self.user}:{self.password}@127.0.0.1:{self.port}/default"

    def stop(self) -> None:
        self.process.stop()


def start_debian_server(workdir: Path, timeout: float = 30.0) -> NativeServer:
    """Start Debian's clickhouse-server on a free loopback port, as its own process, with one
    password-protected user; wait until it answers a query."""
    port, http = free_port(), free_port()
    user, password = "prism", uuid.uuid4().hex
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.xml").write_text(_CONFIG.format(port=port, http=http, dir=workdir))
    (workdir / "users.xml").write_text(_USERS.format(user=user, password=password))
    process = ServerProcess(
        [DEBIAN_SERVER, f"--config-file={workdir / 'config.xml'}"], workdir, log_name="ch.log"
    )
    server = NativeServer(process, port, user, password)

    def answers() -> bool:
        from clickhouse_driver import Client

        client = Client("127.0.0.1", port=port, user=user, password=password)
        try:
            return bool(client.execute("SELECT 1"))
        finally:
            client.disconnect()

    try:
        wait_until(answers, timeout, "clickhouse-server", process.alive)
    except BaseException:
        process.stop()
        raise
    return server
