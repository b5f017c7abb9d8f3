# Generated from src/prism/testing/patterns/_async/base.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The base class of the pattern suites (the sync twin, generated from the async source)."""

from __future__ import annotations

from typing import Any, ClassVar

import prism
from prism.namespace import Namespace
from prism.testing.patterns import PatternTarget

__all__ = ["PatternSuite"]


class PatternSuite:
    """Base of a pattern suite; subclasses name their ``pattern``."""

    pattern: ClassVar[str] = ""
    suites: ClassVar[dict[str, type[PatternSuite]]] = {}
    target: PatternTarget

    def __init_subclass__(cls, *, pattern: str | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if pattern is not None:
            cls.pattern = pattern
            PatternSuite.suites[pattern] = cls

    def bind(self, target: PatternTarget) -> None:
        self.target = target
        self._namespaces: list[Namespace] = []

    def open(self, name: str | None = None, **options: Any) -> Any:
        """Open a pattern namespace (fresh unless ``name`` is given); closed after the test."""
        name = name or self.target.fresh_name()
        ns = prism.open(name, config=self.target.config(name, options))
        self._namespaces.append(ns)
        return ns

    def open_slot(self, name: str, slot: str) -> Namespace:
        """Namespace ``name`` opened directly on ``slot``'s backend: what the pattern wrote."""
        ns = prism.open(name, config=self.target.slot_config(name, slot))
        self._namespaces.append(ns)
        return ns

    def close_namespaces(self) -> None:
        while self._namespaces:
            self._namespaces.pop().close()
