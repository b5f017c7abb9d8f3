"""prism.yaml loading, ${VAR} expansion, the resolver's refusals, and namespaces."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.registry.loader import expand_env
from prism.registry.models import BackendConnection
from prism.registry.registry import get_registry

MEM = {"type": "memstore", "connection": "memory://config-tests"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prism.yaml"
    path.write_text(text)
    return path


def test_no_config_opens_on_the_embedded_default(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRISM_CONFIG", raising=False)
    with prism.open("anything") as ns:
        assert "memstore" in ns.backend_name
        ns.keyvalue.set("k", b"v")


def test_malformed_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "backends:\n  a: {type: memstore\n")
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("x", config=path)
    assert str(path) in str(info.value)
    assert "not valid YAML" in str(info.value)


def test_wrong_field_names_the_file_and_field_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
backends:
  local: {type: memstore}
namespaces:
  cache:
    needs: [keyvalue_basic, keyvalue_tll]
    backend: local
""",
    )
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("cache", config=path)
    text = str(info.value)
    assert str(path) in text
    assert "namespaces.cache.needs" in text
    assert "keyvalue_tll" in text and "keyvalue_ttl" in text  # did you mean


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "backends:\n  local: {type: memstore, conection: x}\n")
    with pytest.raises(prism.ConfigurationError, match=r"backends\.local\.conection"):
        prism.open("x", config=path)


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
backends:
  a: {type: 7}
namespaces:
  n: {needs: nope}
""",
    )
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("n", config=path)
    assert "backends.a.type" in str(info.value)
    assert "namespaces.n.needs" in str(info.value)


def test_env_expansion_with_default() -> None:
    env = {"SET": "value", "EMPTY": ""}
    assert expand_env("${SET}", "f", env) == "value"
    assert expand_env("${UNSET:-fallback}", "f", env) == "fallback"
    assert expand_env("${EMPTY:-fallback}", "f", env) == "fallback"
    assert expand_env({"a": ["x${SET}y"]}, "f", env) == {"a": ["xvaluey"]}
    with pytest.raises(prism.ConfigurationError, match="UNSET is not set"):
        expand_env("${UNSET}", "prism.yaml.backends.a.connection", env)


def test_config_from_env_var(tmp_path: Path, monkeypatch: Any) -> None:
    path = write(
        tmp_path,
        "backends:\n  local: ${LOCAL_BACKEND}\n"
        if False
        else "backends:\n  local: {type: memstore, connection: '${MEMNAME:-memory://envcfg}'}\n"
        "default_backend: local\n",
    )
    monkeypatch.setenv("PRISM_CONFIG", str(path))
    with prism.open("any") as ns:
        assert ns.backend_name == "local (memstore)"


def test_missing_needs_are_refused_naming_backends_that_fit() -> None:
    config = {
        "backends": {"kv-only": {"type": "example-kv"}, "local": MEM},
        "namespaces": {"cache": {"needs": ["keyvalue_ttl"], "backend": "kv-only"}},
    }
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("cache", config=config)
    text = str(info.value)
    assert "keyvalue_ttl" in text and "kv-only" in text and "local (memstore)" in text


def test_resolver_picks_a_backend_that_fits() -> None:
    config = {
        "backends": {"kv-only": {"type": "example-kv"}, "local": MEM},
        "namespaces": {"cache": {"needs": ["keyvalue_ttl"]}},
    }
    with prism.open("cache", config=config) as ns:
        assert ns.backend_name == "local (memstore)"
        assert isinstance(ns.keyvalue, prism.KeyValueTTL)


def test_qualities_become_interfaces() -> None:
    config = {
        "backends": {"kv-only": {"type": "example-kv"}},
        "namespaces": {"cache": {"qualities": {"ttl": True}}},
    }
    with pytest.raises(prism.ConfigurationError, match="keyvalue_ttl"):
        prism.open("cache", config=config)


def test_message_size_beyond_the_backend_limit_suggests_claim_check() -> None:
    config = {
        "backends": {"local": MEM},
        "namespaces": {"big": {"backend": "local", "qualities": {"max_message_size": "5GB"}}},
    }
    with pytest.raises(prism.ConfigurationError, match="claim-check"):
        prism.open("big", config=config)


def test_unconfigured_namespace_is_refused_when_namespaces_are_listed() -> None:
    config = {"backends": {"local": MEM}, "namespaces": {"cache": {"backend": "local"}}}
    with pytest.raises(prism.ConfigurationError, match="not configured"):
        prism.open("other", config=config)


def test_undefined_backend_reference() -> None:
    with pytest.raises(prism.ConfigurationError, match="not defined under backends"):
        prism.open("c", config={"namespaces": {"c": {"backend": "ghost"}}})


def test_unknown_backend_type() -> None:
    config = {"backends": {"x": {"type": "nosuch"}}, "default_backend": "x"}
    with pytest.raises(prism.ConfigurationError, match="unknown backend type 'nosuch'"):
        prism.open("c", config=config)


def test_missing_model_names_configured_backends_that_have_it() -> None:
    config = {
        "backends": {"kv-only": {"type": "example-kv"}, "local": MEM},
        "namespaces": {"c": {"backend": "kv-only"}},
    }
    with prism.open("c", config=config) as ns:
        with pytest.raises(prism.UnsupportedError) as info:
            ns.graph  # noqa: B018
        assert "kv-only (example-kv)" in str(info.value)
        if "graph" in get_registry().backend("memstore").models:
            assert "local (memstore)" in str(info.value)


def test_facets_implement_exactly_the_declared_interfaces() -> None:
    with prism.open(
        "exact", config={"backends": {"e": {"type": "example-kv"}}, "default_backend": "e"}
    ) as ns:
        assert isinstance(ns.keyvalue, prism.KeyValueCAS)
        assert not isinstance(ns.keyvalue, prism.KeyValueTTL)
        assert not hasattr(ns.keyvalue, "get_ttl")


def test_namespaces_are_isolated() -> None:
    config = {"backends": {"local": MEM}, "default_backend": "local"}
    with prism.open("iso-a", config=config) as a, prism.open("iso-b", config=config) as b:
        a.keyvalue.set("k", b"a")
        assert not b.keyvalue.exists("k")


def test_sync_and_async_share_the_embedded_store() -> None:
    config = {"backends": {"local": MEM}, "default_backend": "local"}
    with prism.open("shared", config=config) as ns:
        ns.keyvalue.set("k", b"from-sync")

    async def read() -> bytes:
        async with await prism.open_async("shared", config=config) as ans:
            return await ans.keyvalue.get("k")

    assert asyncio.run(read()) == b"from-sync"


def test_closed_namespace_refuses_use_and_closes_twice() -> None:
    ns = prism.open("closing", config={})
    ns.close()
    ns.close()
    with pytest.raises(prism.UnsupportedError, match="closed"):
        ns.keyvalue  # noqa: B018


def test_connection_is_shared_and_closed_by_the_last_namespace() -> None:
    from prism import api

    config = {
        "backends": {"local": {"type": "memstore", "connection": "memory://refcount"}},
        "default_backend": "local",
    }
    before = len(api._connections)
    a = prism.open("a", config=config)
    b = prism.open("b", config=config)
    assert len(api._connections) == before + 1
    a.close()
    assert len(api._connections) == before + 1
    b.close()
    assert len(api._connections) == before


def test_secrets_never_appear_in_reprs_or_errors() -> None:
    conn = BackendConnection(type="redis", connection="redis://user:s3cret@host:6379/0")
    assert "s3cret" not in repr(conn)
    assert "s3cret" not in str(conn.redacted)
    config = {
        "backends": {"r": {"type": "nosuch", "connection": "x://u:s3cret@h/"}},
        "default_backend": "r",
    }
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("n", config=config)
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize("name", ["", "a\x00", 3])
def test_bad_namespace_names(name: Any) -> None:
    with pytest.raises(prism.InvalidArgumentError):
        prism.open(name, config={})


def test_every_registered_backend_declares_exactly_what_it_implements() -> None:
    registry = get_registry()
    assert "memstore" in registry.backends
    for name, entry in registry.backends.items():
        assert entry.check() == [], name


def test_patterns_are_declared() -> None:
    patterns = get_registry().patterns
    assert {"claim-check", "outbox", "multicast-registry"} <= set(patterns)
    assert patterns["claim-check"].slots["storage"].required_interfaces == ["keyvalue_basic"]


def test_pattern_slot_refusal_names_missing_interfaces() -> None:
    config = {
        "backends": {"kv": {"type": "example-kv"}, "local": MEM},
        "namespaces": {
            "videos": {
                "pattern": "claim-check",
                "slots": {"messaging": {"backend": "kv"}, "storage": {"backend": "local"}},
            }
        },
    }
    with pytest.raises(prism.ConfigurationError) as info:
        prism.open("videos", config=config)
    assert "pubsub_basic" in str(info.value) and "messaging" in str(info.value)
