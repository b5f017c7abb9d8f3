"""Pattern compliance suites: each pattern over every combination of backends fitting its slots.

``pytest --prism-pattern=claim-check --prism-backend=memstore,sqlite`` runs the claim-check suite
once per (messaging, storage) combination of the run's backends that fit the pattern's slots.
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from prism.testing.target import Target

__all__ = ["MODULES", "PatternTarget", "combinations", "load_all"]

MODULES = {"claim-check": "claimcheck", "outbox": "outbox", "multicast-registry": "multicast"}


@dataclass
class PatternTarget:
    """One combination under test: a target (backend and server) per slot."""

    pattern: str
    slots: dict[str, Target]
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "+".join(f"{slot}={t.backend}" for slot, t in self.slots.items())

    def fresh_name(self) -> str:
        return next(iter(self.slots.values())).fresh_name()

    def config(self, name: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        """A ``prism.yaml`` mapping with namespace ``name`` on the pattern, and ``raw-<slot>``
        namespaces of the same data on each slot's backend (suffix ``name``)."""
        backends: dict[str, Any] = {}
        for slot, target in self.slots.items():
            entry = target.config()["backends"]["target"]
            backends[f"b-{slot}"] = entry
        namespaces: dict[str, Any] = {
            name: {
                "pattern": self.pattern,
                "slots": {slot: {"backend": f"b-{slot}"} for slot in self.slots},
                "options": {**self.options, **(options or {})},
            }
        }
        return {"backends": backends, "namespaces": namespaces}

    def slot_config(self, name: str, slot: str) -> dict[str, Any]:
        """A ``prism.yaml`` mapping opening ``name`` directly on ``slot``'s backend."""
        entry = self.slots[slot].config()["backends"]["target"]
        return {"backends": {"raw": entry}, "namespaces": {name: {"backend": "raw"}}}


def fits(declaration: Any, slot: str, interfaces: frozenset[str]) -> bool:
    decl = declaration.slots[slot]
    if not set(decl.required_interfaces) <= interfaces:
        return False
    return not decl.alternative_interfaces or bool(set(decl.alternative_interfaces) & interfaces)


def combinations(pattern: str, backends: list[str]) -> list[dict[str, str]]:
    """Every assignment of the run's ``backends`` to ``pattern``'s slots that fits."""
    from prism.registry.registry import get_registry

    registry = get_registry()
    declaration = registry.pattern(pattern)
    choices: list[list[str]] = []
    names = list(declaration.slots)  # optional slots are filled too when a backend fits
    for slot in names:
        fitting = [b for b in backends if fits(declaration, slot, registry.backend(b).interfaces)]
        if declaration.slots[slot].optional:
            fitting.append("")  # and once without the optional slot
        choices.append(fitting)
    out = []
    for combo in itertools.product(*choices):
        out.append({slot: b for slot, b in zip(names, combo, strict=True) if b})
    return out


def load_all() -> None:
    for module in MODULES.values():
        for name in (f"prism.testing.patterns.{module}", f"prism.testing.patterns._async.{module}"):
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
