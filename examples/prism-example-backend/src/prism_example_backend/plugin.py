"""The entry-point module: strings only, so importing prism stays cheap."""

from __future__ import annotations

from pathlib import Path

from prism.backends import BackendPlugin, hookimpl


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    return [
        BackendPlugin(
            name="example-kv",
            declaration=Path(__file__).with_name("example-kv.yaml"),
            sync_class="prism_example_backend.backend:ExampleBackend",
            async_class="prism_example_backend.backend:AsyncExampleBackend",
            install_hint="pip install prism-example-backend",
            test_server="prism_example_backend.backend:test_server",
        )
    ]
