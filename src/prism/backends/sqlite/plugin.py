"""sqlite's plugin entry (strings only)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="sqlite",
            declaration=builtin_registry_dir() / "backends" / "sqlite.yaml",
            sync_class="prism.backends.sqlite.backend:SQLiteBackend",
            async_class="prism.backends.sqlite._async.backend:AsyncSQLiteBackend",
            test_server="prism.backends.sqlite._testing:sqlite_server",
            parse_settings="prism.backends.sqlite._config:parse_config",
        )
    ]
