"""Meta-test: the model-based stateful tests catch deliberately broken memstore variants.

One pytest subprocess runs only ``test_stateful_model`` (sync and async) against a handful of
broken variants and sound memstore; the matrix file says how each basic interface ended, and
since nothing else was selected, a failure there is the state machine's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(600)

CAUGHT = {
    "broken-keyvalue-stale-read": "keyvalue_basic",  # overwrites ignored
    "broken-keyvalue-leaky-prefix": "keyvalue_basic",  # scan prefix loses its last character
    "broken-keyvalue-lost-ttl": "keyvalue_basic",  # expiry dropped: needs the clock rules
    "broken-list-push-left-unreversed": "list_basic",
    "broken-queue-lifo": "queue_basic",
    "broken-timeseries-first-write-wins": "timeseries_basic",
    "broken-set-pop-keeps": "set_basic",  # pop_random returns members but keeps them
    "broken-queue-lenient-ack": "queue_basic",  # a settled lease can be acked again
    "broken-graph-dangling-edges": "graph_basic",  # deleting a node keeps its edges
}
"""Broken variant → the basic interface whose state machine must fail on it."""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    workdir = tmp_path_factory.mktemp("stateful-variants")
    matrix = workdir / "m.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    for name in (
        "PRISM_REQUIRE",
        "PRISM_MATRIX",
        "PRISM_STATEFUL_EXAMPLES",
        "PRISM_STATEFUL_STEPS",
    ):
        env.pop(name, None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.broken.plugin",
            f"--prism-backend=memstore,{','.join(CAUGHT)}",
            f"--prism-matrix={matrix}",
            "-k",
            "test_stateful_model",
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-header",
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert matrix.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == pytest.ExitCode.TESTS_FAILED, proc.stdout[-3000:]
    assert not (workdir / ".hypothesis").exists(), "an example database was written to the cwd"
    return json.loads(matrix.read_text())["backends"], proc.stdout


@pytest.mark.parametrize("backend", list(CAUGHT))
def test_state_machine_catches_broken_variant(
    run: tuple[dict[str, Any], str], backend: str
) -> None:
    outcomes, stdout = run
    assert outcomes[backend][CAUGHT[backend]] == "failed"
    safe = backend.replace("-", "_")
    for flavour in ("sync", "async"):
        node = f"Test_{safe}_{CAUGHT[backend]}_{flavour}::test_stateful_model"
        assert f"FAILED src/prism/testing/_collect.py::{node}" in stdout or node in stdout


def test_sound_memstore_passes_every_state_machine(run: tuple[dict[str, Any], str]) -> None:
    outcomes, _ = run
    from prism.interfaces import MODELS

    for model in MODELS:
        assert outcomes["memstore"][f"{model}_basic"] == "passed", model


def test_a_failure_prints_the_steps_that_reproduce_it(run: tuple[dict[str, Any], str]) -> None:
    _, stdout = run
    assert "state = " in stdout
    assert "state.teardown()" in stdout


def test_without_hypothesis_the_stateful_tests_skip_saying_how_to_install_it(
    tmp_path: Path,
) -> None:
    shadow = tmp_path / "shadow" / "hypothesis"  # first on the path: as if not installed
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'hypothesis'\", name='hypothesis')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(shadow.parent)}
    for name in ("PRISM_REQUIRE", "PRISM_MATRIX"):
        env.pop(name, None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:hypothesispytest",
            "-p",
            "no:cacheprovider",
            "--prism-backend=memstore",
            "-k",
            "memstore_set_basic_sync and test_stateful_model",
            "-rs",
            "-q",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 skipped" in proc.stdout
    assert "need hypothesis: pip install 'prism[testing]'" in proc.stdout
