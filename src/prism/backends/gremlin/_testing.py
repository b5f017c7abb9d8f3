"""The Gremlin server for the compliance suites and the backend's own tests.

1. ``PRISM_TEST_GREMLIN_URL`` (``PRISM_TEST_NEPTUNE_URL`` for neptune), used as is: a real
   Gremlin Server, e.g. ``docker run -p 8182:8182 tinkerpop/gremlin-server:3.7.3``
   (or ``PRISM_TEST_GREMLIN_DOCKER=1``: testcontainers starts that image);
2. otherwise the STAND-IN (``_standin.py``) as a process of its own on a free loopback port,
   ready once a real traversal answers; stopped by PID.  One per test run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from prism.testing.servers import ServerProcess, env_url, free_port, wait_until
from prism.testing.target import TestServer

__all__ = ["StandInProcess", "gremlin_server", "neptune_server", "start_standin"]

_READY_TIMEOUT = 30.0
IMAGE = "tinkerpop/gremlin-server:3.7.3"


def _ready(url: str) -> bool:
    """A real traversal answers (tried once the port accepts connections: a driver that fails to
    connect leaves an unclosed event loop behind)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 8182), timeout=1).close()
    except OSError:
        return False
    from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
    from gremlin_python.process.anonymous_traversal import traversal

    remote = DriverRemoteConnection(url, "g", pool_size=1)
    try:
        return bool(traversal().with_(remote).inject(1).to_list() == [1])
    finally:
        remote.close()


class StandInProcess:
    """The stand-in started by the harness; ``url`` is its WebSocket endpoint."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.process: ServerProcess | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gremlin"

    def start(self) -> StandInProcess:
        argv = [sys.executable, "-m", "prism.backends.gremlin._standin", "--port", str(self.port)]
        self.process = ServerProcess(argv, self.workdir, log_name=f"gremlin-{self.port}.log")
        try:
            wait_until(
                lambda: _ready(self.url),
                _READY_TIMEOUT,
                f"the Gremlin stand-in on port {self.port}",
                alive=self.process.alive,
            )
        except RuntimeError as exc:
            tail = self.process.log_tail()
            self.process.stop()
            msg = f"{exc}\n{tail}"
            raise RuntimeError(msg) from None
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


def start_standin(workdir: Path) -> StandInProcess:
    return StandInProcess(workdir).start()


def _docker() -> TestServer:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    container = DockerContainer(IMAGE).with_exposed_ports(8182)
    container.start()
    wait_for_logs(container, "Channel started at port 8182", timeout=120)
    host = container.get_container_host_ip()
    port = container.get_exposed_port(8182)
    return TestServer(
        connection=f"ws://{host}:{port}/gremlin",
        options={"iam": False},
        stop=container.stop,
        description=f"{IMAGE} (testcontainers)",
    )


def _server(workdir: Path, backend: str) -> TestServer | str:
    url = env_url(backend)
    if url:  # a real Neptune keeps the declaration's default (IAM on for neptune)
        return TestServer(connection=url, description=f"PRISM_TEST_{backend.upper()}_URL")
    url = env_url("gremlin")
    if url:
        return TestServer(
            connection=url, options={"iam": False}, description="PRISM_TEST_GREMLIN_URL"
        )
    if os.environ.get("PRISM_TEST_GREMLIN_DOCKER"):
        return _docker()
    try:
        import graphersal  # noqa: F401
        import gremlin_python  # noqa: F401
    except ImportError:
        return "the Gremlin stand-in needs graphersal and gremlinpython (the test dependency group)"
    server = start_standin(workdir)
    return TestServer(
        connection=server.url,
        options={"iam": False},
        stop=server.stop,
        description=f"Gremlin STAND-IN (graphersal) on 127.0.0.1:{server.port}",
    )


def gremlin_server(workdir: Path) -> TestServer | str:
    """The suites' server for ``gremlin``."""
    return _server(workdir, "gremlin")


def neptune_server(workdir: Path) -> TestServer | str:
    """The suites' server for ``neptune`` (IAM off: neither the stand-in nor a local Gremlin
    Server checks SigV4; tests/backends/test_gremlin.py checks the signature itself)."""
    return _server(workdir, "neptune")
