"""prism's public names are explicit: every public module lists them in ``__all__``, every
listed name exists, and nothing else (a module, a typing helper) leaks onto ``prism``."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import pickle
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import prism
from prism.interfaces import CATALOG

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("document", "graph", "keyvalue", "list", "pubsub", "queue", "set", "sortedset", "stream")
MODELS += ("timeseries",)

PUBLIC_MODULES = (
    "prism",
    "prism.api",
    "prism.namespace",
    "prism.errors",
    "prism.types",
    "prism.filters",
    "prism.interfaces",
    *(f"prism.interfaces.{model}" for model in MODELS),
    "prism.backends.base",
    "prism.backends.settings",
    "prism.plugins",
    "prism.plugins.hookspecs",
    "prism.plugins.manager",
    "prism.registry.loader",
    "prism.registry.models",
    "prism.registry.registry",
    "prism.registry.resolver",
    "prism.testing",
    "prism.testing.target",
    "prism.testing.servers",
    "prism.cli",
)

# Public attributes of ``prism`` that are not in ``__all__``: Python binds a subpackage on its
# parent once it is imported, so ``prism.errors`` etc. appear after ``import prism.errors``.
# They are prism's own modules, each with its own ``__all__``.  Nothing else may appear.
SUBPACKAGES = "prism's own subpackages (a module named prism.<attribute>)"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_module_has_an_explicit_all_that_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__dict__.get("__all__")
    assert isinstance(exported, list), f"{name} has no explicit __all__"
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    missing = [attr for attr in exported if not hasattr(module, attr)]
    assert missing == [], f"{name}.__all__ names what {name} does not define: {missing}"
    leaked = [attr for attr in exported if isinstance(getattr(module, attr), types.ModuleType)]
    assert leaked == [], f"{name}.__all__ exports modules: {leaked}"


def test_prism_all_has_every_interface_sync_and_async() -> None:
    for entry in CATALOG.values():
        for cls in (entry.sync, entry.async_):
            assert cls.__name__ in prism.__all__, cls
            assert getattr(prism, cls.__name__) is cls
    for cls in (prism.Transaction, prism.Subscription, prism.DurableSubscription):
        assert cls.__name__ in prism.__all__
        assert f"Async{cls.__name__}" in prism.__all__


def test_prism_all_has_every_error_and_type_and_entry_point() -> None:
    import prism.errors
    import prism.types

    for name in (*prism.errors.__all__, *prism.types.__all__):
        assert name in prism.__all__, name
        assert getattr(prism, name) is getattr(
            prism.errors if name in prism.errors.__all__ else prism.types, name
        )
    for name in ("open", "open_async", "Namespace", "AsyncNamespace", "CATALOG", "MODELS"):
        assert name in prism.__all__
    assert prism.Namespace.__name__ == "Namespace"
    assert prism.AsyncNamespace.__name__ == "AsyncNamespace"


def test_no_module_or_typing_helper_leaks_onto_prism() -> None:
    # In a fresh interpreter: ``import prism`` alone.
    code = "import json, prism; print(json.dumps([n for n in dir(prism) if n[0] != '_']))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    fresh = set(json.loads(out))
    # the old ``from prism.interfaces import *`` leaked these
    for leak in ("list", "set", "keyvalue", "Mapping", "MappingProxyType", "dataclass"):
        assert leak not in fresh
    for leak in ("annotations", "TYPE_CHECKING", "Any", "Interface", "interfaces_of"):
        assert leak not in fresh
    extra = fresh - set(prism.__all__)
    assert extra <= {"errors", "types", "interfaces"}, extra
    # In this process, where much more of prism has been imported: every extra public attribute
    # is one of prism's own subpackages, bound by the import system.
    for name in set(dir(prism)) - set(prism.__all__):
        if name.startswith("_") or not name.isidentifier():  # pytest's rewrite adds @py_builtins
            continue
        value = getattr(prism, name)
        assert isinstance(value, types.ModuleType), f"prism.{name} leaks ({SUBPACKAGES})"
        assert value.__name__ == f"prism.{name}", f"prism.{name} is {value.__name__}"


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from prism import *", namespace)  # noqa: S102
    assert set(namespace) - {"__builtins__"} == set(prism.__all__)


def test_the_readmes_names_are_public() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\bprism\.([A-Za-z_]\w*)", readme))
    used.discard("yaml")  # ``prism.yaml`` is the configuration file
    assert {"open", "KeyValueTTL", "InvalidArgumentError", "PrismError"} <= used
    missing = sorted(
        name
        for name in used
        if name not in prism.__all__ and importlib.util.find_spec(f"prism.{name}") is None
    )
    assert missing == [], f"the README uses names prism does not export: {missing}"


def test_value_types_build_exactly_as_their_dataclass_fields_say() -> None:
    """prism.types replaces each frozen type's dataclass ``__init__`` with a faster one; it must
    take the same parameters, defaults and errors, and build an equal, still frozen value."""
    import dataclasses
    import inspect

    import prism.types

    for name in prism.types.__all__:
        cls = getattr(prism.types, name)
        fields = dataclasses.fields(cls)
        params = list(inspect.signature(cls).parameters.values())
        assert [p.name for p in params] == [f.name for f in fields], name
        required = [f.name for f in fields if f.default is f.default_factory is dataclasses.MISSING]
        sample = {f: f"v-{i}" for i, f in enumerate(required)}
        value = cls(**sample)
        for f in fields:
            if f.name in sample:
                expected = sample[f.name]
            elif f.default is not dataclasses.MISSING:
                expected = f.default
            else:
                expected = f.default_factory()  # type: ignore[misc]
            assert getattr(value, f.name) == expected, (name, f.name)
        positional = cls(*[f"p-{i}" for i in range(len(fields))])
        assert [getattr(positional, f.name) for f in fields] == [
            f"p-{i}" for i in range(len(fields))
        ]
        assert dataclasses.replace(positional) == positional
        assert repr(positional).startswith(f"{name}(")
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(positional, fields[0].name, "changed")
        if required:
            with pytest.raises(TypeError, match=required[-1]):
                cls(**{k: v for k, v in sample.items() if k != required[-1]})
        with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
            cls(*sample.values(), bogus=1)
        # the fast __init__ lends the object another class for the call: it must end as cls
        assert type(positional) is cls and type(value) is cls, name
        assert pickle.loads(pickle.dumps(positional)) == positional, name
        assert copy.deepcopy(positional) == positional, name
        assert hash(positional) == hash(cls(*[f"p-{i}" for i in range(len(fields))])), name


def test_value_type_subclasses_build_through_their_own_layout() -> None:
    """A subclass may add fields (slots) of its own: its instances are built field by field,
    never through the base's borrowed class, and stay frozen."""
    import dataclasses

    from prism.types import StreamRecord

    @dataclasses.dataclass(frozen=True, slots=True)
    class Tagged(StreamRecord):
        tag: str = "t"

    class Plain(StreamRecord):
        pass

    tagged = Tagged("s", 3, b"p", tag="x")
    assert type(tagged) is Tagged
    assert (tagged.stream, tagged.offset, tagged.payload, tagged.tag) == ("s", 3, b"p", "x")
    plain = Plain("s", 4, b"q", {"h": "v"}, 1.5, 2, "k", 3)
    assert type(plain) is Plain
    assert (plain.offset, plain.headers, plain.key, plain.delivery_count) == (4, {"h": "v"}, "k", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tagged.offset = 9  # type: ignore[misc]
    assert copy.copy(tagged) == tagged
