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
from prism.errors import BackendUnavailableError, ConfigurationError

if TYPE_CHECKING:
    from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
    from gremlin_python.process.graph_traversal import GraphTraversalSource

    from prism.credentials import Credential, CredentialProvider

__all__ = [
    "BACKEND",
    "ID_KEY",
    "NS_KEY",
    "PROPS_KEY",
    "Connection",
    "aws_credentials",
    "server_id",
    "sigv4_headers",
]

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
            msg = "neptune iam: true, but botocore found no AWS credentials in the credential chain"
            raise ConfigurationError(msg, backend="neptune")
        credentials = found.get_frozen_credentials()
    region = region or session.get_config_variable("region")
    if not region:
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


def aws_credentials(credential: Credential) -> Any:
    """botocore ``Credentials`` from a prism credential yielding AWS keys: the user name is the
    access key id, the secret the secret access key, ``extra['session_token']`` the session
    token of temporary credentials (what the ``aws`` provider hands out; a ``file``,
    ``command`` or ``static`` provider may hand out the same)."""
    from botocore.credentials import Credentials

    if not credential.username:
        msg = (
            "neptune iam: the credential provider gave no access key id (its username); "
            "Neptune IAM signs with an AWS access key id and secret access key"
        )
        raise ConfigurationError(msg, backend="neptune")
    return Credentials(
        credential.username, credential.secret, credential.extra.get("session_token")
    )


_FORBIDDEN = "HTTP Error code 403"
"""What gremlinpython's transport says when the handshake is refused (it hides the rest)."""


def _signing_transport_factory(
    config: GremlinConfig, provider: CredentialProvider | None, backend: str
) -> Callable[[], Any]:
    """A gremlinpython transport factory whose transports sign each WebSocket handshake as it
    happens, with the credential current at that moment: a pooled connection that opens late
    (gremlinpython connects lazily) or reconnects carries a fresh SigV4 date and rotated keys.
    A refused handshake (403) reports the credential back to the provider and is signed and
    tried once more with a fresh one, never more."""
    from gremlin_python.driver.aiohttp.transport import AiohttpTransport

    def sign(url: str) -> tuple[dict[str, str], Credential | None]:
        if provider is None:  # botocore's own chain, asked on each handshake
            return sigv4_headers(url, config.region), None
        credential = provider.get()
        return sigv4_headers(url, config.region, aws_credentials(credential)), credential

    class SigningTransport(AiohttpTransport):  # type: ignore[misc]
        def _drop_session(self) -> None:
            """Close the HTTP session a refused handshake left open (the loop stays usable)."""
            session: Any = getattr(self, "_client_session", None)
            self._client_session = None
            if session is not None and not session.closed:
                self._loop.run_until_complete(session.close())

        def connect(self, url: str, headers: Any = None) -> None:
            base = dict(headers or {})
            try:
                signed, used = sign(url)
            except BaseException:
                self.close()
                raise
            try:
                super().connect(url, {**base, **signed})
                return
            except Exception as exc:
                if provider is None or _FORBIDDEN not in str(exc):
                    self.close()  # its loop and session now, not in a later __del__
                    raise
                self._drop_session()
            provider.invalidate(used)  # a no-op when another thread refreshed it already
            signed, _ = sign(url)
            try:
                super().connect(url, {**base, **signed})
            except Exception as exc:
                self.close()
                if _FORBIDDEN not in str(exc):
                    raise
                msg = (
                    "Neptune refused the IAM signature twice, the second time with a fresh "
                    f"credential from {provider.describe()}: check the IAM policy (prism acl), "
                    "the region and the keys"
                )
                raise ConfigurationError(msg, backend=backend) from None

    def factory() -> Any:
        return SigningTransport(
            read_timeout=config.timeout,
            write_timeout=config.timeout,
            max_content_length=10 * 1024 * 1024,
        )

    return factory


class Connection:
    """One ``DriverRemoteConnection`` (pool of ``pool_size`` WebSockets), opened lazily."""

    def __init__(
        self,
        config: GremlinConfig,
        backend: str = BACKEND,
        credentials: CredentialProvider | None = None,
    ) -> None:
        if credentials is not None and not config.iam:
            msg = (
                f"{backend} takes credentials only to sign with AWS IAM (Neptune, iam: true); "
                "a plain Gremlin Server's username/password authentication is not supported"
            )
            raise ConfigurationError(msg, backend=backend)
        self.config = config
        self.backend = backend
        self.credentials = credentials
        self.bridge = WorkerPool(backend, max_workers=config.pool_size)
        self._remote: DriverRemoteConnection | None = None
        self._g: GraphTraversalSource | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        from gremlin_python.driver import serializer
        from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
        from gremlin_python.process.anonymous_traversal import traversal

        config = self.config
        transport: dict[str, Any] = {}
        if config.iam:  # signed per handshake, see _signing_transport_factory
            transport["transport_factory"] = _signing_transport_factory(
                config, self.credentials, self.backend
            )
        else:
            transport["read_timeout"] = config.timeout
            transport["write_timeout"] = config.timeout
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
                **transport,
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
