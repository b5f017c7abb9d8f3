"""The test harness on a fresh machine: no Docker engine, no server binary on PATH."""

from __future__ import annotations

import contextlib
import gc
import socket
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prism.testing import servers


def _resource_warnings(call: Callable[[], object]) -> list[str]:
    """Run ``call``, collect garbage, and return the ResourceWarnings it left behind."""
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


@contextlib.contextmanager
def _mute_unix_socket(path: Path) -> Iterator[str]:
    """A unix socket that accepts connections and hangs up without a word (not an engine)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"unix://{path}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize("where", ["default", "missing-unix-socket", "refused-tcp-port", "mute"])
def test_docker_probe_leaves_no_socket_open_when_no_engine_answers(
    where: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With no engine, the probe says False and leaves nothing for the garbage collector: under
    ``filterwarnings = error`` an unclosed socket would make the README's test command error."""
    with contextlib.ExitStack() as stack:
        if where == "default":
            monkeypatch.delenv("DOCKER_HOST", raising=False)
        elif where == "missing-unix-socket":
            monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
        elif where == "refused-tcp-port":
            monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{servers.free_port()}")
        else:
            url = stack.enter_context(_mute_unix_socket(tmp_path / "mute.sock"))
            monkeypatch.setenv("DOCKER_HOST", url)
        answers: list[bool] = []
        leaked = _resource_warnings(lambda: answers.append(servers.docker_available(timeout=1)))
    assert leaked == []
    if where != "default":  # the default socket may have a real engine behind it
        assert answers == [False]
