"""Loaded with ``-p tests.broken.plugin``: registers every broken variant as a prism backend."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import prism.plugins
from prism.backends.memstore._async.backend import AsyncMemstoreBackend
from prism.backends.memstore._async.keyvalue import AsyncMemKeyValue
from prism.backends.memstore._testing import memstore_server
from prism.backends.memstore.backend import MemstoreBackend
from prism.backends.memstore.keyvalue import MemKeyValue
from prism.interfaces import CATALOG
from prism.registry.registry import get_registry
from prism.testing.target import TestServer
from tests.broken import Variant


def _load(package: str, directory: Path) -> dict[tuple[str, str], Variant]:
    out: dict[tuple[str, str], Variant] = {}
    for info in pkgutil.iter_modules([str(directory)]):
        if info.name in ("plugin", "_async"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for variant in getattr(module, "VARIANTS", []):
            out[variant.model, variant.flaw] = variant
        CASE_DEADLINES.update(getattr(module, "CASE_DEADLINES", {}))
    return out


#: backend -> per-case deadline in seconds, for variants whose cases hang (see list.py)
CASE_DEADLINES: dict[str, float] = {}


@dataclass(frozen=True)
class Pair:
    """One flaw in both flavours: the async source's variant and its generated sync twin."""

    sync: Variant
    async_: Variant

    def __getattr__(self, name: str) -> Any:
        return getattr(self.async_, name)


def all_variants() -> list[Pair]:
    here = Path(__file__).parent
    sync = _load("tests.broken", here)
    async_ = _load("tests.broken._async", here / "_async")
    if sync.keys() != async_.keys():
        msg = f"stale sync twins of tests/broken: {sorted(sync.keys() ^ async_.keys())}"
        raise RuntimeError(msg)
    return [Pair(sync[key], async_[key]) for key in sorted(async_, key=list(async_).index)]


VARIANTS = all_variants()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give the cases of hanging variants their short deadline (``prism_deadline`` marker)."""
    for item in items:
        deadline = CASE_DEADLINES.get(getattr(getattr(item, "cls", None), "prism_backend", ""))
        if deadline is not None:
            item.add_marker(pytest.mark.prism_deadline(deadline))


_memstore = get_registry().backend("memstore").declaration


def _declaration(variant: Pair) -> dict[str, Any]:
    names = variant.interfaces or tuple(
        n for n in _memstore.implements if CATALOG[n].model == variant.model
    )
    return {
        "backend": variant.backend,
        "description": f"memstore with a deliberate flaw: {variant.flaw}",
        "implements": list(names),
        "limits": {
            "max_value_bytes": _memstore.limits.max_value_bytes,
            "max_message_bytes": variant.max_message_bytes,
        },
    }


def _class_name(variant: Pair, flavour: str) -> str:
    return f"{flavour}_{variant.model}_{variant.flaw}".replace("-", "_")


for _v in VARIANTS:
    globals()[_class_name(_v, "sync")] = type(
        _class_name(_v, "sync"), (MemstoreBackend,), {"facet_classes": {_v.model: _v.sync.facet}}
    )
    globals()[_class_name(_v, "async")] = type(
        _class_name(_v, "async"),
        (AsyncMemstoreBackend,),
        {"facet_classes": {_v.model: _v.async_.facet}},
    )


# Backends that exercise known gaps (strict expected failures) declared in YAML, each on a
# memstore server whose harness reports the target kind "mock":
# "gap-declared" is the stale-read variant with its failure declared as a known gap, so the
# suite reports xfailed; "gap-unexpected-pass" is sound memstore keyvalue with a gap declared on
# a test that passes, which a strict xfail turns into a failure; "gap-on-target" is the
# stale-read variant with its gap declared for the "mock" target (xfailed: the gap holds there);
# "gap-off-target" is sound memstore with a gap declared for the "real" target only on a test
# that passes (passed: the gap does not hold on "mock", so no strict xfail turns it red).
_STALE = next(v for v in VARIANTS if v.flaw == "stale-read")
GAP_BACKENDS: dict[str, tuple[Pair | None, str, str, list[str] | None]] = {
    "gap-declared": (_STALE, "keyvalue_basic::test_overwrite", "AssertionError", None),
    "gap-unexpected-pass": (None, "keyvalue_basic::test_set_then_get", "AssertionError", None),
    "gap-on-target": (_STALE, "keyvalue_basic::test_overwrite", "AssertionError", ["mock"]),
    "gap-off-target": (None, "keyvalue_basic::test_set_then_get", "AssertionError", ["real"]),
}


def mock_target_server(workdir: Path) -> TestServer:
    """memstore's suite server, reporting the target kind ``mock``."""
    return dataclasses.replace(memstore_server(workdir), target="mock")


def _gap_declaration(name: str) -> dict[str, Any]:
    _, test, raises, targets = GAP_BACKENDS[name]
    gap: dict[str, Any] = {
        "test": test,
        "kind": "notyet",
        "raises": raises,
        "reason": "demonstrates a declared known gap",
    }
    if targets is not None:
        gap["targets"] = targets
    return {
        "backend": name,
        "implements": [n for n in _memstore.implements if CATALOG[n].model == "keyvalue"],
        "limits": {"max_value_bytes": _memstore.limits.max_value_bytes},
        "known_gaps": [gap],
    }


for _name, (_variant, _, _, _) in GAP_BACKENDS.items():
    for _flavour, _base in (("sync", MemstoreBackend), ("async", AsyncMemstoreBackend)):
        if _variant is not None:
            _facet = _variant.sync.facet if _flavour == "sync" else _variant.async_.facet
        else:
            _facet = MemKeyValue if _flavour == "sync" else AsyncMemKeyValue
        _cls = f"{_flavour}_{_name}".replace("-", "_")
        globals()[_cls] = type(_cls, (_base,), {"facet_classes": {"keyvalue": _facet}})


class BrokenPlugin:
    @prism.plugins.hookimpl
    def prism_backends(self) -> list[prism.plugins.BackendPlugin]:
        variants = [
            prism.plugins.BackendPlugin(
                name=v.backend,
                declaration=_declaration(v),
                sync_class=f"tests.broken.plugin:{_class_name(v, 'sync')}",
                async_class=f"tests.broken.plugin:{_class_name(v, 'async')}",
                test_server="prism.backends.memstore._testing:memstore_server",
            )
            for v in VARIANTS
        ]
        gaps = [
            prism.plugins.BackendPlugin(
                name=name,
                declaration=_gap_declaration(name),
                sync_class=f"tests.broken.plugin:sync_{name.replace('-', '_')}",
                async_class=f"tests.broken.plugin:async_{name.replace('-', '_')}",
                test_server="tests.broken.plugin:mock_target_server",
            )
            for name in GAP_BACKENDS
        ]
        return variants + gaps


if prism.plugins.get_plugin_manager().get_plugin("prism-broken-variants") is None:
    prism.plugins.register(BrokenPlugin(), name="prism-broken-variants")
