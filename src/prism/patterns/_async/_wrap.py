"""Facet decorators (async source; the sync twin is generated).

A pattern wraps a slot's facet in a class that subclasses exactly the catalog interfaces the
wrapped facet implements, so ``isinstance(ns.queue, prism.AsyncQueueVisibility)`` answers the
same with and without the pattern.  The pattern's class overrides the methods it changes; every
other interface method forwards unchanged.  Overrides get the interfaces' argument checks
installed like any backend method, so bad input is refused before the pattern does any I/O.
"""

from __future__ import annotations

import abc
import inspect
import threading
from typing import Any, TypeVar

__all__ = ["AsyncFacetDecorator", "decorate", "interfaces_of"]

T = TypeVar("T", bound="AsyncFacetDecorator")

_CHECKED = "__prism_checked__"
_lock = threading.Lock()
_classes: dict[tuple[type, type], type] = {}


class AsyncFacetDecorator:
    """Base of a pattern's facet: holds the wrapped facet; anything the interfaces do not name
    (for example ``begin(conn=...)`` of the postgres keyvalue) reaches the wrapped facet."""

    max_value_bytes: int | None = None

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.namespace = getattr(inner, "namespace", "")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.__dict__["_inner"], name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self._inner!r}>"


def interfaces_of(facet: Any) -> list[type]:
    """The catalog interface classes ``facet`` implements, most derived first."""
    return [b for b in type(facet).__mro__ if b.__dict__.get("__prism_interface__")]


def _forward(name: str, is_coroutine: bool) -> Any:
    if is_coroutine:

        async def forward(self: AsyncFacetDecorator, *args: Any, **kwargs: Any) -> Any:
            return await getattr(self._inner, name)(*args, **kwargs)

    else:

        def forward(self: AsyncFacetDecorator, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc, unused-ignore]
            return getattr(self._inner, name)(*args, **kwargs)

    forward.__name__ = name
    setattr(forward, _CHECKED, True)  # the wrapped facet runs the checks itself
    forward.__prism_forward__ = True  # type: ignore[attr-defined]  # no pattern-level span
    return forward


def decorate(base: type[T], inner: Any, *args: Any) -> T:
    """An instance of ``base`` over ``inner`` that implements ``inner``'s interfaces."""
    key = (base, type(inner))
    with _lock:
        cls = _classes.get(key)
    if cls is None:
        interfaces = interfaces_of(inner)
        namespace: dict[str, Any] = {"__module__": base.__module__}
        for interface in interfaces:
            for attr in sorted(getattr(interface, "__abstractmethods__", ())):
                if attr in namespace:
                    continue
                own = _own(base, attr)
                if own is not None:
                    namespace[attr] = own  # copied, so the interface checks get installed
                else:
                    method = getattr(interface, attr)
                    namespace[attr] = _forward(attr, inspect.iscoroutinefunction(method))
        cls = abc.ABCMeta(f"{base.__name__}", (base, *interfaces), namespace)
        with _lock:
            cls = _classes.setdefault(key, cls)
    return cls(inner, *args)  # type: ignore[no-any-return]


def _own(base: type, attr: str) -> Any:
    for klass in base.__mro__:
        if klass is AsyncFacetDecorator or klass is object:
            return None
        if attr in klass.__dict__:
            return klass.__dict__[attr]
    return None
