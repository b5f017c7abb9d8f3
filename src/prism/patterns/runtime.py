# Generated from src/prism/patterns/_async/runtime.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""Opening a pattern namespace (the sync twin, generated from the async source).

Each slot of the pattern is opened as an ordinary namespace of the same name on the slot's
backend (or, when the slot names another namespace, as that namespace, so patterns compose);
the pattern then wraps the messaging slot's facets.  The pattern namespace offers exactly the
facets of its messaging slot, plus the pattern's own operations as attributes.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from prism.errors import ConfigurationError
from prism.namespace import Namespace
from prism.patterns._options import pattern_options
from prism.patterns._wrap import FacetDecorator
from prism.registry.registry import Registry
from prism.registry.resolver import Plan

__all__ = ["PatternNamespace", "open_pattern"]

MESSAGING_MODELS = ("pubsub", "queue", "stream")


class PatternNamespace(Namespace):
    """A namespace served by a pattern: the messaging slot's facets, decorated by the pattern,
    and the pattern's own operations (``transaction()``, ``collect_orphans()``, ``register()``,
    ...) as attributes.  ``slots`` holds the opened slot namespaces."""

    def __init__(
        self,
        name: str,
        pattern: str,
        runtime: Any,
        facets: dict[str, Any],
        slots: Mapping[str, Namespace],
        description: str,
    ) -> None:
        self.pattern = pattern
        self.runtime = runtime
        self.slots = dict(slots)

        def release() -> None:
            try:
                closer = getattr(runtime, "close", None)
                if closer is not None:
                    closer()
            finally:
                for slot in self.slots.values():
                    slot.close()

        super().__init__(name, description, facets, release, lambda _model: [])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("pattern", "runtime", "slots"):
            raise AttributeError(name)
        return getattr(self.runtime, name)


def _open_slot(plan: Plan, slot: str, registry: Registry) -> Namespace:
    from prism.api import open, open_plan

    assert plan.config is not None
    binding = plan.config.namespaces[plan.namespace].slots[slot]
    if binding.namespace is not None:
        return open(binding.namespace, config=plan.config)
    assert binding.backend is not None
    conn = plan.config.backends[binding.backend]
    sub = Plan(plan.namespace, binding.backend, conn, registry.backend(conn.type), (), plan.config)
    return open_plan(sub, registry)


def open_pattern(plan: Plan, registry: Registry) -> Namespace:
    """Open the pattern namespace ``plan`` resolved to."""
    assert plan.pattern is not None
    assert plan.config is not None
    declaration = registry.pattern(plan.pattern)
    ns_config = plan.config.namespaces[plan.namespace]
    options = pattern_options(plan.namespace, declaration, ns_config.options)
    slots: dict[str, Namespace] = {}
    try:
        for slot in declaration.slots:
            if slot in ns_config.slots:
                slots[slot] = _open_slot(plan, slot, registry)
        runtime, facets = _build(plan.pattern, plan.namespace, slots, options)
        _trace(plan.pattern, plan.namespace, runtime, facets)
    except BaseException:
        for opened in slots.values():
            opened.close()
        raise
    description = (
        f"pattern {plan.pattern} ("
        + ", ".join(f"{k}: {v.backend_name}" for k, v in slots.items())
        + ")"
    )
    return PatternNamespace(plan.namespace, plan.pattern, runtime, facets, slots, description)


# the pattern's own operations that get a pattern-level span (besides the decorated facets')
_RUNTIME_OPERATIONS = {
    "outbox": ("run_once",),
    "multicast-registry": ("register", "deregister", "heartbeat", "enumerate", "multicast"),
    "claim-check": ("collect_orphans",),
}
_OUTBOX_TRANSACTION = ("commit",)


def _trace(pattern: str, name: str, runtime: Any, facets: dict[str, Any]) -> None:
    """With telemetry on: an internal span around each pattern-level operation (a claim-check
    publish or receive, an outbox commit or relay pass, a multicast), parent of the slot
    operations' spans.  Telemetry only (the slots run the policies, so retries never double).
    The spans are instance attributes, so the facets stay the same objects and keep their
    internal hooks (``_publish_batch``, ``_scan_in_key_order``)."""
    from prism import telemetry
    from prism._instrument import operations

    tel = telemetry.enabled()
    if tel is None:
        return

    def wrap(obj: Any, attr: str) -> None:
        func = getattr(obj, attr)
        wrapped = telemetry.wrap_pattern(
            tel,
            func,
            pattern=pattern,
            namespace=name,
            operation=attr,
            is_async=inspect.iscoroutinefunction(func),
        )
        setattr(obj, attr, wrapped)

    for facet in facets.values():
        if not isinstance(facet, FacetDecorator):
            continue  # the slot's own facet, instrumented by its namespace
        for attr in operations(type(facet)):
            if not getattr(getattr(type(facet), attr), "__prism_forward__", False):
                wrap(facet, attr)
    for attr in _RUNTIME_OPERATIONS.get(pattern, ()):
        wrap(runtime, attr)
    if pattern == "outbox":
        begin = runtime.transaction

        def transaction(*args: Any, **kwargs: Any) -> Any:
            tx = begin(*args, **kwargs)
            for attr in _OUTBOX_TRANSACTION:
                wrap(tx, attr)
            return tx

        runtime.transaction = transaction


def _build(
    pattern: str, name: str, slots: Mapping[str, Namespace], options: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    messaging = {m: slots["messaging"].facet(m) for m in slots["messaging"].models}
    if pattern == "claim-check":
        from prism.patterns.claimcheck import ClaimCheck, wrap_messaging

        cc = ClaimCheck(slots["storage"].facet("keyvalue"), **options)
        return cc, wrap_messaging(messaging, cc)
    if pattern == "outbox":
        from prism.patterns.outbox import Outbox

        facets = {m: f for m, f in messaging.items() if m in MESSAGING_MODELS}
        outbox = Outbox(slots["database"].facet("keyvalue"), facets, **options)
        return outbox, facets
    if pattern == "multicast-registry":
        from prism.patterns.multicast import MulticastRegistry

        reg = slots["registry"]
        model = options.pop("store", "auto")
        if model not in ("auto", "keyvalue", "document"):
            msg = f"namespace {name!r}: option store must be auto, keyvalue or document"
            raise ConfigurationError(msg)
        if model == "auto":
            model = "document" if "document" in reg.models else "keyvalue"
        queue = slots["durability"].facet("queue") if "durability" in slots else None
        mcast = MulticastRegistry(reg.facet(model), messaging["pubsub"], queue, **options)
        return mcast, {m: f for m, f in messaging.items() if m in MESSAGING_MODELS}
    msg = f"namespace {name!r}: pattern {pattern!r} has no runtime in this version of prism"
    raise ConfigurationError(msg)
