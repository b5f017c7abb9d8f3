"""gremlin's plugin entry (strings only: no driver import): one module, two registry backends.

``gremlin`` serves any Apache TinkerPop Gremlin Server; ``neptune`` is the same classes declared a
second time for Amazon Neptune (IAM SigV4 signing on by default, string ids).  Both run their
compliance suites against the harness's Gremlin stand-in unless ``PRISM_TEST_GREMLIN_URL`` (or
``PRISM_TEST_NEPTUNE_URL``) names a real server.
"""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir

_SYNC = "prism.backends.gremlin.backend:GremlinBackend"
_ASYNC = "prism.backends.gremlin._async.backend:AsyncGremlinBackend"


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    backends = builtin_registry_dir() / "backends"
    return [
        BackendPlugin(
            name=name,
            declaration=backends / f"{name}.yaml",
            sync_class=_SYNC,
            async_class=_ASYNC,
            test_server=f"prism.backends.gremlin._testing:{name}_server",
            parse_settings="prism.backends.gremlin._config:parse_config",
        )
        for name in ("gremlin", "neptune")
    ]
