"""redis's plugin entry (strings only): one module, two registry backends.

``redis`` serves a standalone server; ``redis-cluster`` is the same classes declared a second
time so the compliance suites run against a Redis Cluster too (its test server is a three-master
cluster).  Which client is used is decided by the connection (``redis+cluster://`` or the option
``cluster: true``), or by the backend name when neither says.
"""

from __future__ import annotations

from prism.plugins import BackendPlugin, hookimpl
from prism.registry.loader import builtin_registry_dir

_SYNC = "prism.backends.redis.backend:RedisBackend"
_ASYNC = "prism.backends.redis._async.backend:AsyncRedisBackend"


@hookimpl
def prism_backends() -> list[BackendPlugin]:
    backends = builtin_registry_dir() / "backends"
    return [
        BackendPlugin(
            name="redis",
            declaration=backends / "redis.yaml",
            sync_class=_SYNC,
            async_class=_ASYNC,
            test_server="prism.backends.redis._testing:redis_server",
            parse_settings="prism.backends.redis._config:parse_config",
        ),
        BackendPlugin(
            name="redis-cluster",
            declaration=backends / "redis-cluster.yaml",
            sync_class=_SYNC,
            async_class=_ASYNC,
            test_server="prism.backends.redis._testing:redis_cluster_server",
            parse_settings="prism.backends.redis._config:parse_config",
        ),
    ]
