"""minio's plugin entry (strings only: no driver import)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="minio",
            declaration=builtin_registry_dir() / "backends" / "minio.yaml",
            sync_class="prism.backends.minio.backend:MinioBackend",
            async_class="prism.backends.minio._async.backend:AsyncMinioBackend",
            test_server="prism.backends.minio._testing:minio_server",
            parse_settings="prism.backends._objects._config:parse_config",
        )
    ]
