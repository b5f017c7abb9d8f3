"""The loaded registry: every backend's declaration and plugin, and every pattern."""

from __future__ import annotations

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

__all__ = ["RegisteredBackend", "Registry", "get_registry", "import_object"]


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
        if self.plugin.install_hint:
            return self.plugin.install_hint
        if self.plugin.extra:
            return f'pip install "prism[{self.plugin.extra}]"'
        return None

    def load_class(self, *, is_async: bool = False) -> type[Any]:
        path = self.plugin.async_class if is_async else self.plugin.sync_class
        return import_object(path, hint=self.install_hint, what=f"backend {self.name!r}")  # type: ignore[no-any-return]

    def load_class_async(self) -> type[Any]:
        """The async backend class (the sync twin of the resolver calls :meth:`load_class`)."""
        return self.load_class(is_async=True)

    def check(self) -> list[str]:
        """Problems with this backend: declared interfaces must be exactly those implemented."""
        from prism.interfaces import CATALOG, MODELS

        problems: list[str] = []
        declared = self.interfaces
        for model in MODELS:
            names = {n for n in declared if CATALOG[n].model == model}
            if names and f"{model}_basic" not in names:
                problems.append(f"{self.name}: declares {sorted(names)} without {model}_basic")
        for is_async in (False, True):
            flavour = "async" if is_async else "sync"
            try:
                cls = self.load_class(is_async=is_async)
            except ConfigurationError as exc:
                problems.append(f"{self.name} ({flavour}): {exc}")
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
            missing = declared - implemented
            extra = implemented - declared
            if missing:
                problems.append(
                    f"{self.name} ({flavour}): declared but not implemented: "
                    f"{', '.join(sorted(missing))}"
                )
            if extra:
                problems.append(
                    f"{self.name} ({flavour}): implemented but not declared: "
                    f"{', '.join(sorted(extra))}"
                )
        return problems


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
            msg = (
                f"unknown backend type {name!r} (installed: {known}); a third-party backend "
                "registers through the 'prism.backends' entry point"
            )
            raise ConfigurationError(msg) from None

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
