"""kafka's plugin entry (strings only: no driver import)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="kafka",
            declaration=builtin_registry_dir() / "backends" / "kafka.yaml",
            sync_class="prism.backends.kafka.backend:KafkaBackend",
            async_class="prism.backends.kafka._async.backend:AsyncKafkaBackend",
            test_server="prism.backends.kafka._testing:kafka_server",
            parse_settings="prism.backends.kafka._config:parse_config",
        )
    ]
