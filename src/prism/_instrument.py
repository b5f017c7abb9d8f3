"""Installs resilience policies and telemetry on the facets of an opened namespace.

Called once per ``open``; when no policy is active and telemetry is off it returns at once and
the facets stay exactly as the backend made them (no wrapper, no cost).  Otherwise each
operation of a facet becomes an instance attribute wrapping the checked method, so
``isinstance(ns.keyvalue, prism.KeyValueTTL)`` still answers as before and another namespace
on the same connection is untouched.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

from prism import telemetry
from prism.interfaces._base import is_checked
from prism.policy import ModelPolicy, effective

__all__ = ["install", "operations"]

_lock = threading.Lock()
_BY_CLASS: dict[type, tuple[str, ...]] = {}


def operations(cls: type) -> tuple[str, ...]:
    """The operations of a facet class: the interface methods that make one call (no
    iterators, which are consumed lazily, and no dunders)."""
    found = _BY_CLASS.get(cls)
    if found is not None:
        return found
    names: list[str] = []
    for base in cls.__mro__:
        if not base.__dict__.get("__prism_interface__"):
            continue
        for name, member in base.__dict__.items():
            if name.startswith("_") or name in names:
                continue
            if not (getattr(member, "__isabstractmethod__", False) or is_checked(member)):
                continue  # an operation is abstract, or a checked default (``append_many``)
            impl = getattr(cls, name, None)
            if impl is None or isinstance(impl, property) or not callable(impl):
                continue  # a property (graph_query's query_languages) is no operation
            plain = inspect.unwrap(impl)
            if inspect.isgeneratorfunction(plain) or inspect.isasyncgenfunction(plain):
                continue
            names.append(name)
    result = tuple(sorted(names))
    _BY_CLASS[cls] = result
    return result


def _shared(backend: Any, attr: str, key: Any, make: Any) -> Any:
    """One breaker / budget per backend connection and policy, shared by its namespaces."""
    with _lock:
        table = backend.__dict__.setdefault(attr, {})
        found = table.get(key)
        if found is None:
            found = table[key] = make()
        return found


def install(
    facets: dict[str, Any],
    *,
    plan: Any,
    backend: Any,
    namespace: str,
) -> None:
    """Wrap the operations of ``facets`` as the configuration and telemetry ask."""
    tel = telemetry.enabled()
    ns_config = None if plan.config is None else plan.config.namespaces.get(namespace)
    backend_policy = plan.connection.resilience
    ns_policy = None if ns_config is None else ns_config.resilience
    if tel is None and backend_policy is None and ns_policy is None:
        return
    label = plan.connection_name
    for model, facet in facets.items():
        policy = effective(backend_policy, ns_policy, model)
        if policy is None and tel is None:
            continue
        for name in operations(type(facet)):
            func = getattr(facet, name)
            if policy is not None:
                func = _resilient(func, policy, backend, label, model, name)
            if tel is not None:
                func = telemetry.wrap_method(
                    tel,
                    func,
                    backend=plan.backend.name,
                    namespace=namespace,
                    model=model,
                    operation=name,
                    is_async=inspect.iscoroutinefunction(func),
                )
                if name.startswith("subscribe"):
                    func = _traced_subscriptions(tel, func, plan.backend.name, namespace)
            setattr(facet, name, func)


def _resilient(
    func: Any, policy: ModelPolicy, backend: Any, label: str, model: str, name: str
) -> Any:
    from prism import _resilience

    breaker = None
    if policy.breaker is not None:
        breaker = _shared(
            backend,
            "_prism_breakers",
            policy.breaker,
            lambda: _register(_resilience.Breaker(policy.breaker, label)),
        )
    budget = None
    if policy.retries is not None:
        budget = _shared(
            backend,
            "_prism_budgets",
            policy.retries,
            lambda: _resilience.RetryBudget(policy.retries.budget),
        )
    return _resilience.wrap_method(
        func,
        policy=policy,
        backend=label,
        operation=name,
        breaker=breaker,
        budget=budget,
        idempotent=name in _resilience.IDEMPOTENT.get(model, frozenset()),
        is_async=inspect.iscoroutinefunction(func),
    )


def _register(breaker: Any) -> Any:
    tel = telemetry.enabled()
    if tel is not None:
        tel.breakers.add(breaker)
    return breaker


def _traced_subscriptions(tel: Any, func: Any, backend: str, namespace: str) -> Any:
    import functools

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def asubscribe(*args: Any, **kwargs: Any) -> Any:
            sub = await func(*args, **kwargs)
            return telemetry.wrap_subscription(tel, sub, backend=backend, namespace=namespace)

        return asubscribe

    @functools.wraps(func)
    def subscribe(*args: Any, **kwargs: Any) -> Any:
        sub = func(*args, **kwargs)
        return telemetry.wrap_subscription(tel, sub, backend=backend, namespace=namespace)

    return subscribe
