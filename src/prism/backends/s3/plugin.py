"""s3's plugin entry (strings only: no driver import)."""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="s3",
            declaration=builtin_registry_dir() / "backends" / "s3.yaml",
            sync_class="prism.backends.s3.backend:S3Backend",
            async_class="prism.backends.s3._async.backend:AsyncS3Backend",
            # moto serves a few hundred requests a second here; the 10,000-key cases need more
            # than the default 60 s per case
            stress_deadline=300.0,
            test_server="prism.backends.s3._testing:s3_server",
            parse_settings="prism.backends._objects._config:parse_config",
        )
    ]
