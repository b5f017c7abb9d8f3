"""Declarations against implementations: a backend that declares more than it implements, a
facet left abstract, a driver that is not installed, and known gaps that name nothing real.

The incomplete backends are a plugin module written into a temporary directory: registered in
this process for the registry and ``prism registry`` checks, and loaded with ``-p`` by a pytest
subprocess for the compliance run, exactly as a stranger's plugin would be.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import prism
import prism.plugins
from prism.cli import main
from prism.errors import ConfigurationError
from prism.plugins.hookspecs import BackendPlugin
from prism.registry.loader import builtin_registry_dir
from prism.registry.registry import get_registry

ROOT = Path(__file__).resolve().parent.parent
MODULE = "prism_incomplete_backends"

PLUGIN_SOURCE = '''
"""Deliberately incomplete backends (written by tests/test_registry.py)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import prism.plugins
from prism import AsyncKeyValueBasic, AsyncKeyValueTTL, KeyNotFoundError, KeyValueBasic, KeyValueTTL
from prism.backends import AsyncBackend, AsyncFacet, Backend, BackendPlugin, Facet, hookimpl
from prism.backends.memstore._async.backend import AsyncMemstoreBackend
from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue
from prism.backends.memstore.backend import MemstoreBackend
from prism.backends.memstore.keyvalue import MemKeyValue
from prism.testing import TestServer

_DATA: dict[tuple[str, str, str], bytes] = {}
_LOCK = threading.Lock()


class DictKV(Facet, KeyValueBasic):
    def _k(self, key: str) -> tuple[str, str, str]:
        return (self.backend.settings.connection or "", self.namespace, key)

    def set(self, key: str, value: bytes) -> None:
        with _LOCK:
            _DATA[self._k(key)] = value

    def get(self, key: str) -> bytes:
        with _LOCK:
            try:
                return _DATA[self._k(key)]
            except KeyError:
                raise KeyNotFoundError(f"key {key!r} not found") from None

    def delete(self, key: str) -> bool:
        with _LOCK:
            return _DATA.pop(self._k(key), None) is not None

    def exists(self, key: str) -> bool:
        with _LOCK:
            return self._k(key) in _DATA


class AsyncDictKV(AsyncFacet, AsyncKeyValueBasic):
    def _k(self, key: str) -> tuple[str, str, str]:
        return (self.backend.settings.connection or "", self.namespace, key)

    async def set(self, key: str, value: bytes) -> None:
        with _LOCK:
            _DATA[self._k(key)] = value

    async def get(self, key: str) -> bytes:
        with _LOCK:
            try:
                return _DATA[self._k(key)]
            except KeyError:
                raise KeyNotFoundError(f"key {key!r} not found") from None

    async def delete(self, key: str) -> bool:
        with _LOCK:
            return _DATA.pop(self._k(key), None) is not None

    async def exists(self, key: str) -> bool:
        with _LOCK:
            return self._k(key) in _DATA


class ForgetfulKV(DictKV, KeyValueTTL):
    """Subclasses keyvalue_ttl but forgets expire, get_ttl and persist."""


class AsyncForgetfulKV(AsyncDictKV, AsyncKeyValueTTL):
    """Subclasses keyvalue_ttl but forgets expire, get_ttl and persist."""


class PartialBackend(Backend):
    facet_classes = {"keyvalue": DictKV}


class AsyncPartialBackend(AsyncBackend):
    facet_classes = {"keyvalue": AsyncDictKV}


class ForgetfulBackend(Backend):
    facet_classes = {"keyvalue": ForgetfulKV}


class AsyncForgetfulBackend(AsyncBackend):
    facet_classes = {"keyvalue": AsyncForgetfulKV}


class GapBackend(MemstoreBackend):
    facet_classes = {"keyvalue": MemKeyValue}


class AsyncGapBackend(AsyncMemstoreBackend):
    facet_classes = {"keyvalue": AsyncMemKeyValue}


def test_server(workdir: Path) -> TestServer:
    return TestServer(connection=f"dict://{uuid.uuid4().hex[:8]}", description="a dict")


_KV = ["keyvalue_basic", "keyvalue_ttl"]
_MEMSTORE_KV = [
    "keyvalue_basic", "keyvalue_scan", "keyvalue_ttl", "keyvalue_transactional",
    "keyvalue_batch", "keyvalue_cas",
]
_HERE = "prism_incomplete_backends"


class IncompletePlugin:
    @hookimpl
    def prism_backends(self) -> list[BackendPlugin]:
        return [
            BackendPlugin(
                name="partial-kv",
                declaration={"backend": "partial-kv", "implements": _KV},
                sync_class=f"{_HERE}:PartialBackend",
                async_class=f"{_HERE}:AsyncPartialBackend",
                test_server=f"{_HERE}:test_server",
            ),
            BackendPlugin(
                name="forgetful-kv",
                declaration={"backend": "forgetful-kv", "implements": _KV},
                sync_class=f"{_HERE}:ForgetfulBackend",
                async_class=f"{_HERE}:AsyncForgetfulBackend",
                test_server=f"{_HERE}:test_server",
            ),
            BackendPlugin(
                name="gap-typo",
                declaration={
                    "backend": "gap-typo",
                    "implements": _MEMSTORE_KV,
                    "known_gaps": [
                        {
                            "test": "keyvalue_basic::test_set_then_get",
                            "kind": "notyet",
                            "raises": "AssertionErorr",
                            "reason": "the exception name is misspelt",
                        },
                        {
                            "test": "keyvalue_basic::test_no_such_case*",
                            "kind": "notyet",
                            "raises": "PrismError",
                            "reason": "the pattern matches no suite case",
                        },
                    ],
                },
                sync_class=f"{_HERE}:GapBackend",
                async_class=f"{_HERE}:AsyncGapBackend",
                test_server="prism.backends.memstore._testing:memstore_server",
            ),
            BackendPlugin(
                name="driverless",
                declaration={"backend": "driverless", "implements": ["keyvalue_basic"]},
                sync_class="prism_no_such_driver_module:Backend",
                async_class="prism_no_such_driver_module:AsyncBackend",
                install_hint="pip install prism-driverless",
            ),
        ]


if prism.plugins.get_plugin_manager().get_plugin("prism-incomplete") is None:
    prism.plugins.register(IncompletePlugin(), name="prism-incomplete")
'''


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("incomplete-plugin")
    (directory / f"{MODULE}.py").write_text(PLUGIN_SOURCE, encoding="utf-8")
    return directory


@pytest.fixture
def incomplete(plugin_dir: Path) -> Iterator[None]:
    """The incomplete backends registered in this process for one test."""
    sys.path.insert(0, str(plugin_dir))
    try:
        importlib.import_module(MODULE)
        yield
    finally:
        prism.plugins.unregister(name="prism-incomplete")
        sys.modules.pop(MODULE, None)
        sys.path.remove(str(plugin_dir))


# ----------------------------------------------------------------------------- the registry


@pytest.mark.usefixtures("incomplete")
def test_declared_but_not_implemented_is_one_message_per_interface() -> None:
    entry = get_registry().backend("partial-kv")
    gaps = entry.unimplemented()
    assert list(gaps) == ["keyvalue_ttl"]
    assert gaps["keyvalue_ttl"].startswith(
        "partial-kv declares keyvalue_ttl but the facet does not implement it"
    )
    assert (
        "DictKV does not subclass it (missing methods: expire, get_ttl, persist)"
        in (gaps["keyvalue_ttl"])
    )
    assert gaps["keyvalue_ttl"] in entry.check()


@pytest.mark.usefixtures("incomplete")
def test_a_facet_left_abstract_is_named_with_its_missing_methods() -> None:
    entry = get_registry().backend("forgetful-kv")
    assert (
        "leaves methods of it abstract (missing methods: expire, get_ttl, persist)"
        in (entry.unimplemented()["keyvalue_ttl"])
    )
    assert any("ForgetfulKV leaves abstract" in m for m in entry.abstract_facets())


@pytest.mark.usefixtures("incomplete")
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_opening_a_backend_with_an_abstract_facet_is_a_configuration_error(flavour: str) -> None:
    config = {"backends": {"b": {"type": "forgetful-kv"}}, "default_backend": "b"}

    def open_it() -> object:
        if flavour == "sync":
            return prism.open("ns", config=config)
        return asyncio.run(prism.open_async("ns", config=config))

    with pytest.raises(ConfigurationError) as info:
        open_it()
    text = str(info.value)
    assert "ForgetfulKV" in text and "expire, get_ttl, persist" in text
    assert not isinstance(info.value.__cause__, TypeError)


@pytest.mark.usefixtures("incomplete")
def test_a_known_gap_naming_an_unknown_exception_is_a_problem() -> None:
    problems = get_registry().backend("gap-typo").check()
    assert any(
        "'AssertionErorr' is not an exception class" in p and "did you mean" in p for p in problems
    ), problems


def test_known_gap_exception_resolves_prism_and_builtin_names() -> None:
    from prism.errors import NotFoundError
    from prism.registry.models import KnownGap

    def gap(raises: str) -> KnownGap:
        return KnownGap(test="keyvalue_basic", kind="notyet", raises=raises, reason="r")

    assert gap("NotFoundError").exception() is NotFoundError
    assert gap("AssertionError").exception() is AssertionError
    for wrong in ("AssertionErorr", "print", "Exceptions", "__name__"):
        with pytest.raises(ValueError, match="is not an exception class"):
            gap(wrong).exception()


def test_known_gap_targets_are_validated_and_decide_where_the_gap_holds() -> None:
    from pydantic import ValidationError

    from prism.registry.models import KnownGap

    def gap(**extra: Any) -> KnownGap:
        return KnownGap(test="keyvalue_basic", kind="never", reason="r", **extra)

    everywhere = gap()
    assert everywhere.targets is None
    assert everywhere.holds_on("mock") and everywhere.holds_on("real") and everywhere.holds_on("")
    mock_only = gap(targets=["mock"])
    assert mock_only.holds_on("mock")
    assert not mock_only.holds_on("real") and not mock_only.holds_on("")
    assert gap(targets=["mock", "docker-kafka"]).holds_on("docker-kafka")
    for wrong, message in (
        ([], "at least 1"),
        (["Mock"], "a target is the name of a kind of test server"),
        (["mock", ""], "a target is the name"),
        (["mock", "mock"], "names a target twice"),
        ("mock", "valid list"),
    ):
        with pytest.raises(ValidationError, match=message):
            gap(targets=wrong)


def test_kafkas_known_gaps_hold_on_the_mock_cluster_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The librdkafka mock's limits are no gaps of a real Kafka: they name the ``mock`` target,
    and a broker given by URL is reported as the ``real`` target (the mock cluster's own report,
    ``mock``, is checked by the compliance run's servers summary)."""
    from prism.backends.kafka._testing import kafka_server

    gaps = get_registry().backend("kafka").declaration.known_gaps
    assert len(gaps) >= 4
    assert all(g.targets == ["mock"] and "mock" in g.reason for g in gaps[:4])
    monkeypatch.setenv("PRISM_TEST_KAFKA_URL", "kafka://127.0.0.1:9")
    server = kafka_server(tmp_path)
    assert not isinstance(server, str) and server.target == "real"
    assert not any(g.holds_on(server.target) for g in gaps[:4])


@pytest.mark.usefixtures("incomplete")
def test_driver_missing_is_reported_with_the_install_hint() -> None:
    message = get_registry().backend("driverless").driver_missing()
    assert message is not None
    assert "prism_no_such_driver_module" in message and "pip install prism-driverless" in message
    assert get_registry().backend("memstore").driver_missing() is None


# ----------------------------------------------------------------------------- prism registry


def test_prism_registry_verifies_the_builtin_backends() -> None:
    result = CliRunner().invoke(main, ["registry"])
    assert result.exit_code == 0, result.output
    assert "✓" in result.output and "✗" not in result.output.split("✓ verified")[0]


@pytest.mark.usefixtures("incomplete")
def test_prism_registry_reports_declared_but_not_implemented() -> None:
    result = CliRunner().invoke(main, ["registry", "--backend", "partial-kv"])
    assert result.exit_code == 1, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("keyvalue_ttl "))
    assert "✗" in row
    assert "partial-kv declares keyvalue_ttl but the facet does not implement it" in (result.output)


@pytest.mark.usefixtures("incomplete")
def test_prism_registry_says_when_a_driver_is_missing() -> None:
    result = CliRunner().invoke(main, ["registry", "--backend", "driverless"])
    assert result.exit_code == 0, result.output
    assert "driverless: driver not installed" in result.output
    assert "pip install prism-driverless" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("keyvalue_basic "))
    assert "?" in row


def test_prism_registry_unknown_backend_suggests_the_nearest() -> None:
    result = CliRunner().invoke(main, ["registry", "--backend", "sqlit"])
    assert result.exit_code == 2
    assert "did you mean 'sqlite'?" in result.output


# ----------------------------------------------------------------------------- a compliance run


@pytest.fixture(scope="module")
def compliance_run(plugin_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    matrix = plugin_dir / "m.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(plugin_dir), str(ROOT)]),
        "COLUMNS": "1000",  # the short summary keeps each failure's whole message
    }
    env.pop("PRISM_REQUIRE", None)
    env.pop("PRISM_MATRIX", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            MODULE,
            "--prism-backend=partial-kv,forgetful-kv,gap-typo,driverless",
            f"--prism-matrix={matrix}",
            "-k",
            "keyvalue_basic or keyvalue_ttl or loads or known_gaps or undeclared",
            "-q",
            "-rf",
            "-p",
            "no:cacheprovider",
        ],
        cwd=plugin_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert matrix.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads(matrix.read_text())["backends"]


def _failures(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]


def test_compliance_run_reports_an_unimplemented_interface_once(
    compliance_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, matrix = compliance_run
    assert proc.returncode == pytest.ExitCode.TESTS_FAILED, proc.stdout[-3000:]
    partial = [f for f in _failures(proc) if "partial_kv" in f]
    assert len(partial) == 1, partial
    assert "Test_partial_kv_keyvalue_ttl_declared" in partial[0]
    assert "declares keyvalue_ttl but the facet does not implement it" in partial[0]
    assert "keyvalue_ttl_sync" not in proc.stdout and "keyvalue_ttl_async" not in proc.stdout
    assert matrix["partial-kv"]["keyvalue_ttl"] == "failed"
    assert matrix["partial-kv"]["keyvalue_basic"] == "passed"


def test_compliance_run_reports_an_abstract_facet_once_per_problem(
    compliance_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, matrix = compliance_run
    forgetful = [f for f in _failures(proc) if "forgetful_kv" in f]
    assert len(forgetful) == 2, forgetful
    assert any("Test_forgetful_kv_loads" in f and "ForgetfulKV" in f for f in forgetful)
    assert any("Test_forgetful_kv_keyvalue_ttl_declared" in f for f in forgetful)
    assert matrix["forgetful-kv"]["keyvalue_ttl"] == "failed"
    assert matrix["forgetful-kv"]["keyvalue_basic"] == "failed"  # nothing could run


def test_compliance_run_fails_known_gaps_that_name_nothing_real(
    compliance_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, matrix = compliance_run
    gaps = [f for f in _failures(proc) if "gap_typo" in f]
    assert len(gaps) == 2, gaps
    assert any("'AssertionErorr' is not an exception class" in f for f in gaps)
    assert any("matches no suite case" in f for f in gaps)
    assert matrix["gap-typo"]["keyvalue_basic"] == "failed"
    assert matrix["gap-typo"]["keyvalue_ttl"] == "passed"


# ----------------------------------------------------------------------------- extra


def _pyproject_extras() -> set[str]:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["project"]["optional-dependencies"])


def test_extra_is_declared_in_one_place_only() -> None:
    """The pip extra lives in the declaration YAML alone; the plugin cannot state another."""
    import dataclasses

    assert "extra" not in {f.name for f in dataclasses.fields(BackendPlugin)}
    extras = _pyproject_extras()
    for path in sorted((builtin_registry_dir() / "backends").glob("*.yaml")):
        declared = yaml.safe_load(path.read_text(encoding="utf-8")).get("extra")
        entry = get_registry().backend(path.stem)
        if declared is None:
            assert entry.install_hint is None or entry.plugin.install_hint
            continue
        assert declared in extras, f"{path.name}: extra {declared!r} is not in pyproject.toml"
        assert entry.install_hint == f'pip install "prism[{declared}]"'


def test_a_backend_needing_a_driver_declares_its_extra() -> None:
    """Every built-in backend whose classes import a third-party module names the extra that
    installs it (checked in a fresh interpreter so nothing else has imported the driver)."""
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "from prism.registry.registry import get_registry\n"
        "out = {}\n"
        "for name, entry in get_registry().backends.items():\n"
        "    if not entry.plugin.sync_class.startswith('prism.'):\n"
        "        continue\n"
        "    seen = set(sys.modules)\n"
        "    entry.load_class(); entry.load_class(is_async=True)\n"
        "    new = {m.split('.')[0] for m in set(sys.modules) - seen}\n"
        "    out[name] = sorted(new - set(sys.stdlib_module_names) - {'prism', '_cffi_backend'})\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    third_party = json.loads(proc.stdout)
    for name, modules in third_party.items():
        extra = get_registry().backend(name).declaration.extra
        if modules:
            assert extra is not None, f"{name} imports {modules} but declares no extra"


def test_compliance_run_reports_a_missing_driver_like_a_missing_server(
    compliance_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    proc, matrix = compliance_run
    assert not [f for f in _failures(proc) if "driverless" in f]
    assert matrix["driverless"]["keyvalue_basic"] == "no-server"
    assert "pip install prism-driverless" in proc.stdout
