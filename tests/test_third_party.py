"""The third-party path: a stranger's package, found through its entry point, runs the suites
through the pytest plugin exactly as its author would, in an empty directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prism.interfaces import CATALOG
from prism.registry.registry import get_registry


def _clean_env() -> dict[str, str]:
    """The stranger's environment: none of this repository's CI settings."""
    return {k: v for k, v in os.environ.items() if k not in ("PRISM_REQUIRE", "PRISM_MATRIX")}


def test_example_backend_is_discovered_through_its_entry_point() -> None:
    entry = get_registry().backend("example-kv")
    assert entry.plugin.sync_class.startswith("prism_example_backend.")
    assert entry.check() == []


def test_example_backend_passes_its_declared_suites(tmp_path: Path) -> None:
    matrix = tmp_path / "m.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--prism-backend=example-kv",
            f"--prism-matrix={matrix}",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "prism compliance" in proc.stdout
    outcome = json.loads(matrix.read_text())["backends"]["example-kv"]
    declared = {"keyvalue_basic", "keyvalue_scan", "keyvalue_batch", "keyvalue_cas"}
    assert {n for n, o in outcome.items() if o == "passed"} == declared
    assert all(outcome[n] == "not-declared" for n in CATALOG if n not in declared)


def test_unknown_backend_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--prism-backend=no-such-backend",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR
    assert "unknown backend" in proc.stderr
