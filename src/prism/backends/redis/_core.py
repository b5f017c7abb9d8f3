"""The flavour-specific bits of the redis backend, hand-written in both forms.

The async source modules call ``thing_async(...)``; the generated sync twins call ``thing(...)``
(``tools/async_to_sync.py`` maps the names).  Everything that differs between ``redis.asyncio``
and ``redis`` — client construction, connecting, closing, the dedicated pub/sub connections,
locks — lives here.  Backend-internal: imported only by the backend modules.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from typing import Any

import redis  # noqa: TID253 (backend-internal module)
import redis.asyncio  # noqa: TID253
import redis.asyncio.cluster  # noqa: TID253
import redis.asyncio.retry  # noqa: TID253
import redis.cluster  # noqa: TID253
import redis.credentials  # noqa: TID253
import redis.exceptions  # noqa: TID253
import redis.retry  # noqa: TID253
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff  # noqa: TID253

from prism.backends.redis._config import RedisConfig
from prism.credentials import CredentialProvider

__all__ = [
    "acquire",
    "acquire_async",
    "close_client",
    "close_client_async",
    "close_pubsub",
    "close_pubsub_async",
    "connect",
    "connect_async",
    "make_client",
    "make_client_async",
    "make_lock",
    "make_lock_async",
    "make_node_client",
    "make_node_client_async",
    "node_address",
    "open_pubsub",
    "open_pubsub_async",
]


def _backoff(retries: int) -> Any:
    return ExponentialWithJitterBackoff(base=0.01, cap=0.5) if retries else NoBackoff()


# ----- credentials from a provider ----------------------------------------------------------------
# redis-py asks a CredentialProvider for (user, password) on every new connection (the AUTH of
# its handshake), so a rotated secret is used from the next connection on and steady-state
# commands pay nothing.  A rejected credential (AuthenticationError, or a WRONGPASS reply) is
# reported back to the provider and the command tried once more with a fresh one; a second
# rejection surfaces as ConfigurationError (no retry loop).


class ProviderCredentials(redis.credentials.CredentialProvider):
    """prism's provider as redis-py's ``credential_provider``."""

    def __init__(self, provider: CredentialProvider) -> None:
        self.provider = provider

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        cred = self.provider.get()
        return (cred.secret,) if cred.username is None else (cred.username, cred.secret)

    async def get_credentials_async(self) -> tuple[str] | tuple[str, str]:
        cred = await self.provider.get_async()
        return (cred.secret,) if cred.username is None else (cred.username, cred.secret)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return self  # one provider per connection pool, shared by its connections

    def __repr__(self) -> str:
        return f"ProviderCredentials({self.provider!r})"


def _rejected(error: BaseException) -> bool:
    if isinstance(error, redis.exceptions.AuthenticationError):
        return True
    return isinstance(error, redis.exceptions.ResponseError) and str(error).startswith(
        ("WRONGPASS", "NOAUTH")
    )


def _not_rejected(is_retryable: Any) -> Any:
    if is_retryable is None:
        return _not_rejected_at_all

    def check(error: Exception) -> bool:
        return not _rejected(error) and bool(is_retryable(error))

    return check


def _not_rejected_at_all(error: Exception) -> bool:
    """The predicate for callers that give none (no closure per command)."""
    return not _rejected(error)


_REJECTIONS = (redis.exceptions.AuthenticationError, redis.exceptions.ResponseError)


class _RefreshOnce:
    """What both flavours of the refreshing retry share: the provider, a copy per connection,
    and what to do when the server rejected the credential.  Each flavour keeps only its
    ``call_with_retry``."""

    provider: CredentialProvider
    _backoff: Any

    def __init__(self, backoff: Any, retries: int, provider: CredentialProvider) -> None:
        super().__init__(backoff, retries)  # type: ignore[call-arg]
        self.provider = provider

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # redis-py copies its Retry into every connection; the provider (and its cache and
        # lock) is shared, the backoff state is not
        clone = copy.copy(self)
        clone._backoff = copy.deepcopy(self._backoff, memo)
        return clone

    def _after_rejection(self, error: Exception, fail: Any, with_failure_count: bool) -> Any:
        """Re-raise ``error`` unless the server rejected the credential; else make the
        provider forget it and report the failure (``fail``'s result: awaitable when async)."""
        if not _rejected(error):
            raise error
        self.provider.invalidate()
        return fail(error, 1) if with_failure_count else fail(error)


class RefreshingRetry(_RefreshOnce, redis.retry.Retry):
    """redis-py's retry, plus one refresh of a credential the server rejected."""

    def call_with_retry(
        self, do: Any, fail: Any, is_retryable: Any = None, with_failure_count: bool = False
    ) -> Any:
        check = _not_rejected(is_retryable)
        try:
            return super().call_with_retry(do, fail, check, with_failure_count)
        except _REJECTIONS as error:
            self._after_rejection(error, fail, with_failure_count)
        return super().call_with_retry(do, fail, check, with_failure_count)


class RefreshingRetryAsync(_RefreshOnce, redis.asyncio.retry.Retry):
    """:class:`RefreshingRetry` for ``redis.asyncio``."""

    async def call_with_retry(
        self, do: Any, fail: Any, is_retryable: Any = None, with_failure_count: bool = False
    ) -> Any:
        check = _not_rejected(is_retryable)
        try:
            return await super().call_with_retry(do, fail, check, with_failure_count)
        except _REJECTIONS as error:
            await self._after_rejection(error, fail, with_failure_count)
        return await super().call_with_retry(do, fail, check, with_failure_count)


def _retry(config: RedisConfig, retries: int | None = None) -> Any:
    retries = config.retries if retries is None else retries
    if config.credentials is not None:
        return RefreshingRetry(_backoff(retries), retries, config.credentials)
    return redis.retry.Retry(_backoff(retries), retries)


def _retry_async(config: RedisConfig, retries: int | None = None) -> Any:
    retries = config.retries if retries is None else retries
    if config.credentials is not None:
        return RefreshingRetryAsync(_backoff(retries), retries, config.credentials)
    return redis.asyncio.retry.Retry(_backoff(retries), retries)


def _kwargs(config: RedisConfig, retry: Any) -> dict[str, Any]:
    kwargs = dict(config.client_kwargs)
    if config.credentials is not None:
        kwargs.pop("username", None)
        kwargs.pop("password", None)
        kwargs["credential_provider"] = ProviderCredentials(config.credentials)
    kwargs["retry"] = retry
    kwargs["decode_responses"] = False
    # redis.asyncio's pools (standalone, and per node on a cluster) hold 100 connections and then
    # *raise* MaxConnectionsError instead of waiting; redis-py's sync pools hold 2**31.  Use that
    # in both flavours unless the user set a size, so 400 concurrent tasks work like 400 threads.
    kwargs.setdefault("max_connections", 2**31)
    return kwargs


def _standalone_kwargs(config: RedisConfig, retry: Any, host: str, port: int) -> dict[str, Any]:
    kwargs = _kwargs(config, retry)
    if config.unix_path is not None:
        kwargs["unix_socket_path"] = config.unix_path
        kwargs.pop("ssl", None)
    else:
        kwargs["host"] = host
        kwargs["port"] = port
    kwargs["db"] = config.db
    return kwargs


# ----- the main client --------------------------------------------------------------------------


_AS_SENT = ("XRANGE", "XREVRANGE")


def _as_sent(response: Any, **_options: Any) -> Any:
    return response


def _replies_as_sent(client: Any) -> Any:
    """``client`` (a standalone client of prism's own, never handed to the caller), with the
    replies of XRANGE and XREVRANGE left as the server sent them: ``[id, [field, value, …]]``
    per entry.  redis-py would turn each entry into an ``(id, dict)`` pair first (about
    0.25 µs an entry), which the stream's record builder reads only to build the record
    from it.  A cluster client's replies are parsed by each node's own client, so there the
    builder gets the dicts; it reads both shapes."""
    for command in _AS_SENT:
        client.set_response_callback(command, _as_sent)
    return client


def make_client_async(config: RedisConfig) -> Any:
    """A ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` (not yet connected)."""
    retry = _retry_async(config)
    if config.cluster:
        nodes = [redis.asyncio.cluster.ClusterNode(h, p) for h, p in config.startup_nodes]
        return redis.asyncio.RedisCluster(
            host=config.host,
            port=config.port,
            startup_nodes=nodes or None,
            **_kwargs(config, retry),
        )
    return _replies_as_sent(
        redis.asyncio.Redis(**_standalone_kwargs(config, retry, config.host, config.port))
    )


def make_client(config: RedisConfig) -> Any:
    """A ``redis.Redis`` or ``redis.RedisCluster`` (a cluster client connects at once)."""
    retry = _retry(config)
    if config.cluster:
        nodes = [redis.cluster.ClusterNode(h, p) for h, p in config.startup_nodes]  # type: ignore[no-untyped-call]
        return redis.RedisCluster(
            host=config.host,
            port=config.port,
            startup_nodes=nodes or None,
            **_kwargs(config, retry),
        )
    return _replies_as_sent(
        redis.Redis(**_standalone_kwargs(config, retry, config.host, config.port))
    )


async def connect_async(client: Any, config: RedisConfig) -> None:
    """Learn the cluster's slots (cluster) and check the server answers with these credentials."""
    if config.cluster:
        await client.initialize()
    await client.ping()


def connect(client: Any, config: RedisConfig) -> None:
    del config  # a sync cluster client learnt its slots when it was made
    client.ping()


async def close_client_async(client: Any) -> None:
    await client.aclose()


def close_client(client: Any) -> None:
    client.close()


def node_address(client: Any, key: bytes) -> tuple[str, int]:
    """The (host, port) of the primary serving ``key``'s slot (cluster clients only)."""
    node = client.get_node_from_key(key)
    return str(node.host), int(node.port)


def make_node_client_async(config: RedisConfig, host: str, port: int) -> Any:
    """A plain client to one node: for commands that must run on the node owning a namespace's
    slot (SCAN, WATCH/MULTI/EXEC, pub/sub) on a cluster."""
    retry = _retry_async(config)
    return redis.asyncio.Redis(**_standalone_kwargs(config, retry, host, port))


def make_node_client(config: RedisConfig, host: str, port: int) -> Any:
    retry = _retry(config)
    return redis.Redis(**_standalone_kwargs(config, retry, host, port))


# ----- pub/sub connections ------------------------------------------------------------------------
# Each subscription has a connection of its own (its own one-connection client), never taken from
# the shared pool: a subscribed connection is never handed back to ordinary commands.  It does not
# retry in place: a read that fails surfaces, and the next read reconnects and re-subscribes.


def open_pubsub_async(config: RedisConfig, host: str, port: int) -> tuple[Any, Any]:
    retry = _retry_async(config, 0)
    client = redis.asyncio.Redis(**_standalone_kwargs(config, retry, host, port))
    return client, client.pubsub()


def open_pubsub(config: RedisConfig, host: str, port: int) -> tuple[Any, Any]:
    retry = _retry(config, 0)
    client = redis.Redis(**_standalone_kwargs(config, retry, host, port))
    return client, client.pubsub()  # type: ignore[no-untyped-call]


async def close_pubsub_async(client: Any, pubsub: Any) -> None:
    try:
        await pubsub.aclose()
    finally:
        await client.aclose()


def close_pubsub(client: Any, pubsub: Any) -> None:
    try:
        pubsub.close()
    finally:
        client.close()


# ----- locks ------------------------------------------------------------------------------------


def make_lock_async() -> asyncio.Lock:
    return asyncio.Lock()


def make_lock() -> threading.Lock:
    return threading.Lock()


async def acquire_async(lock: asyncio.Lock, timeout: float | None) -> bool:
    """Acquire ``lock`` within ``timeout`` seconds (None: wait); return whether it was."""
    if timeout is None:
        await lock.acquire()
        return True
    if not lock.locked():
        await lock.acquire()
        return True
    waiter = asyncio.ensure_future(lock.acquire())
    try:
        done, _ = await asyncio.wait({waiter}, timeout=timeout)
    except BaseException:
        waiter.cancel()
        if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
            lock.release()
        raise
    if waiter in done:
        return True
    waiter.cancel()
    try:
        await waiter
    except asyncio.CancelledError:
        return False
    return True  # it got the lock just before the cancellation took effect


def acquire(lock: threading.Lock, timeout: float | None) -> bool:
    return lock.acquire(timeout=-1 if timeout is None else timeout)
