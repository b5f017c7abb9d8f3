"""Meta-test: every deliberately broken memstore variant fails the suite it should.

All variants run in one pytest subprocess (one collection, one interpreter), each restricted to
the suite it must fail; the matrix file then says, per variant, how that suite ended.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.broken.plugin import GAP_BACKENDS, VARIANTS
from tests.broken.plugin import Pair as Variant

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(900)  # one subprocess runs every variant's suite


def _selector(variant: Variant) -> str:
    return f"{variant.backend.replace('-', '_')}_{variant.expect_failing}_"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The matrix and the terminal output of one run of every variant's suite, with
    pytest-timeout disabled: only the prism plugin's own per-case deadline stops a hang."""
    workdir = tmp_path_factory.mktemp("broken-variants")
    matrix = workdir / "m.json"
    backends = ",".join([*(v.backend for v in VARIANTS), *GAP_BACKENDS])
    selection = " or ".join(
        [
            *(_selector(v) for v in VARIANTS),
            *(f"{name.replace('-', '_')}_keyvalue_basic_" for name in GAP_BACKENDS),
        ]
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env["COLUMNS"] = "1000"  # FAILED lines in full
    env.pop("PRISM_REQUIRE", None)
    env.pop("PRISM_MATRIX", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.broken.plugin",
            f"--prism-backend={backends}",
            f"--prism-matrix={matrix}",
            "-k",
            f"({selection}) and not test_stateful_model",  # the example suites alone
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:timeout",
            "--no-header",
            "-rf",
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert matrix.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == pytest.ExitCode.TESTS_FAILED, proc.stdout[-3000:]
    return json.loads(matrix.read_text())["backends"], proc.stdout


@pytest.fixture(scope="module")
def outcomes(run: tuple[dict[str, Any], str]) -> dict[str, Any]:
    return run[0]


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.backend for v in VARIANTS])
def test_broken_variant_fails_its_suite(outcomes: dict[str, Any], variant: Variant) -> None:
    assert outcomes[variant.backend][variant.expect_failing] == "failed"


def test_there_is_a_variant_for_every_data_model() -> None:
    from prism.interfaces import MODELS

    assert {v.model for v in VARIANTS} == set(MODELS)


def test_a_declared_known_gap_is_a_strict_expected_failure(outcomes: dict[str, Any]) -> None:
    assert outcomes["gap-declared"]["keyvalue_basic"] == "xfailed"


def test_a_known_gap_that_passes_fails_the_run(outcomes: dict[str, Any]) -> None:
    assert outcomes["gap-unexpected-pass"]["keyvalue_basic"] == "failed"


def test_a_known_gap_holds_on_the_targets_it_names(run: tuple[dict[str, Any], str]) -> None:
    """A gap declared with ``targets: [mock]`` is a strict expected failure when the harness
    reports the target ``mock``; one declared for ``real`` only is not applied there, so its
    (passing) case passes instead of failing as an unexpected pass."""
    matrix, stdout = run
    assert matrix["gap-on-target"]["keyvalue_basic"] == "xfailed"
    assert matrix["gap-off-target"]["keyvalue_basic"] == "passed"
    servers = [line.strip() for line in stdout.splitlines() if "gap-on-target: " in line]
    assert any(line.endswith("[target: mock]") for line in servers), servers


def test_a_case_that_blocks_forever_fails_at_its_deadline(run: tuple[dict[str, Any], str]) -> None:
    """The variant whose blocking pops ignore their timeout hangs in the cases that wait on an
    empty list; each fails at its 1 s deadline with a message naming it, in both flavours, and
    the run goes on (pytest-timeout is disabled in that run)."""
    from tests.broken.list import CASE_DEADLINES

    backend = "broken-list-blocking-pop-forever"
    assert CASE_DEADLINES[backend] == 1.0
    matrix, stdout = run
    assert matrix[backend]["list_blocking"] == "failed"
    prefix = f"Test_{backend.replace('-', '_')}_list_blocking_"
    failed = [line for line in stdout.splitlines() if line.startswith("FAILED") and prefix in line]
    assert {f"{prefix}sync", f"{prefix}async"} <= {
        line.split("::")[-2] for line in failed if "::" in line
    }, stdout[-3000:]
    for line in failed:
        assert "did not finish within its deadline of 1 s" in line, line


def test_a_declared_pubsub_limit_is_caught_only_by_the_size_rule(
    run: tuple[dict[str, Any], str],
) -> None:
    """The variant declares ``limits.max_message_bytes`` but publishes larger payloads: exactly
    the size probes fail (a payload above the limit must raise ValueTooLargeError), in both
    flavours; every other pubsub_basic case passes on it."""
    backend = "broken-pubsub-limit-ignored"
    variant = next(v for v in VARIANTS if v.backend == backend)
    assert variant.max_message_bytes is not None
    assert variant.max_message_bytes < 1024 * 1024  # below the suite's largest payload
    matrix, stdout = run
    assert matrix[backend]["pubsub_basic"] == "failed"
    prefix = f"Test_{backend.replace('-', '_')}_pubsub_basic_"
    failed = {
        "::".join(line.split(" ")[1].split("::")[-2:])
        for line in stdout.splitlines()
        if line.startswith("FAILED") and prefix in line
    }
    assert failed == {
        f"{prefix}{flavour}::{case}"
        for flavour in ("sync", "async")
        for case in ("test_binary_payloads_round_trip[1MiB]", "test_payload_at_the_declared_limit")
    }, stdout[-3000:]


@pytest.mark.parametrize(
    ("backend", "cases"),
    [
        (
            "broken-stream-many-reversed",
            {
                "test_append_many_returns_offsets_in_order_and_reads_back",
                "test_append_many_takes_any_iterable_of_bytes",
                "test_append_many_of_2001_keeps_order_across_any_internal_chunks",
                "test_concurrent_batches_lose_nothing_and_keep_their_order",
            },
        ),
        (
            "broken-stream-many-no-headers",
            {"test_append_many_returns_offsets_in_order_and_reads_back"},
        ),
    ],
)
def test_a_broken_append_many_is_caught_only_by_the_batch_rules(
    run: tuple[dict[str, Any], str], backend: str, cases: set[str]
) -> None:
    """A batch stored back to front, or one whose headers are dropped, fails exactly the
    append_many cases that check order and headers, in both flavours; single appends, read
    and latest_offset are untouched, so no other stream_basic case fails."""
    matrix, stdout = run
    assert matrix[backend]["stream_basic"] == "failed"
    prefix = f"Test_{backend.replace('-', '_')}_stream_basic_"
    failed = {
        "::".join(line.split(" ")[1].split("::")[-2:])
        for line in stdout.splitlines()
        if line.startswith("FAILED") and prefix in line
    }
    assert failed == {
        f"{prefix}{flavour}::{case}" for flavour in ("sync", "async") for case in cases
    }, stdout[-3000:]
