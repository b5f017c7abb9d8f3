# Generated from src/prism/testing/_async/suite.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The base class of every compliance suite (the sync twin, generated from the async source).

A suite is a class of test methods for one catalog interface::

    class KeyValueBasicSuite(Suite, interface="keyvalue_basic"):
        def test_set_then_get(self) -> None:
            kv = (self.open()).keyvalue
            kv.set("k", b"v")
            assert kv.get("k") == b"v"

The plugin runs it against every backend that declares the interface.  ``self.open()`` opens a
fresh namespace (closed after the test); ``self.advance(s)`` moves time (the injected clock
where the backend has one, a real wait otherwise); ``self.eventually(fn)`` polls with a deadline.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, TypeVar

import prism
from prism._compat import Call, sleep
from prism.namespace import Namespace
from prism.testing.target import Target

T = TypeVar("T")

__all__ = ["Suite"]


class Suite:
    """Base of the compliance suites; subclasses name their ``interface``."""

    interface: ClassVar[str] = ""
    suites: ClassVar[dict[str, type[Suite]]] = {}
    target: Target

    def __init_subclass__(cls, *, interface: str | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if interface is not None:
            cls.interface = interface
            Suite.suites[interface] = cls

    def bind(self, target: Target) -> None:
        self.target = target
        self._namespaces: list[Namespace] = []

    def open(self, name: str | None = None) -> Namespace:
        """Open a namespace (a fresh one unless ``name`` is given); closed after the test."""
        ns = prism.open(name or self.target.fresh_name(), config=self.target.config())
        self._namespaces.append(ns)
        return ns

    def facet(self, interface: type[T], name: str | None = None) -> T:
        """Open a namespace (fresh unless ``name`` is given) and return its facet for
        ``interface``'s model, checked to implement ``interface``."""
        ns = self.open(name)
        found = ns.facet(interface.model)  # type: ignore[attr-defined]
        assert isinstance(found, interface), f"{found!r} does not implement {interface.__name__}"
        return found

    def close_namespaces(self) -> None:
        while self._namespaces:
            self._namespaces.pop().close()

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

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass: move the injected clock, or wait for real."""
        if self.target.clock is not None:
            self.target.clock.advance(seconds)
        else:
            sleep(seconds)

    def eventually(self, check: Call[T], *, timeout: float = 10.0, interval: float = 0.02) -> T:
        """Call ``check`` until it returns a truthy value or ``timeout`` passes (then fail)."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                msg = f"condition not met within {timeout} s (last result: {result!r})"
                raise AssertionError(msg)
            sleep(interval)
