"""nats's plugin entry (strings only: no driver import)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="nats",
            declaration=builtin_registry_dir() / "backends" / "nats.yaml",
            sync_class="prism.backends.nats.backend:NatsBackend",
            async_class="prism.backends.nats._native.backend:AsyncNatsBackend",
            test_server="prism.backends.nats._testing:nats_server",
            parse_settings="prism.backends.nats._config:parse_config",
        )
    ]
