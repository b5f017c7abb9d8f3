"""The loaded registry: every backend's declaration and plugin, and every pattern."""

from __future__ import annotations

import difflib
import importlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from prism.errors import ConfigurationError
from prism.plugins.hookspecs import BackendPlugin
from prism.plugins.manager import generation, get_plugin_manager
from prism.registry.loader import builtin_registry_dir, load_model, parse_model
from prism.registry.models import BackendDeclaration, PatternDeclaration

__all__ = [
    "RegisteredBackend",
    "Registry",
    "abstract_facet_error",
    "get_registry",
    "import_object",
]


def import_object(path: str, *, hint: str | None = None, what: str = "object") -> Any:
    """Import ``"module:attr"``; a missing driver becomes a ConfigurationError with ``hint``."""
    module_name, _, attr = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        msg = f"cannot load {what} {path!r}: module {missing!r} is not installed"
        if hint:
            msg += f"; install it with: {hint}"
        raise ConfigurationError(msg) from exc
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        msg = f"cannot load {what} {path!r}: {module_name} has no attribute {attr!r}"
        raise ConfigurationError(msg) from exc


@dataclass(frozen=True)
class RegisteredBackend:
    """A backend as the registry knows it: its plugin entry and its validated declaration."""

    plugin: BackendPlugin
    declaration: BackendDeclaration

    @property
    def name(self) -> str:
        return self.declaration.backend

    @property
    def interfaces(self) -> frozenset[str]:
        return frozenset(self.declaration.implements)

    @property
    def models(self) -> frozenset[str]:
        from prism.interfaces import CATALOG

        return frozenset(CATALOG[name].model for name in self.declaration.implements)

    @property
    def install_hint(self) -> str | None:
        """How to install the driver: the plugin's ``install_hint``, else the pip extra named by
        the declaration (``extra:`` in the YAML, the one place it is written)."""
        if self.plugin.install_hint:
            return self.plugin.install_hint
        if self.declaration.extra:
            return f'pip install "prism[{self.declaration.extra}]"'
        return None

    def load_class(self, *, is_async: bool = False) -> type[Any]:
        path = self.plugin.async_class if is_async else self.plugin.sync_class
        return import_object(path, hint=self.install_hint, what=f"backend {self.name!r}")  # type: ignore[no-any-return]

    def load_class_async(self) -> type[Any]:
        """The async backend class (the sync twin of the resolver calls :meth:`load_class`)."""
        return self.load_class(is_async=True)

    def driver_missing(self) -> str | None:
        """Why the backend's classes cannot be imported because a module (its driver) is not
        installed, with the install hint; None when both flavours import."""
        for is_async in (False, True):
            try:
                self.load_class(is_async=is_async)
            except ConfigurationError as exc:
                if isinstance(exc.__cause__, ImportError):
                    return str(exc)
                raise
        return None

    def unimplemented(self) -> dict[str, str]:
        """Declared interfaces the facets do not implement, each with one message naming the
        facet and the methods it lacks (both flavours).  Raises ``ConfigurationError`` when the
        classes cannot be imported (see :meth:`driver_missing`)."""
        from prism.interfaces import CATALOG

        out: dict[str, list[str]] = {}
        for is_async in (False, True):
            flavour = "async" if is_async else "sync"
            facets = getattr(self.load_class(is_async=is_async), "facet_classes", {})
            for name in sorted(self.interfaces):
                entry = CATALOG[name]
                abc_ = entry.async_ if is_async else entry.sync
                facet = facets.get(entry.model)
                if facet is None:
                    out.setdefault(name, []).append(
                        f"its {flavour} backend class has no {entry.model} facet"
                    )
                    continue
                missing = _missing_methods(facet, abc_)
                if issubclass(facet, abc_) and not missing:
                    continue
                what = (
                    "does not subclass it"
                    if not issubclass(facet, abc_)
                    else "leaves methods of it abstract"
                )
                out.setdefault(name, []).append(
                    f"the {flavour} {entry.model} facet {facet.__qualname__} {what} "
                    f"(missing methods: {', '.join(missing) or 'none'})"
                )
        return {
            name: f"{self.name} declares {name} but the facet does not implement it: "
            + "; ".join(reasons)
            for name, reasons in out.items()
        }

    def abstract_facets(self) -> list[str]:
        """One message per facet class (either flavour) that cannot be instantiated because it
        leaves methods abstract: such a backend cannot open any namespace."""
        out: list[str] = []
        for is_async in (False, True):
            for facet in getattr(self.load_class(is_async=is_async), "facet_classes", {}).values():
                error = abstract_facet_error(self.name, facet)
                if error is not None and error.message not in out:
                    out.append(error.message)
        return out

    def check(self) -> list[str]:
        """Problems with this backend: declared interfaces must be exactly those implemented,
        and its known gaps must name real exception classes."""
        from prism.interfaces import CATALOG, MODELS

        problems: list[str] = []
        declared = self.interfaces
        for model in MODELS:
            names = {n for n in declared if CATALOG[n].model == model}
            if names and f"{model}_basic" not in names:
                problems.append(f"{self.name}: declares {sorted(names)} without {model}_basic")
        for gap in self.declaration.known_gaps:
            try:
                gap.exception()
            except ValueError as exc:
                problems.append(f"{self.name}: known gap {gap.test!r}: {exc}")
        loaded = True
        for is_async in (False, True):
            flavour = "async" if is_async else "sync"
            try:
                cls = self.load_class(is_async=is_async)
            except ConfigurationError as exc:
                problems.append(f"{self.name} ({flavour}): {exc}")
                loaded = False
                continue
            implemented: set[str] = set()
            for model, facet in getattr(cls, "facet_classes", {}).items():
                for name in facet.implemented_interfaces():
                    if CATALOG[name].model != model:
                        problems.append(
                            f"{self.name} ({flavour}): {model} facet implements "
                            f"{name} of model {CATALOG[name].model}"
                        )
                    base = CATALOG[name].async_ if is_async else CATALOG[name].sync
                    if not issubclass(facet, base):
                        problems.append(
                            f"{self.name} ({flavour}): {model} facet implements the "
                            f"{'sync' if is_async else 'async'} flavour of {name}"
                        )
                    implemented.add(name)
                abstract = sorted(getattr(facet, "__abstractmethods__", ()))
                if abstract:
                    problems.append(
                        f"{self.name} ({flavour}): {facet.__name__} leaves abstract: "
                        f"{', '.join(abstract)}"
                    )
            extra = implemented - declared
            if extra:
                problems.append(
                    f"{self.name} ({flavour}): implemented but not declared: "
                    f"{', '.join(sorted(extra))}"
                )
        if loaded:
            problems.extend(self.unimplemented().values())
        return problems


def _missing_methods(facet: type[Any], abc_: type[Any]) -> list[str]:
    """The abstract methods of interface ``abc_`` that ``facet`` does not define concretely."""
    out = []
    for method in sorted(getattr(abc_, "__abstractmethods__", ())):
        found = getattr(facet, method, None)
        if found is None or getattr(found, "__isabstractmethod__", False):
            out.append(method)
    return out


def abstract_facet_error(backend: str, facet: type[Any]) -> ConfigurationError | None:
    """The error for a facet class that cannot be instantiated because methods are left
    abstract (a backend that forgot one), naming the class and the methods; None when fine."""
    abstract = sorted(getattr(facet, "__abstractmethods__", ()))
    if not abstract:
        return None
    msg = (
        f"backend {backend!r}: facet class {facet.__module__}.{facet.__qualname__} leaves "
        f"abstract (does not implement): {', '.join(abstract)}"
    )
    return ConfigurationError(msg, backend=backend)


class Registry:
    """Backends and patterns, from the built-in ``registry/`` and every plugin."""

    def __init__(
        self, backends: Mapping[str, RegisteredBackend], patterns: Mapping[str, PatternDeclaration]
    ) -> None:
        self.backends = dict(backends)
        self.patterns = dict(patterns)

    def backend(self, name: str) -> RegisteredBackend:
        try:
            return self.backends[name]
        except KeyError:
            known = ", ".join(sorted(self.backends)) or "none"
            close = self.nearest_backend(name)
            hint = f"did you mean {close!r}? " if close else ""
            msg = (
                f"unknown backend type {name!r} ({hint}installed: {known}); a third-party "
                "backend registers through the 'prism.backends' entry point"
            )
            raise ConfigurationError(msg) from None

    def nearest_backend(self, name: str) -> str | None:
        """The installed backend type closest to a misspelt ``name``, if one is close."""
        found = difflib.get_close_matches(name, sorted(self.backends), n=1, cutoff=0.6)
        return found[0] if found else None

    def pattern(self, name: str) -> PatternDeclaration:
        try:
            return self.patterns[name]
        except KeyError:
            known = ", ".join(sorted(self.patterns)) or "none"
            msg = f"unknown pattern {name!r} (known: {known})"
            raise ConfigurationError(msg) from None

    @cached_property
    def by_interface(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, entry in sorted(self.backends.items()):
            for iface in entry.declaration.implements:
                out.setdefault(iface, []).append(name)
        return out


def _load_declaration(plugin: BackendPlugin) -> BackendDeclaration:
    if isinstance(plugin.declaration, Path):
        decl = load_model(BackendDeclaration, plugin.declaration)
    else:
        decl = parse_model(BackendDeclaration, dict(plugin.declaration), f"<{plugin.name}>")
    if decl.backend != plugin.name:
        msg = f"plugin names backend {plugin.name!r} but its declaration says {decl.backend!r}"
        raise ConfigurationError(msg)
    return decl


def _build() -> Registry:
    pm = get_plugin_manager()
    backends: dict[str, RegisteredBackend] = {}
    for result in pm.hook.prism_backends():
        for plugin in result:
            if plugin.name in backends:
                msg = f"two plugins provide a backend named {plugin.name!r}"
                raise ConfigurationError(msg)
            backends[plugin.name] = RegisteredBackend(plugin, _load_declaration(plugin))
    paths = sorted((builtin_registry_dir() / "patterns").glob("*.yaml"))
    for result in pm.hook.prism_patterns():
        paths.extend(result)
    patterns: dict[str, PatternDeclaration] = {}
    for path in paths:
        decl = load_model(PatternDeclaration, path)
        patterns[decl.pattern] = decl
    return Registry(backends, patterns)


_lock = threading.Lock()
_cached: tuple[int, Registry] | None = None


def get_registry() -> Registry:
    """The registry, built once per process (and again after plugins change)."""
    global _cached
    with _lock:
        gen = generation()
        if _cached is None or _cached[0] != gen:
            registry = _build()
            _cached = (generation(), registry)
        return _cached[1]
