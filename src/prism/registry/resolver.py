"""Turning a namespace name and a configuration into a plan: which backend, which connection.

Every refusal happens here, at open time, before any connection is made, with a message that
names what is missing and which configured backends would fit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prism import _validate
from prism.errors import ConfigurationError
from prism.interfaces import CATALOG
from prism.registry.loader import find_config_path, load_model, parse_model
from prism.registry.models import BackendConnection, NamespaceConfig, PrismConfig
from prism.registry.registry import RegisteredBackend, Registry

if TYPE_CHECKING:
    from prism.credentials import CredentialsConfig

__all__ = ["EMBEDDED_DEFAULT", "Plan", "load_config", "resolve"]

EMBEDDED_DEFAULT_NAME = "embedded"
EMBEDDED_DEFAULT = BackendConnection(type="memstore", connection="memory://default")
"""What a namespace opens on when there is no configuration at all."""

ConfigSource = str | os.PathLike[str] | PrismConfig | Mapping[str, Any] | None


@dataclass(frozen=True)
class Plan:
    """The resolved namespace: its connection entry and the backend behind it."""

    namespace: str
    connection_name: str
    connection: BackendConnection
    backend: RegisteredBackend
    needs: tuple[str, ...]
    config: PrismConfig | None
    pattern: str | None = None

    @property
    def credentials(self) -> CredentialsConfig | None:
        """The namespace's own credentials, else its backend entry's."""
        if self.config is not None:
            ns = self.config.namespaces.get(self.namespace)
            if ns is not None and ns.credentials is not None:
                return ns.credentials
        return self.connection.credentials

    def backends_with_model(self, model: str, registry: Registry) -> list[str]:
        """Configured connections (``name (type)``) whose backend implements ``model``."""
        if self.config is None:
            return []
        out = []
        for name, conn in self.config.backends.items():
            entry = registry.backends.get(conn.type)
            if entry is not None and model in entry.models:
                out.append(f"{name} ({conn.type})")
        return out


def load_config(config: ConfigSource) -> PrismConfig | None:
    """The configuration object for ``config``: a path, a mapping, a PrismConfig, or discovery."""
    if isinstance(config, PrismConfig):
        return config
    if isinstance(config, Mapping):
        from prism.registry.loader import expand_env

        return parse_model(PrismConfig, expand_env(dict(config), "<config>"), "<config>")
    path = find_config_path(config)
    if path is None:
        return None
    return load_model(PrismConfig, Path(path), expand=True)


def _fits(registry: Registry, conn: BackendConnection, needs: list[str]) -> bool:
    entry = registry.backends.get(conn.type)
    return entry is not None and set(needs) <= entry.interfaces


def _fitting(registry: Registry, config: PrismConfig, needs: list[str]) -> list[str]:
    return [
        f"{name} ({conn.type})"
        for name, conn in config.backends.items()
        if _fits(registry, conn, needs)
    ]


def resolve(name: str, config: PrismConfig | None, registry: Registry) -> Plan:
    """Resolve namespace ``name``; raises ConfigurationError with a precise reason."""
    _validate.name(name, "namespace name")
    if config is None:
        entry = registry.backend(EMBEDDED_DEFAULT.type)
        return Plan(name, EMBEDDED_DEFAULT_NAME, EMBEDDED_DEFAULT, entry, (), None)
    ns = config.namespaces.get(name)
    if ns is None:
        if config.default_backend is not None:
            ns = NamespaceConfig(backend=config.default_backend)
        elif not config.namespaces and not config.backends:
            entry = registry.backend(EMBEDDED_DEFAULT.type)
            return Plan(name, EMBEDDED_DEFAULT_NAME, EMBEDDED_DEFAULT, entry, (), config)
        else:
            known = ", ".join(sorted(config.namespaces)) or "none"
            msg = (
                f"namespace {name!r} is not configured (configured: {known}); add it under "
                "namespaces, or set default_backend to open any name"
            )
            raise ConfigurationError(msg)
    needs = list(dict.fromkeys([*ns.needs, *ns.qualities.interfaces()]))
    if ns.pattern is not None:
        return _resolve_pattern(name, ns, needs, config, registry)
    if ns.backend is not None:
        conn_name, conn = ns.backend, config.backends[ns.backend]
        entry = registry.backend(conn.type)
        missing = [n for n in needs if n not in entry.interfaces]
        if missing:
            fits = _fitting(registry, config, needs)
            msg = (
                f"namespace {name!r} needs {', '.join(missing)}, which backend "
                f"{conn_name!r} ({conn.type}) does not implement; configured backends that "
                f"would fit: {', '.join(fits) or 'none'}"
            )
            raise ConfigurationError(msg)
    else:
        candidates = [(n, c) for n, c in config.backends.items() if _fits(registry, c, needs)]
        if not config.backends:
            candidates = [(EMBEDDED_DEFAULT_NAME, EMBEDDED_DEFAULT)]
            if not _fits(registry, EMBEDDED_DEFAULT, needs):
                candidates = []
        if not candidates:
            lacking = []
            if not config.backends:
                have = registry.backend(EMBEDDED_DEFAULT.type).interfaces
                lacking.append(
                    f"the embedded default ({EMBEDDED_DEFAULT.type}) lacks "
                    + ", ".join(x for x in needs if x not in have)
                )
            for n, c in config.backends.items():
                have = registry.backend(c.type).interfaces
                lacking.append(
                    f"{n} ({c.type}) lacks {', '.join(x for x in needs if x not in have)}"
                )
            msg = (
                f"namespace {name!r} needs {', '.join(needs)} and no configured backend has "
                f"them all: {'; '.join(lacking) or 'no backends are configured'}"
            )
            raise ConfigurationError(msg)
        conn_name, conn = candidates[0]
        entry = registry.backend(conn.type)
    size = ns.qualities.max_message_size
    limit = entry.declaration.limits.max_value_bytes
    if size is not None and limit is not None and size > limit:
        msg = (
            f"namespace {name!r} needs messages of {size} bytes but {conn.type} stores at most "
            f"{limit}; use the claim-check pattern to lift the limit"
        )
        raise ConfigurationError(msg)
    return Plan(name, conn_name, conn, entry, tuple(needs), config)


def _resolve_pattern(
    name: str, ns: NamespaceConfig, needs: list[str], config: PrismConfig, registry: Registry
) -> Plan:
    assert ns.pattern is not None
    pattern = registry.pattern(ns.pattern)
    unknown = sorted(set(ns.slots) - set(pattern.slots))
    if unknown:
        msg = (
            f"namespace {name!r}: pattern {pattern.pattern!r} has no slot "
            f"{', '.join(map(repr, unknown))} (slots: {', '.join(pattern.slots)})"
        )
        raise ConfigurationError(msg)
    first: tuple[str, BackendConnection] | None = None
    for slot_name, slot in pattern.slots.items():
        binding = ns.slots.get(slot_name)
        if binding is None:
            if slot.optional:
                continue
            msg = f"namespace {name!r}: pattern {pattern.pattern!r} needs slot {slot_name!r} filled"
            raise ConfigurationError(msg)
        conn = config.backends[binding.backend]
        have = registry.backend(conn.type).interfaces
        missing = [i for i in slot.required_interfaces if i not in have]
        if slot.alternative_interfaces and not (set(slot.alternative_interfaces) & have):
            missing.append(" or ".join(slot.alternative_interfaces))
        if missing:
            fits = [
                f"{n} ({c.type})"
                for n, c in config.backends.items()
                if set(slot.required_interfaces) <= registry.backend(c.type).interfaces
                and (
                    not slot.alternative_interfaces
                    or set(slot.alternative_interfaces) & registry.backend(c.type).interfaces
                )
            ]
            msg = (
                f"namespace {name!r}: slot {slot_name!r} of pattern {pattern.pattern!r} needs "
                f"{', '.join(missing)}, which backend {binding.backend!r} ({conn.type}) lacks; "
                f"configured backends that would fit: {', '.join(fits) or 'none'}"
            )
            raise ConfigurationError(msg)
        first = first or (binding.backend, conn)
    assert first is not None
    return Plan(
        name,
        first[0],
        first[1],
        registry.backend(first[1].type),
        tuple(needs),
        config,
        pattern=pattern.pattern,
    )


def check_catalog_names(names: list[str]) -> None:
    unknown = [n for n in names if n not in CATALOG]
    if unknown:
        msg = f"not catalog interfaces: {', '.join(unknown)}"
        raise ConfigurationError(msg)
