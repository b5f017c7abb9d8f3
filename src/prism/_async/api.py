"""``open_async``: resolve a namespace and bind it to a shared backend connection."""

from __future__ import annotations

import logging
import threading
from typing import Any

from prism._async.namespace import AsyncNamespace
from prism._compat import current_loop_async
from prism._instrument import install
from prism._redact import redact
from prism.backends._async.base import AsyncBackend
from prism.backends.settings import BackendSettings, settings_for
from prism.errors import BackendUnavailableError, PrismError
from prism.interfaces import MODELS
from prism.registry.registry import Registry, abstract_facet_error, get_registry
from prism.registry.resolver import ConfigSource, Plan, load_config, resolve

__all__ = ["open_async"]

log = logging.getLogger("prism.connections")
_lock = threading.Lock()
_connections: dict[tuple[Any, ...], list[Any]] = {}  # key -> [backend, refcount]


def _connection_key(settings: BackendSettings) -> tuple[Any, ...]:
    options = tuple(sorted((k, repr(v)) for k, v in settings.options.items()))
    # a namespace with credentials of its own gets a connection of its own
    credentials = None if settings.credentials is None else id(settings.credentials)
    return (
        settings.backend,
        settings.connection,
        options,
        settings.call_timeout,
        credentials,
        current_loop_async(),
    )


async def _acquire(settings: BackendSettings, cls: type[AsyncBackend]) -> tuple[Any, AsyncBackend]:
    key = _connection_key(settings)
    with _lock:
        slot = _connections.get(key)
        if slot is not None:
            slot[1] += 1
            return key, slot[0]
    backend = cls(settings)
    log.info(
        "opening %s connection %r: %s",
        settings.backend,
        settings.name,
        settings.redacted_connection,
    )
    try:
        await backend.open()
    except PrismError as exc:
        log.warning("%s connection %r failed to open: %s", settings.backend, settings.name, exc)
        raise
    except OSError as exc:  # refused, reset, unreachable, timed out: the server is not there
        # A backend translates its driver's errors itself; anything else that is not an OSError
        # is a bug in the backend or in prism and propagates unchanged, never as a PrismError.
        msg = f"{settings.backend} failed to connect: {type(exc).__name__}: {redact(str(exc))}"
        raise BackendUnavailableError(msg, backend=settings.backend, operation="open") from exc
    with _lock:
        slot = _connections.get(key)
        if slot is None:
            _connections[key] = [backend, 1]
            return key, backend
        slot[1] += 1
        winner: AsyncBackend = slot[0]
    await backend.close()
    return key, winner


async def _release(key: tuple[Any, ...]) -> None:
    with _lock:
        slot = _connections.get(key)
        if slot is None:
            return
        slot[1] -= 1
        if slot[1] > 0:
            return
        del _connections[key]
    await slot[0].close()


async def open_async(name: str, *, config: ConfigSource = None) -> AsyncNamespace:
    """Open namespace ``name``.

    ``config`` is a path to a ``prism.yaml``, a mapping or a :class:`~prism.registry.models.
    PrismConfig`; by default ``$PRISM_CONFIG`` or ``./prism.yaml`` is used, and with no
    configuration at all every name opens on the embedded default (the in-memory store).
    Raises ``ConfigurationError`` when the namespace's needs cannot be met.
    """
    registry = get_registry()
    plan = resolve(name, load_config(config), registry)
    if plan.pattern is not None:
        from prism.patterns._async.runtime import open_pattern_async

        return await open_pattern_async(plan, registry)
    return await open_plan_async(plan, registry)


async def open_plan_async(plan: Plan, registry: Registry) -> AsyncNamespace:
    """Bind the resolved (non-pattern) ``plan`` to a shared connection."""
    name = plan.namespace
    settings = settings_for(plan)
    cls = plan.backend.load_class_async()
    for facet_class in getattr(cls, "facet_classes", {}).values():
        error = abstract_facet_error(plan.backend.name, facet_class)
        if error is not None:
            raise error
    key, backend = await _acquire(settings, cls)
    facets = {}
    for model in MODELS:
        facet = backend.facet(model, name)
        if facet is not None:
            facets[model] = facet
    install(facets, plan=plan, backend=backend, namespace=name)

    async def release() -> None:
        await _release(key)

    return AsyncNamespace(
        name,
        f"{plan.connection_name} ({plan.backend.name})",
        facets,
        release,
        lambda model: plan.backends_with_model(model, registry),
    )
