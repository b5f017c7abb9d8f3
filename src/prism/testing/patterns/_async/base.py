"""The base class of the pattern suites (async source; the sync twin is generated)."""

from __future__ import annotations

from typing import Any, ClassVar

import prism
from prism._async.namespace import AsyncNamespace
from prism.testing.patterns import PatternTarget

__all__ = ["AsyncPatternSuite"]


class AsyncPatternSuite:
    """Base of a pattern suite; subclasses name their ``pattern``."""

    pattern: ClassVar[str] = ""
    suites: ClassVar[dict[str, type[AsyncPatternSuite]]] = {}
    target: PatternTarget

    def __init_subclass__(cls, *, pattern: str | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if pattern is not None:
            cls.pattern = pattern
            AsyncPatternSuite.suites[pattern] = cls

    def bind(self, target: PatternTarget) -> None:
        self.target = target
        self._namespaces: list[AsyncNamespace] = []

    async def open(self, name: str | None = None, **options: Any) -> Any:
        """Open a pattern namespace (fresh unless ``name`` is given); closed after the test."""
        name = name or self.target.fresh_name()
        ns = await prism.open_async(name, config=self.target.config(name, options))
        self._namespaces.append(ns)
        return ns

    async def open_slot(self, name: str, slot: str) -> AsyncNamespace:
        """Namespace ``name`` opened directly on ``slot``'s backend: what the pattern wrote."""
        ns = await prism.open_async(name, config=self.target.slot_config(name, slot))
        self._namespaces.append(ns)
        return ns

    async def close_namespaces(self) -> None:
        while self._namespaces:
            await self._namespaces.pop().close()
