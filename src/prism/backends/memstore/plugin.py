"""memstore's plugin entry (strings only)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="memstore",
            declaration=builtin_registry_dir() / "backends" / "memstore.yaml",
            sync_class="prism.backends.memstore.backend:MemstoreBackend",
            async_class="prism.backends.memstore._async.backend:AsyncMemstoreBackend",
            test_server="prism.backends.memstore._testing:memstore_server",
            parse_settings="prism.backends.memstore._config:parse_config",
        )
    ]
