"""The compliance bookkeeping under pytest-xdist: the same JSON and summary as a serial run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(900)  # two subprocess runs of a small suite selection

SELECTION = "(keyvalue_basic and (set_then_get or get_missing)) or known_gap or declared"


def _run(workdir: Path, *xdist: str) -> tuple[dict[str, Any], str]:
    matrix = workdir / "m.json"
    env = {**os.environ, "COLUMNS": "1000"}
    env.pop("PRISM_REQUIRE", None)
    env.pop("PRISM_MATRIX", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--prism-backend=memstore,sqlite",
            f"--prism-matrix={matrix}",
            "-k",
            SELECTION,
            "-p",
            "no:cacheprovider",
            "-rA",
            *xdist,
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=800,
        check=False,
    )
    assert matrix.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(matrix.read_text()), proc.stdout


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    serial = tmp_path_factory.mktemp("serial")
    parallel = tmp_path_factory.mktemp("xdist")
    return {
        "serial": _run(serial),
        "xdist": _run(parallel, "-n", "2", "--dist", "loadgroup", "-v"),
    }


def test_the_matrix_json_is_the_same_with_and_without_xdist(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    serial, parallel = runs["serial"][0], runs["xdist"][0]
    assert serial == parallel
    assert serial["backends"]["memstore"]["keyvalue_basic"] == "passed"
    assert serial["backends"]["sqlite"]["keyvalue_basic"] == "passed"


def _servers(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = lines.index("servers:") + 1
    out = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        out.append(line.strip().split(":", 1)[0])
    return out


def test_the_controller_prints_one_summary_listing_each_workers_servers(
    runs: dict[str, tuple[dict[str, Any], str]],
) -> None:
    """Each backend's suites ran on one worker, so its server started once; the controller
    alone prints the summary, with the servers its workers started."""
    for _, stdout in runs.values():
        assert stdout.count("prism compliance (interfaces passed / declared") == 1
        assert _servers(stdout) == ["memstore", "sqlite"]
    workers = {
        backend: {
            line.split("]", 1)[0]
            for line in runs["xdist"][1].splitlines()
            if line.startswith("[gw") and f"Test_{backend}_" in line
        }
        for backend in ("memstore", "sqlite")
    }
    assert all(len(found) == 1 for found in workers.values()), workers
