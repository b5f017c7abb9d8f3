"""The connection shared by both flavours: one gremlinpython ``DriverRemoteConnection``.

gremlinpython's API is blocking (it runs its own event loop inside); the sync flavour calls it
directly (:meth:`Connection.run`), the async flavour through the shared bridge
(:class:`prism.backends.WorkerPool`, :meth:`Connection.run_async`).  Every operation is a
function ``fn(g, *args)`` of ``_ops/graph.py`` that sends bytecode through the traversal source
``g``; :meth:`Connection.run` translates driver errors and retries Neptune's
``ConcurrentModificationException`` a bounded number of times.

Namespaces: every element carries the property :data:`NS_KEY` (its namespace) and a server id
made of the namespace and the prism id (:func:`server_id`); every traversal prism sends starts
from ids of its own namespace or from ``has(NS_KEY, namespace)``, and edges never join two
namespaces, so a traversal never leaves its namespace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from prism.backends._bridge import WorkerPool
from prism.backends._errors import translated
from prism.backends.gremlin._config import GremlinConfig
from prism.backends.gremlin._errors import is_retryable, translate
from prism.errors import BackendUnavailableError

if TYPE_CHECKING:
    from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
    from gremlin_python.process.graph_traversal import GraphTraversalSource

__all__ = ["BACKEND", "ID_KEY", "NS_KEY", "PROPS_KEY", "Connection", "server_id", "sigv4_headers"]

BACKEND = "gremlin"
NS_KEY = "prism_ns"
"""The property holding an element's namespace (the partition key)."""
ID_KEY = "prism_id"
"""The property holding an element's prism id (its server id has the namespace in front)."""
PROPS_KEY = "prism_props"
"""The property holding an element's properties as JSON text (exact types, nesting, nulls)."""

PARTITION_PREFIX = (
    "g = g.withStrategies(PartitionStrategy.build().partitionKey(prism_pkey)"
    ".writePartition(prism_ns).readPartitions(prism_ns).create());\n"
)
"""The line prism puts in front of a graph_query script: Groovy that confines ``g`` to the
namespace on a real Gremlin Server or Neptune (its values are bindings, never spliced).  The
stand-in recognises exactly this line and emulates it for reads."""

T = TypeVar("T")


def server_id(namespace: str, id: str) -> str:
    """The element id on the server: unambiguous for every namespace and id (Neptune string id)."""
    return f"{len(namespace)}:{namespace}:{id}"


def sigv4_headers(
    url: str, region: str | None = None, credentials: Any = None, timestamp: str | None = None
) -> dict[str, str]:
    """Headers that sign the WebSocket handshake to ``url`` as Neptune's IAM auth expects:
    SigV4 over ``GET https://host:port/gremlin`` for the service ``neptune-db``, with the AWS
    credential chain (environment, profile, instance role ...) found by botocore.  ``timestamp``
    (``YYYYMMDDTHHMMSSZ``) fixes the signing time, for tests."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = botocore.session.get_session()
    if credentials is None:
        found = session.get_credentials()
        if found is None:
            from prism.errors import ConfigurationError

            msg = "neptune iam: true, but botocore found no AWS credentials in the credential chain"
            raise ConfigurationError(msg, backend="neptune")
        credentials = found.get_frozen_credentials()
    region = region or session.get_config_variable("region")
    if not region:
        from prism.errors import ConfigurationError

        msg = "neptune iam: true needs a region (option 'region' or AWS_REGION)"
        raise ConfigurationError(msg, backend="neptune")
    parts = urlsplit(url)
    scheme = "https" if parts.scheme == "wss" else "http"
    request = AWSRequest(method="GET", url=f"{scheme}://{parts.netloc}{parts.path or '/gremlin'}")
    signer = SigV4Auth(credentials, "neptune-db", region)
    if timestamp is None:
        signer.add_auth(request)
    else:
        request.context["timestamp"] = timestamp
        request.headers["X-Amz-Date"] = timestamp
        if credentials.token:
            request.headers["X-Amz-Security-Token"] = credentials.token
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        signer._inject_signature_to_request(request, signature)
    headers = {key: str(value) for key, value in request.headers.items()}
    headers["Host"] = parts.netloc
    return headers


class Connection:
    """One ``DriverRemoteConnection`` (pool of ``pool_size`` WebSockets), opened lazily."""

    def __init__(self, config: GremlinConfig, backend: str = BACKEND) -> None:
        self.config = config
        self.backend = backend
        self.bridge = WorkerPool(backend, max_workers=config.pool_size)
        self._remote: DriverRemoteConnection | None = None
        self._g: GraphTraversalSource | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        from gremlin_python.driver import serializer
        from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
        from gremlin_python.process.anonymous_traversal import traversal

        config = self.config
        headers = sigv4_headers(config.url, config.region) if config.iam else None
        message_serializer = (
            serializer.GraphBinarySerializersV1()
            if config.serializer == "graphbinary"
            else serializer.GraphSONSerializersV3d0()
        )
        try:
            remote = DriverRemoteConnection(
                config.url,
                config.traversal_source,
                pool_size=config.pool_size,
                max_workers=config.pool_size,
                message_serializer=message_serializer,
                headers=headers,
                read_timeout=config.timeout,
                write_timeout=config.timeout,
            )
        except Exception as exc:
            raise translated(exc, self.backend, "open", translate) from exc
        self._remote = remote
        self._g = traversal().with_(remote)
        try:
            self.run(lambda g: g.inject(1).to_list(), operation="open")
        except BaseException:
            self.close()
            raise

    async def open_async(self) -> None:
        await self.bridge.run(self.open)

    def close(self) -> None:
        remote, self._remote, self._g = self._remote, None, None
        if remote is not None:
            remote.close()

    async def close_async(self) -> None:
        try:
            await self.bridge.run(self.close)
        finally:
            self.bridge.close()

    @property
    def g(self) -> GraphTraversalSource:
        if self._g is None:
            msg = f"the {self.backend} backend is not open"
            raise BackendUnavailableError(msg, backend=self.backend)
        return self._g

    @property
    def remote(self) -> DriverRemoteConnection:
        if self._remote is None:
            msg = f"the {self.backend} backend is not open"
            raise BackendUnavailableError(msg, backend=self.backend)
        return self._remote

    def run(self, fn: Callable[..., T], *args: Any, operation: str = "") -> T:
        """``fn(g, *args)``; ConcurrentModificationException retried up to ``retries`` times."""
        operation = operation or getattr(fn, "__name__", "call")
        attempt = 0
        while True:
            try:
                return fn(self.g, *args)
            except Exception as exc:
                if is_retryable(exc) and attempt < self.config.retries:
                    attempt += 1
                    continue
                raise translated(exc, self.backend, operation, translate) from exc

    async def run_async(self, fn: Callable[..., T], *args: Any, operation: str = "") -> T:
        """:meth:`run` on the shared bridge's worker threads."""
        return await self.bridge.run(self.run, fn, *args, operation=operation)

    def submit(self, text: str, bindings: dict[str, Any]) -> list[Any]:
        """A script (graph_query) through the connection's client, results as a list."""
        client = self.remote._client
        return list(client.submit(text, bindings).all().result())

    async def submit_async(self, text: str, bindings: dict[str, Any]) -> list[Any]:
        return await self.bridge.run(self.submit, text, bindings)
