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
from prism.registry.models import BackendConnection, NamespaceConfig, PrismConfig, SlotBinding
from prism.registry.registry import RegisteredBackend, Registry

if TYPE_CHECKING:
    from prism.credentials import CredentialsConfig

__all__ = ["EMBEDDED_DEFAULT", "PATTERN_QUALITIES", "Plan", "load_config", "resolve"]

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
    for quality in PATTERN_QUALITIES:
        if quality.applies(ns, needs, entry):
            return _select_pattern(name, ns, needs, quality, conn_name, config, registry)
    return Plan(name, conn_name, conn, entry, tuple(needs), config)


MESSAGING_MODELS = ("pubsub", "queue", "stream")


@dataclass(frozen=True)
class PatternQuality:
    """One row of :data:`PATTERN_QUALITIES`: a quality that implies a pattern."""

    quality: str
    pattern: str
    when: str
    other_slot: str
    other_needs: tuple[str, ...]

    def applies(self, ns: NamespaceConfig, needs: list[str], entry: RegisteredBackend) -> bool:
        if self.pattern == "claim-check":
            size = ns.qualities.max_message_size
            limit = entry.declaration.limits.max_value_bytes
            return size is not None and limit is not None and size > limit
        messaging = any(CATALOG[n].model in MESSAGING_MODELS for n in needs if n in CATALOG)
        return ns.qualities.consistency == "strong" and messaging


PATTERN_QUALITIES: tuple[PatternQuality, ...] = (
    PatternQuality(
        "max_message_size",
        "claim-check",
        "max_message_size is above the messaging backend's max_value_bytes",
        "storage",
        ("keyvalue_basic",),
    ),
    PatternQuality(
        "consistency: strong",
        "outbox",
        "consistency is strong and the namespace needs a pubsub, queue or stream interface",
        "database",
        ("keyvalue_basic", "keyvalue_transactional", "keyvalue_scan"),
    ),
)
"""The one table of needs that imply a pattern.  When a row applies to a plain namespace, the
resolver selects the pattern: the chosen backend fills the messaging slot and the first
configured backend with ``other_needs`` (and, for claim-check, room for ``max_message_size``)
fills the other slot -- the messaging backend itself when it fits.  With no such backend the
namespace is refused with a message naming the pattern and the slot to fill."""


def _select_pattern(
    name: str,
    ns: NamespaceConfig,
    needs: list[str],
    quality: PatternQuality,
    conn_name: str,
    config: PrismConfig,
    registry: Registry,
) -> Plan:
    size = ns.qualities.max_message_size or 0
    order = [conn_name, *(n for n in config.backends if n != conn_name)]
    chosen = None
    for candidate in order if conn_name in config.backends else ():
        entry = registry.backend(config.backends[candidate].type)
        room = entry.declaration.limits.max_value_bytes
        if set(quality.other_needs) <= entry.interfaces and (
            quality.pattern != "claim-check" or room is None or room >= size
        ):
            chosen = candidate
            break
    if chosen is None:
        msg = (
            f"namespace {name!r}: {quality.when}, which needs the {quality.pattern} pattern, and "
            f"no configured backend can fill its {quality.other_slot!r} slot (needs "
            f"{', '.join(quality.other_needs)}); add one, or declare the namespace with "
            f"pattern: {quality.pattern}"
        )
        raise ConfigurationError(msg)
    selected = NamespaceConfig(
        needs=ns.needs,
        qualities=ns.qualities,
        pattern=quality.pattern,
        slots={
            "messaging": SlotBinding(backend=conn_name),
            quality.other_slot: SlotBinding(backend=chosen),
        },
    )
    updated = config.model_copy(update={"namespaces": {**config.namespaces, name: selected}})
    return _resolve_pattern(name, selected, needs, updated, registry)


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
        if binding.namespace is not None:
            have = offered_interfaces(binding.namespace, config, registry, (name,))
            conn_name, conn = _slot_connection(binding.namespace, config, registry)
        else:
            assert binding.backend is not None
            conn_name, conn = binding.backend, config.backends[binding.backend]
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
                f"{', '.join(missing)}, which {binding.namespace or binding.backend!r} "
                f"({conn.type}) lacks; "
                f"configured backends that would fit: {', '.join(fits) or 'none'}"
            )
            raise ConfigurationError(msg)
        first = first or (conn_name, conn)
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


def offered_interfaces(
    name: str, config: PrismConfig, registry: Registry, seen: tuple[str, ...] = ()
) -> frozenset[str]:
    """The interfaces namespace ``name`` offers: its backend's, or for a pattern namespace those
    of its messaging slot (a pattern decorates the messaging facets, never narrows them)."""
    if name in seen:
        msg = f"pattern namespaces fill each other's slots in a cycle: {' -> '.join([*seen, name])}"
        raise ConfigurationError(msg)
    ns = config.namespaces[name]
    if ns.pattern is None:
        backend = ns.backend or config.default_backend
        if backend is None:
            return registry.backend(EMBEDDED_DEFAULT.type).interfaces
        return registry.backend(config.backends[backend].type).interfaces
    binding = ns.slots.get("messaging")
    if binding is None:
        return frozenset()
    if binding.namespace is not None:
        return offered_interfaces(binding.namespace, config, registry, (*seen, name))
    assert binding.backend is not None
    return registry.backend(config.backends[binding.backend].type).interfaces


def _slot_connection(
    name: str, config: PrismConfig, registry: Registry
) -> tuple[str, BackendConnection]:
    plan = resolve(name, config, registry)
    return plan.connection_name, plan.connection


def check_catalog_names(names: list[str]) -> None:
    unknown = [n for n in names if n not in CATALOG]
    if unknown:
        msg = f"not catalog interfaces: {', '.join(unknown)}"
        raise ConfigurationError(msg)
