"""Credentials from a provider for the postgres backend (``prism.credentials``), both flavours.

The pool's ``kwargs`` is a callable, so every new connection asks the provider for the current
user name and password (psycopg_pool calls it per connection attempt; steady-state queries pay
nothing).  The connection class retries a connection the server refused for its password
(SQLSTATE 28P01 / 28000) once, after telling the provider to forget that credential; a second
refusal surfaces as the server's error, translated to ``ConfigurationError``.
Backend-internal: imported only by the backend modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import psycopg  # noqa: TID253 (backend-internal module)

from prism.credentials import Credential, CredentialProvider

__all__ = [
    "connect_kwargs",
    "connect_kwargs_async",
    "probe",
    "probe_async",
    "refreshing_connection",
    "refreshing_connection_async",
]

_REFUSED = ("28P01", "28000")


def _kwargs(base: dict[str, Any], cred: Credential) -> dict[str, Any]:
    kwargs = dict(base)
    kwargs["password"] = cred.secret
    if cred.username is not None:
        kwargs["user"] = cred.username
    return kwargs


def _refused(exc: psycopg.OperationalError) -> bool:
    if exc.sqlstate in _REFUSED:
        return True
    text = str(exc)
    return "password authentication failed" in text or "authentication failed" in text


def connect_kwargs(
    base: dict[str, Any], provider: CredentialProvider | None
) -> dict[str, Any] | Callable[[], dict[str, Any]]:
    """The pool's ``kwargs``: ``base``, or a callable adding the provider's credential."""
    if provider is None:
        return base
    return lambda: _kwargs(base, provider.get())


def connect_kwargs_async(
    base: dict[str, Any], provider: CredentialProvider | None
) -> dict[str, Any] | Callable[[], Awaitable[dict[str, Any]]]:
    """The async pool's ``kwargs`` (the provider is asked without blocking the loop)."""
    if provider is None:
        return base

    async def kwargs() -> dict[str, Any]:
        return _kwargs(base, await provider.get_async())

    return kwargs


def refreshing_connection(provider: CredentialProvider | None) -> type[psycopg.Connection[Any]]:
    """``psycopg.Connection``, or a subclass that refreshes a refused password once."""
    if provider is None:
        return psycopg.Connection
    source = provider

    class RefreshingConnection(psycopg.Connection[Any]):
        @classmethod
        def connect(cls, conninfo: str = "", **kwargs: Any) -> Any:
            try:
                return super().connect(conninfo, **kwargs)
            except psycopg.OperationalError as exc:
                if not _refused(exc):
                    raise
                source.invalidate()
                return super().connect(conninfo, **_kwargs(kwargs, source.get()))

    return RefreshingConnection


def refreshing_connection_async(
    provider: CredentialProvider | None,
) -> type[psycopg.AsyncConnection[Any]]:
    """The async form of :func:`refreshing_connection`."""
    if provider is None:
        return psycopg.AsyncConnection
    source = provider

    class RefreshingConnection(psycopg.AsyncConnection[Any]):
        @classmethod
        async def connect(cls, conninfo: str = "", **kwargs: Any) -> Any:
            try:
                return await super().connect(conninfo, **kwargs)
            except psycopg.OperationalError as exc:
                if not _refused(exc):
                    raise
                source.invalidate()
                fresh = await source.get_async()
                return await super().connect(conninfo, **_kwargs(kwargs, fresh))

    return RefreshingConnection


def probe(conninfo: str, base: dict[str, Any], provider: CredentialProvider) -> None:
    """Connect once, directly (a refused credential refreshed once, then raised)."""
    conn = refreshing_connection(provider).connect(conninfo, **_kwargs(base, provider.get()))
    conn.close()


async def probe_async(conninfo: str, base: dict[str, Any], provider: CredentialProvider) -> None:
    """The async form of :func:`probe`."""
    cred = await provider.get_async()
    conn = await refreshing_connection_async(provider).connect(conninfo, **_kwargs(base, cred))
    await conn.close()
