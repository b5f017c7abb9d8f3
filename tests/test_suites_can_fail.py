"""Meta-test: every deliberately broken memstore variant fails the suite it should."""

from __future__ import annotations

import json

import pytest

from tests.broken.plugin import VARIANTS


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.backend for v in VARIANTS])
def test_broken_variant_fails_its_suite(pytester: pytest.Pytester, variant) -> None:
    matrix = pytester.path / "m.json"
    result = pytester.runpytest_inprocess(
        "-p",
        "tests.broken.plugin",
        f"--prism-backend={variant.backend}",
        f"--prism-matrix={matrix}",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    outcome = json.loads(matrix.read_text())["backends"][variant.backend]
    assert outcome[variant.expect_failing] == "failed", outcome
