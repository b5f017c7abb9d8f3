"""The nats backend class (native async over nats-py; the sync flavour in ``../backend.py``
forwards every call to this one through the shared bridge loop, ``prism.backends.LoopThread``).

One client connection (``nats.connect``) per backend, shared by every namespace on the same
connection entry; a JetStream context on it.  nats-py reconnects by itself (``allow_reconnect``,
``max_reconnect_attempts``, ``reconnect_time_wait``) and resends its subscriptions; what it
could not send meanwhile waits in its pending buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.aio.client import Client  # noqa: TID253 (backend-internal module)
from nats.js import JetStreamContext  # noqa: TID253

from prism.backends._async.base import AsyncBackend
from prism.backends._errors import translating
from prism.backends.nats._config import parse_config
from prism.backends.nats._errors import translate
from prism.backends.nats._native._acks import PublishAcks
from prism.backends.nats._native.keyvalue import AsyncNatsKeyValue
from prism.backends.nats._native.pubsub import AsyncNatsPubSub
from prism.backends.nats._native.queue import AsyncNatsQueue
from prism.backends.nats._native.stream import AsyncNatsStream
from prism.backends.settings import BackendSettings
from prism.credentials import Credential
from prism.errors import BackendUnavailableError, PrismError

__all__ = ["BACKEND", "AsyncNatsBackend"]

BACKEND = "nats"
_MAX_INFLIGHT = 256
_AUTH = "authorization violation"
_log = logging.getLogger("prism.backends.nats")


async def _error_cb(exc: Exception) -> None:
    # nats-py reports connection trouble here (it reconnects by itself); its default handler
    # prints a traceback for each.  The text may name a server URL: redacted by the handler's
    # formatter is not guaranteed, so only the class goes to the log.
    _log.debug("nats client error: %s", type(exc).__name__)


class AsyncNatsBackend(AsyncBackend):
    """One nats-py client for one connection entry (see ``docs/backends/nats.md``)."""

    facet_classes = {
        "keyvalue": AsyncNatsKeyValue,
        "pubsub": AsyncNatsPubSub,
        "stream": AsyncNatsStream,
        "queue": AsyncNatsQueue,
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self.prefix = self.config.prefix
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self.inflight = asyncio.Semaphore(_MAX_INFLIGHT)
        """Bounds the JetStream publishes awaiting their ack (back-pressure: thousands at once
        would time out waiting for acks the server has not had time to send)."""
        self.setup_lock = asyncio.Lock()
        """Held while a stream or bucket is looked up or made: one JetStream API call for it,
        not one per concurrent first caller."""
        self.ready: set[str] = set()
        """Streams and buckets known to exist (made once per backend)."""
        self._acks: PublishAcks | None = None
        self._cred: Credential | None = None
        """The provider's credential sent at the last (re)connect (None: no provider)."""
        self._refused: str | None = None
        """The secret a server refused last (invalidated once, not at every retry)."""

    # -- credentials from a provider, asked again at every reconnect --------------------------

    def _username(self) -> str:
        # called by nats-py, synchronously on the loop, while it builds CONNECT: no I/O here
        assert self._cred is not None
        return self._cred.username or ""

    def _secret(self) -> str:
        assert self._cred is not None
        return self._cred.secret

    async def _refresh(self) -> None:
        """nats-py's ``disconnected_cb``: before it reconnects, take the provider's current
        credential (a rotated file is read again; an expiring token is refreshed)."""
        provider = self.settings.credentials
        if provider is None:
            return
        try:
            self._cred = await provider.get_async()
        except PrismError as exc:  # keep the old one; the reconnect reports what the server says
            _log.warning("nats: the credential provider failed: %s", type(exc).__name__)

    async def _error(self, exc: Exception) -> None:
        """nats-py's ``error_cb`` with a provider: a reconnect the server refused for its
        credential drops that credential once (the next attempt fetches anew)."""
        await _error_cb(exc)
        provider = self.settings.credentials
        if provider is None or self._cred is None or _AUTH not in str(exc).lower():
            return
        if self._cred.secret != self._refused:
            self._refused = self._cred.secret
            provider.invalidate(self._cred)
        await self._refresh()

    @property
    def nc(self) -> Client:
        if self._nc is None:
            msg = "the nats backend is not open"
            raise RuntimeError(msg)
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            msg = "the nats backend is not open"
            raise RuntimeError(msg)
        return self._js

    async def publish_acks(self) -> PublishAcks:
        """The client's reply subscription for pipelined publishes (made on first use)."""
        if self._acks is None:
            async with self.setup_lock:
                if self._acks is None:
                    acks = PublishAcks(self.nc)
                    await acks.start()
                    self._acks = acks
        return self._acks

    async def open(self) -> None:
        kwargs: dict[str, Any] = self.config.connect_kwargs()
        error_cb = _error_cb
        provider = self.settings.credentials
        if provider is not None:  # prism.yaml names a credential provider: it replaces the URL's
            self._cred = await provider.get_async()
            for key in ("user", "password", "token"):
                kwargs.pop(key, None)
            # nats-py calls these at every CONNECT, the first and each reconnect's, so a
            # reconnect sends the credential the provider holds then (refreshed below)
            if self._cred.username is None:
                kwargs["token"] = self._secret
            else:
                kwargs["user"], kwargs["password"] = self._username, self._secret
            kwargs["disconnected_cb"] = self._refresh
            error_cb = self._error
        # nats-py retries the first connection like a reconnect (forever by default): bound it
        limit = max(2 * self.config.connect_timeout, 10.0)
        with translating(BACKEND, "open", translate):
            nc = Client()
            try:
                await asyncio.wait_for(nc.connect(**kwargs, error_cb=error_cb), limit)
            except BaseException as exc:
                # a failed connect leaves nats-py's transport open: close it here
                with contextlib.suppress(Exception):
                    await nc.close()
                if not isinstance(exc, TimeoutError):
                    raise
                msg = (
                    f"no NATS server of the connection answered within {limit:g} s (or it refused "
                    "the credentials); check the servers and credentials"
                )
                raise BackendUnavailableError(msg, backend=BACKEND, operation="open") from None
        self._nc, self._acks = nc, None
        self._js = nc.jetstream(timeout=self.config.request_timeout)
        self.inflight = asyncio.Semaphore(_MAX_INFLIGHT)

    async def close(self) -> None:
        nc, self._nc, self._js, self._acks = self._nc, None, None, None
        if nc is not None and not nc.is_closed:
            with contextlib.suppress(Exception):  # a dead connection cannot flush
                await nc.flush(timeout=2)
            await nc.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"
