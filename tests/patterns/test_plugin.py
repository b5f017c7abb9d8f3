"""--prism-pattern: which backend combinations a pattern run covers, and the matrix section."""

from __future__ import annotations

import sys
from pathlib import Path

from prism.testing.patterns import combinations

ROOT = Path(__file__).resolve().parent.parent.parent


def test_every_fitting_combination_is_covered_and_no_other() -> None:
    combos = combinations("claim-check", ["memstore", "sqlite", "example-kv"])
    # sqlite has queue and stream (messaging); example-kv only keyvalue (storage only)
    assert {(c["messaging"], c["storage"]) for c in combos} == {
        (m, s) for m in ("memstore", "sqlite") for s in ("memstore", "sqlite", "example-kv")
    }


def test_optional_slots_are_covered_filled_and_empty() -> None:
    combos = combinations("multicast-registry", ["memstore"])
    assert combos == [
        {"registry": "memstore", "messaging": "memstore", "durability": "memstore"},
        {"registry": "memstore", "messaging": "memstore"},
    ]


def test_the_matrix_page_gains_a_pattern_section() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import compliance_matrix

    merged = compliance_matrix.merge(
        [
            {"backends": {"memstore": {"keyvalue_basic": "passed"}}},
            {"backends": {}, "patterns": {"outbox": {"database=sqlite+messaging=redis": "failed"}}},
        ]
    )
    page = compliance_matrix.render(merged)
    assert "### outbox" in page
    assert "| database=sqlite, messaging=redis | ❌ |" in page
