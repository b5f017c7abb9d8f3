"""A PostgreSQL server for the compliance suites and the backend's own tests.

1. ``PRISM_TEST_POSTGRES_URL``, used as is;
2. the server binaries on the machine (``/usr/lib/postgresql/*/bin``, newest first, or ``initdb``
   / ``postgres`` on PATH): ``initdb`` into a fresh directory, then ``postgres -D <dir> -p <port>
   -k <dir> -c listen_addresses=127.0.0.1 -c fsync=off``, run as the ``postgres`` user (through
   :func:`~prism.testing.servers.as_user`) when the tests run as root, which PostgreSQL refuses
   to be, so the server dies with a test process that dies without stopping it; ready once a real
   ``SELECT 1`` answers; stopped by PID;
3. otherwise a reason string (the compliance summary reports "no server").

One server serves a whole test run; every test namespace is its own schema.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from prism.testing.servers import (
    ServerProcess,
    as_user,
    env_url,
    find_binary,
    free_port,
    wait_until,
)
from prism.testing.target import TestServer

__all__ = ["PostgresProcess", "postgres_bindir", "postgres_server", "start_postgres"]

_READY_TIMEOUT = 60.0


def postgres_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``postgres`` (the newest Debian install first)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in found:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    initdb = find_binary("initdb")
    return Path(initdb).parent if initdb and (Path(initdb).parent / "postgres").is_file() else None


def _run_as() -> str | None:
    """The user to run the server as: ``postgres`` when we are root, else ourselves."""
    return "postgres" if os.geteuid() == 0 else None


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _ready(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
        return conn.execute("SELECT 1").fetchone() == (1,)


class PostgresProcess:
    """A server started by the harness; ``url`` connects to it as the superuser ``postgres``."""

    def __init__(self, bindir: Path, port: int | None = None, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        self.port = port or free_port()
        self.user = _run_as()
        self.datadir = Path(tempfile.mkdtemp(prefix="prism-pg-"))
        self.process: ServerProcess | None = None
        if self.user is not None:
            shutil.chown(self.datadir, self.user)
        self._initdb()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _initdb(self) -> None:
        argv = [
            str(self.bindir / "initdb"),
            "-D", str(self.datadir / "data"),
            "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
        ]  # fmt: skip
        switch = as_user(self.user) if self.user else {}
        done = subprocess.run(
            argv, capture_output=True, text=True, check=False, cwd=self.datadir, **switch
        )
        if done.returncode != 0:
            msg = f"initdb failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            raise RuntimeError(msg)

    def start(self) -> PostgresProcess:
        data = str(self.datadir / "data")
        argv = [
            str(self.bindir / "postgres"),
            "-D", data, "-p", str(self.port), "-k", data,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
            "-c", f"synchronous_commit={'on' if self.durable else 'off'}",
            "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]  # fmt: skip
        self.process = ServerProcess(
            argv, self.datadir, log_name=f"postgres-{self.port}.log", user=self.user
        )
        try:
            wait_until(
                lambda: _ready(self.url),
                _READY_TIMEOUT,
                f"postgres on port {self.port}",
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

    def _server_pids(self) -> list[int]:
        """The postmaster (from ``postmaster.pid``) and its children (each in a session of its
        own, so a process-group kill misses them)."""
        try:
            postmaster = int((self.datadir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        pids = [postmaster]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == postmaster:
                    pids.append(int(stat.parent.name))
        return pids

    def kill(self) -> None:
        """SIGKILL the server and every backend process at once (a crash: clients see their
        connections drop); :meth:`start` brings it back on the same port and data directory,
        through crash recovery."""
        pids = self._server_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            self.process.kill()
            self.process.stop()
        wait_until(
            lambda: not any(Path(f"/proc/{pid}").exists() and _running(pid) for pid in pids),
            10,
            "the killed postgres processes to exit",
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.datadir)


def start_postgres(bindir: Path | None = None, *, durable: bool = False) -> PostgresProcess:
    """Initialise and start a private server (``RuntimeError`` when none can be had).
    ``fsync`` is off (the data survives a killed server, not a killed machine); commits are
    asynchronous unless ``durable`` (then a killed server keeps every acknowledged commit)."""
    bindir = bindir or postgres_bindir()
    if bindir is None:
        msg = "no PostgreSQL server binaries (apt-get install postgresql)"
        raise RuntimeError(msg)
    return PostgresProcess(bindir, durable=durable).start()


def postgres_server(workdir: Path) -> TestServer | str:
    """The suites' server: ``PRISM_TEST_POSTGRES_URL``, else a private one on a free port."""
    del workdir  # the data directory must belong to the server's user: a temp dir of its own
    url = env_url("postgres")
    if url:
        return TestServer(connection=url, description="PRISM_TEST_POSTGRES_URL")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return 'psycopg is not installed (pip install "prism[postgres]")'
    bindir = postgres_bindir()
    if bindir is None:
        return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin, or initdb on PATH)"
    server = start_postgres(bindir)
    return TestServer(
        connection=server.url,
        stop=server.stop,
        description=f"PostgreSQL ({bindir.parent.name}) on 127.0.0.1:{server.port}",
    )
