"""postgres's plugin entry (strings only: no driver import)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="postgres",
            declaration=builtin_registry_dir() / "backends" / "postgres.yaml",
            sync_class="prism.backends.postgres.backend:PostgresBackend",
            async_class="prism.backends.postgres._async.backend:AsyncPostgresBackend",
            test_server="prism.backends.postgres._testing:postgres_server",
            parse_settings="prism.backends.postgres._config:parse_config",
        )
    ]
