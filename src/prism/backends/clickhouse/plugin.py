"""clickhouse's plugin entry (strings only: no driver import)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="clickhouse",
            declaration=builtin_registry_dir() / "backends" / "clickhouse.yaml",
            sync_class="prism.backends.clickhouse.backend:ClickHouseBackend",
            async_class="prism.backends.clickhouse._async.backend:AsyncClickHouseBackend",
            test_server="prism.backends.clickhouse._testing:clickhouse_server",
            parse_settings="prism.backends.clickhouse._config:parse_config",
        )
    ]
