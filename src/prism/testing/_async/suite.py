"""The base class of every compliance suite (async source; the sync twin is generated).

A suite is a class of test methods for one catalog interface::

    class AsyncKeyValueBasicSuite(AsyncSuite, interface="keyvalue_basic"):
        async def test_set_then_get(self) -> None:
            kv = (await self.open()).keyvalue
            await kv.set("k", b"v")
            assert await kv.get("k") == b"v"

The plugin runs it against every backend that declares the interface.  ``self.open()`` opens a
fresh namespace (closed after the test); ``self.advance(s)`` moves time (the injected clock
where the backend has one, a real wait otherwise); ``self.eventually(fn)`` polls with a deadline.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, TypeVar

import prism
from prism._async.namespace import AsyncNamespace
from prism._compat import AsyncCall, sleep_async
from prism.testing.target import Target

T = TypeVar("T")

__all__ = ["AsyncSuite"]


class AsyncSuite:
    """Base of the compliance suites; subclasses name their ``interface``."""

    interface: ClassVar[str] = ""
    suites: ClassVar[dict[str, type[AsyncSuite]]] = {}
    target: Target

    def __init_subclass__(cls, *, interface: str | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if interface is not None:
            cls.interface = interface
            AsyncSuite.suites[interface] = cls

    def bind(self, target: Target) -> None:
        self.target = target
        self._namespaces: list[AsyncNamespace] = []

    async def open(self, name: str | None = None) -> AsyncNamespace:
        """Open a namespace (a fresh one unless ``name`` is given); closed after the test."""
        ns = await prism.open_async(name or self.target.fresh_name(), config=self.target.config())
        self._namespaces.append(ns)
        return ns

    async def facet(self, interface: type[T], name: str | None = None) -> T:
        """Open a namespace (fresh unless ``name`` is given) and return its facet for
        ``interface``'s model, checked to implement ``interface``."""
        ns = await self.open(name)
        found = ns.facet(interface.model)  # type: ignore[attr-defined]
        assert isinstance(found, interface), f"{found!r} does not implement {interface.__name__}"
        return found

    async def close_namespaces(self) -> None:
        while self._namespaces:
            await self._namespaces.pop().close()

    @property
    def max_value_bytes(self) -> int | None:
        return self.target.max_value_bytes

    def declares(self, interface: str) -> bool:
        """Whether the backend under test declares ``interface`` too."""
        return interface in self.target.interfaces

    @property
    def has_clock(self) -> bool:
        """Whether time is controlled (in-process clock) rather than real."""
        return self.target.clock is not None

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass: move the injected clock, or wait for real."""
        if self.target.clock is not None:
            self.target.clock.advance(seconds)
        else:
            await sleep_async(seconds)

    async def eventually(
        self, check: AsyncCall[T], *, timeout: float = 10.0, interval: float = 0.02
    ) -> T:
        """Call ``check`` until it returns a truthy value or ``timeout`` passes (then fail)."""
        deadline = time.monotonic() + timeout
        while True:
            result = await check()
            if result:
                return result
            if time.monotonic() > deadline:
                msg = f"condition not met within {timeout} s (last result: {result!r})"
                raise AssertionError(msg)
            await sleep_async(interval)
