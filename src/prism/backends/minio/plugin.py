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
            # moto serves a few hundred requests a second here; the 10,000-key cases need more
            # than the default 60 s per case
            stress_deadline=300.0,
            test_server="prism.backends.minio._testing:minio_server",
            parse_settings="prism.backends._objects._config:parse_config",
        )
    ]
