"""The sync flavour of an async-only backend: facets that forward to the async facets through
the process's one bridge loop (:class:`prism.backends.LoopThread`).

nats-py has no blocking API, so prism's generated sync twins (``tools/async_to_sync.py``) cannot
be used: the async implementation in ``_native/`` is the only one.  A sync facet class is made
from an async facet class by :func:`forwarding_facet`:

* it subclasses the **sync** interface ABCs of every interface the async class implements, so
  the sync argument checks run on the caller's thread, before any I/O, with sync error text;
* each interface method (and each checked default the async class overrides, such as
  ``append_many``) forwards the checked arguments to the async facet's *implementation*
  (the checks already ran) as a coroutine on the bridge loop, and blocks for its result;
* async iterators (``scan``, ``replay_range``) become generators that fetch one item per
  bridge call; closing the generator closes the async one on the loop;
* subscriptions come back wrapped (:class:`SyncSubscription`, :class:`SyncDurableSubscription`):
  their ``get`` / ``ack`` / ``close`` run on the loop too, so a ``close`` from another thread
  wakes a ``get`` blocked in a third.

Everything bound to the loop (the nats-py client, its subscriptions, pending futures) is made
and used only on the bridge thread.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, cast

from prism._validate import Duration
from prism.backends._bridge import LoopThread
from prism.interfaces._async.pubsub import AsyncDurableSubscription, AsyncSubscription
from prism.interfaces._base import is_checked, registered_interfaces
from prism.interfaces.pubsub import DurableSubscription, Subscription
from prism.types import Message

__all__ = ["SyncDurableSubscription", "SyncSubscription", "forwarding_facet"]


class SyncSubscription(Subscription):
    """A blocking view of an async subscription living on the bridge loop."""

    def __init__(self, inner: AsyncSubscription, bridge: LoopThread) -> None:
        self._inner = inner
        self._bridge = bridge

    def get(self, timeout: Duration | None = None) -> Message | None:
        return self._bridge.run(self._inner.get(timeout))

    def close(self) -> None:
        self._bridge.run(self._inner.close())

    @property
    def closed(self) -> bool:
        return self._inner.closed


class SyncDurableSubscription(SyncSubscription, DurableSubscription):
    def ack(self, message: Message) -> None:
        inner = cast("AsyncDurableSubscription", self._inner)
        self._bridge.run(inner.ack(message))


def _wrap_result(result: Any, bridge: LoopThread) -> Any:
    if isinstance(result, AsyncDurableSubscription):
        return SyncDurableSubscription(result, bridge)
    if isinstance(result, AsyncSubscription):
        return SyncSubscription(result, bridge)
    return result


def _forward_coroutine(impl: Callable[..., Any]) -> Callable[..., Any]:
    def forward(self: Any, *args: Any, **kwargs: Any) -> Any:
        bridge: LoopThread = self._bridge
        return _wrap_result(bridge.run(impl(self._inner, *args, **kwargs)), bridge)

    return forward


def _forward_generator(impl: Callable[..., Any]) -> Callable[..., Any]:
    def forward(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        bridge: LoopThread = self._bridge
        agen = impl(self._inner, *args, **kwargs)
        try:
            while True:
                try:
                    item = bridge.run(agen.__anext__())
                except StopAsyncIteration:
                    return
                yield item
        finally:
            bridge.run(agen.aclose())

    return forward


class ForwardingFacet:
    """What every forwarding facet holds: the async facet and the bridge."""

    def __init__(self, backend: Any, inner: Any) -> None:
        self.backend = backend
        self.namespace = inner.namespace
        self.max_value_bytes = inner.max_value_bytes
        self._inner = inner
        self._bridge: LoopThread = backend.bridge

    def __repr__(self) -> str:
        return f"<{type(self).__name__} namespace={self.namespace!r}>"


def _own_defaults(iface: type[Any], async_cls: type[Any]) -> list[str]:
    """The checked interface defaults (``append_many``) ``async_cls`` implements itself: they
    forward to its implementation; the others keep the sync default, which calls the
    forwarded operations (``append`` for each payload)."""
    found = []
    for attr, member in vars(iface).items():
        if attr.startswith("_") or getattr(member, "__isabstractmethod__", False):
            continue
        if not is_checked(member):
            continue
        owner = next(c for c in async_cls.__mro__ if attr in vars(c))
        if not vars(owner).get("__prism_interface__"):
            found.append(attr)
    return found


def forwarding_facet(name: str, async_cls: type[Any]) -> type[Any]:
    """A sync facet class implementing the sync twins of ``async_cls``'s interfaces."""
    registry = registered_interfaces()
    interfaces = [registry[(n, False)] for n in sorted(async_cls.implemented_interfaces())]
    namespace: dict[str, Any] = {"__module__": __name__, "__doc__": f"Sync {async_cls.__name__}."}
    for iface in interfaces:
        for attr in [*getattr(iface, "__abstractmethods__", ()), *_own_defaults(iface, async_cls)]:
            if attr in namespace:
                continue
            declared = getattr(iface, attr)
            impl = inspect.unwrap(getattr(async_cls, attr))
            if inspect.isasyncgenfunction(impl):
                forward = _forward_generator(impl)
            else:
                forward = _forward_coroutine(impl)
            forward.__name__ = forward.__qualname__ = attr
            forward.__doc__ = declared.__doc__
            forward.__signature__ = inspect.signature(impl)  # type: ignore[attr-defined]
            namespace[attr] = forward
    # internal hooks the patterns look for (multicast: one bridge hop for a whole batch)
    for attr in _INTERNAL_HOOKS:
        impl = getattr(async_cls, attr, None)
        if impl is not None:
            namespace[attr] = _forward_coroutine(impl)
    return type(name, (ForwardingFacet, *interfaces), namespace)


_INTERNAL_HOOKS = ("_publish_batch",)
