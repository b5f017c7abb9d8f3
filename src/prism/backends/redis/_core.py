"""The flavour-specific bits of the redis backend, hand-written in both forms.

The async source modules call ``thing_async(...)``; the generated sync twins call ``thing(...)``
(``tools/async_to_sync.py`` maps the names).  Everything that differs between ``redis.asyncio``
and ``redis`` — client construction, connecting, closing, the dedicated pub/sub connections,
locks — lives here.  Backend-internal: imported only by the backend modules.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import redis  # noqa: TID253 (backend-internal module)
import redis.asyncio  # noqa: TID253
import redis.asyncio.cluster  # noqa: TID253
import redis.asyncio.retry  # noqa: TID253
import redis.cluster  # noqa: TID253
import redis.retry  # noqa: TID253
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff  # noqa: TID253

from prism.backends.redis._config import RedisConfig

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


def _kwargs(config: RedisConfig, retry: Any) -> dict[str, Any]:
    kwargs = dict(config.client_kwargs)
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


def make_client_async(config: RedisConfig) -> Any:
    """A ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` (not yet connected)."""
    retry = redis.asyncio.retry.Retry(_backoff(config.retries), config.retries)
    if config.cluster:
        nodes = [redis.asyncio.cluster.ClusterNode(h, p) for h, p in config.startup_nodes]
        return redis.asyncio.RedisCluster(
            host=config.host,
            port=config.port,
            startup_nodes=nodes or None,
            **_kwargs(config, retry),
        )
    return redis.asyncio.Redis(**_standalone_kwargs(config, retry, config.host, config.port))


def make_client(config: RedisConfig) -> Any:
    """A ``redis.Redis`` or ``redis.RedisCluster`` (a cluster client connects at once)."""
    retry = redis.retry.Retry(_backoff(config.retries), config.retries)
    if config.cluster:
        nodes = [redis.cluster.ClusterNode(h, p) for h, p in config.startup_nodes]  # type: ignore[no-untyped-call]
        return redis.RedisCluster(
            host=config.host,
            port=config.port,
            startup_nodes=nodes or None,
            **_kwargs(config, retry),
        )
    return redis.Redis(**_standalone_kwargs(config, retry, config.host, config.port))


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
    retry = redis.asyncio.retry.Retry(_backoff(config.retries), config.retries)
    return redis.asyncio.Redis(**_standalone_kwargs(config, retry, host, port))


def make_node_client(config: RedisConfig, host: str, port: int) -> Any:
    retry = redis.retry.Retry(_backoff(config.retries), config.retries)
    return redis.Redis(**_standalone_kwargs(config, retry, host, port))


# ----- pub/sub connections ------------------------------------------------------------------------
# Each subscription has a connection of its own (its own one-connection client), never taken from
# the shared pool: a subscribed connection is never handed back to ordinary commands.  It does not
# retry in place: a read that fails surfaces, and the next read reconnects and re-subscribes.


def open_pubsub_async(config: RedisConfig, host: str, port: int) -> tuple[Any, Any]:
    retry = redis.asyncio.retry.Retry(NoBackoff(), 0)
    client = redis.asyncio.Redis(**_standalone_kwargs(config, retry, host, port))
    return client, client.pubsub()


def open_pubsub(config: RedisConfig, host: str, port: int) -> tuple[Any, Any]:
    retry = redis.retry.Retry(NoBackoff(), 0)
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
