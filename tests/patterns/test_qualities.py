"""Needs stated as qualities select the pattern they imply, or are refused naming it
(resolver.PATTERN_QUALITIES)."""

from __future__ import annotations

from pathlib import Path

import pytest

import prism
from prism.registry.registry import get_registry
from prism.registry.resolver import PATTERN_QUALITIES, load_config, resolve

MEM = {"type": "memstore", "connection": "memory://qualities"}
REDIS = {"type": "redis", "connection": "redis://127.0.0.1:1/0"}  # never connected to here


def test_the_table_names_both_implied_patterns() -> None:
    assert {(q.quality, q.pattern) for q in PATTERN_QUALITIES} == {
        ("max_message_size", "claim-check"),
        ("consistency: strong", "outbox"),
    }


def test_a_message_size_above_the_limit_selects_claim_check_with_room_to_store() -> None:
    config = load_config(
        {
            "backends": {"local": MEM, "big": REDIS},
            "namespaces": {
                "videos": {
                    "backend": "local",
                    "needs": ["queue_basic"],
                    "qualities": {"max_message_size": "100MB"},
                }
            },
        }
    )
    plan = resolve("videos", config, get_registry())
    assert plan.pattern == "claim-check"
    assert plan.config is not None
    slots = plan.config.namespaces["videos"].slots
    assert slots["messaging"].backend == "local"
    assert slots["storage"].backend == "big"  # memstore itself has no room for 100 MB


def test_a_message_size_no_backend_can_store_is_refused_naming_claim_check() -> None:
    config = {
        "backends": {"local": MEM},
        "namespaces": {"videos": {"backend": "local", "qualities": {"max_message_size": "5GB"}}},
    }
    with pytest.raises(prism.ConfigurationError, match=r"claim-check pattern.*'storage' slot"):
        prism.open("videos", config=config)


def test_strong_consistency_with_messaging_selects_the_outbox(tmp_path: Path) -> None:
    config = {
        "backends": {"db": {"type": "sqlite", "connection": f"sqlite:///{tmp_path / 'q.db'}"}},
        "namespaces": {
            "orders": {"needs": ["queue_basic"], "qualities": {"consistency": "strong"}}
        },
    }
    with prism.open("orders", config=config) as ns:
        assert ns.pattern == "outbox"
        with ns.transaction() as tx:
            tx.set("order/1", b"paid")
            tx.enqueue("emails", b"receipt")
        assert ns.run_once() == 1
        assert ns.queue.length("emails") == 1


def test_strong_consistency_without_a_transactional_store_is_refused_naming_outbox() -> None:
    config = {
        "backends": {"kv": {"type": "example-kv"}, "r": REDIS},
        "namespaces": {
            "orders": {
                "backend": "r",
                "needs": ["pubsub_basic"],
                "qualities": {"consistency": "strong"},
            }
        },
    }
    plan = resolve("orders", load_config(config), get_registry())
    assert plan.pattern == "outbox"  # redis has transactions and scan: it fills the database
    config["backends"] = {"kv": {"type": "example-kv"}}
    config["namespaces"]["orders"] = {"backend": "kv", "qualities": {"consistency": "strong"}}
    plan = resolve("orders", load_config(config), get_registry())
    assert plan.pattern is None  # no messaging need: strong consistency implies nothing


def test_strong_consistency_on_the_embedded_default_is_refused_naming_outbox() -> None:
    config = {
        "namespaces": {"orders": {"needs": ["queue_basic"], "qualities": {"consistency": "strong"}}}
    }
    with pytest.raises(prism.ConfigurationError, match="outbox"):
        prism.open("orders", config=config)
