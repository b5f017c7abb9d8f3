"""Credentials that can rotate while the application runs.

A backend entry (or a namespace, overriding its backend's) in ``prism.yaml`` may name a
*credential provider* instead of putting a password into its connection string::

    backends:
      cache:
        type: redis
        connection: redis://redis.internal:6379/0
        credentials: {provider: file, path: /var/run/secrets/redis/password, username: app}

Every provider hands out a :class:`Credential` — a user name (or none), a secret (password or
token) and, when the source says so, the moment it expires — and caches it:

=================  ========================================================================
``static``         the values written in the configuration (``${VAR}`` expanded by the loader)
``file``           read from a file, and read again whenever the file changes (a mounted
                   Kubernetes secret is replaced by a new file: inode, size and mtime are
                   compared on each connect, a ``stat`` and no read)
``command``        the output of an external program (plain text, or JSON with ``username``,
                   ``password`` / ``token`` and ``expires_at`` / ``expires_in``), run again when
                   the credential expires or after ``ttl`` seconds
``oidc``           an OAuth 2 client-credentials token from a token endpoint, cached in a 0600
                   file under the user's cache directory and fetched again ``refresh_margin``
                   seconds before it expires
``aws``            the AWS default credential chain of botocore (environment, profile, SSO,
                   container or instance role), refreshed by botocore itself
=================  ========================================================================

Backends ask a provider for its credential when they open a connection — never per operation —
so steady-state calls pay nothing.  A credential the server rejects is reported back with
:meth:`CredentialProvider.invalidate`; the next connection attempt fetches a fresh one.  A
backend retries such a rejection at most once per credential, so a wrong secret fails fast with
:class:`~prism.errors.ConfigurationError` instead of looping.

Secrets never appear in a ``repr``, a log line or an error message: :class:`Credential` hides
its secret, providers describe themselves by their source (a path, a program's name, a token
endpoint), and a failing command or endpoint is reported by its status, not by its output.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shlex
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from prism._redact import redact
from prism.errors import BackendUnavailableError, ConfigurationError

__all__ = [
    "AwsCredentials",
    "AwsProvider",
    "CommandCredentials",
    "CommandProvider",
    "Credential",
    "CredentialProvider",
    "CredentialsConfig",
    "FileCredentials",
    "FileProvider",
    "OIDCCredentials",
    "OIDCProvider",
    "StaticCredentials",
    "StaticProvider",
    "provider_for",
]

Clock = Callable[[], float]


@dataclass(frozen=True)
class Credential:
    """A user name (or ``None``), a secret and, when known, its expiry (seconds since the
    epoch).  ``extra`` holds what some servers need besides (an AWS session token)."""

    username: str | None
    secret: str = field(repr=False)
    expires_at: float | None = None
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"Credential(username={self.username!r}, secret='***', expires_at={self.expires_at!r})"
        )


class CredentialProvider(ABC):
    """Hands out a cached :class:`Credential`, fetching a fresh one when it is stale.

    Thread-safe; :meth:`get_async` never blocks the event loop on a fetch.  Subclasses implement
    :meth:`_fetch` and may refine :meth:`_stale`.
    """

    refresh_margin: float
    """Seconds before ``expires_at`` at which a credential counts as stale."""

    def __init__(self, *, refresh_margin: float = 60.0, clock: Clock = time.time) -> None:
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: Credential | None = None
        self.fetches = 0
        """How many times the source was read (for tests and the ``prism`` logger)."""

    # -- the provider's source -------------------------------------------------------------
    @abstractmethod
    def _fetch(self) -> Credential:
        """Read the source; raise ConfigurationError / BackendUnavailableError on failure."""

    @abstractmethod
    def describe(self) -> str:
        """Where the credential comes from, with no secret in it."""

    def _stale(self, cached: Credential) -> bool:
        expires = cached.expires_at
        return expires is not None and self.clock() >= expires - self.refresh_margin

    # -- what backends call ----------------------------------------------------------------
    def peek(self) -> Credential | None:
        """The cached credential if it is still fresh, without touching the source."""
        cached = self._cached
        return cached if cached is not None and not self._stale(cached) else None

    def get(self) -> Credential:
        """The current credential (fetched when none is cached or the cached one is stale)."""
        with self._lock:
            cached = self._cached
            if cached is None or self._stale(cached):
                cached = self._fetch()
                self.fetches += 1
                self._cached = cached
            return cached

    async def get_async(self) -> Credential:
        """:meth:`get` for coroutines: a fresh cached credential at once, a fetch on a thread."""
        cached = self.peek()
        if cached is not None:
            return cached
        return await asyncio.to_thread(self.get)

    def invalidate(self, rejected: Credential | None = None) -> bool:
        """The server rejected ``rejected`` (or the current credential): forget it, so the next
        :meth:`get` fetches anew.  Returns False when ``rejected`` was already replaced."""
        with self._lock:
            if rejected is not None and self._cached is not rejected:
                return False
            self._cached = None
            return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


class StaticProvider(CredentialProvider):
    """The values of the configuration itself."""

    def __init__(self, secret: str, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._credential = Credential(username, secret)

    def _fetch(self) -> Credential:
        return self._credential

    def describe(self) -> str:
        return f"static, user {self._credential.username!r}"


def _parse_document(text: str, where: str, clock: Clock) -> Credential:
    """A JSON credential document: ``username``, ``password`` or ``token``, ``expires_at``
    (epoch seconds) or ``expires_in`` (seconds from now)."""
    try:
        doc = json.loads(text)
    except ValueError:
        msg = f"{where} is not a JSON object (format: json expects one)"
        raise ConfigurationError(msg) from None
    if not isinstance(doc, dict):
        msg = f"{where} is not a JSON object (format: json expects one)"
        raise ConfigurationError(msg)
    secret = doc.get("password", doc.get("token"))
    if not isinstance(secret, str) or not secret:
        msg = f"{where} has no non-empty string 'password' or 'token'"
        raise ConfigurationError(msg)
    username = doc.get("username")
    if username is not None and not isinstance(username, str):
        msg = f"{where}: 'username' must be a string"
        raise ConfigurationError(msg)
    expires_at = doc.get("expires_at")
    if expires_at is None and isinstance(doc.get("expires_in"), int | float):
        expires_at = clock() + float(doc["expires_in"])
    if expires_at is not None and not isinstance(expires_at, int | float):
        msg = f"{where}: 'expires_at' must be seconds since the epoch"
        raise ConfigurationError(msg)
    return Credential(username, secret, None if expires_at is None else float(expires_at))


class FileProvider(CredentialProvider):
    """A secret read from a file, read again whenever the file is replaced or rewritten."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        username: str | None = None,
        format: Literal["text", "json"] = "text",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.path = Path(path)
        self.username = username
        self.format = format
        self._seen: tuple[int, int, int] | None = None

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _stale(self, cached: Credential) -> bool:
        return super()._stale(cached) or self._signature() != self._seen

    def _fetch(self) -> Credential:
        seen = self._signature()
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            msg = f"cannot read the credential file {str(self.path)!r}: {exc.strerror}"
            raise ConfigurationError(msg) from None
        self._seen = seen
        if self.format == "json":
            cred = _parse_document(text, f"credential file {str(self.path)!r}", self.clock)
            if cred.username is None and self.username is not None:
                cred = Credential(self.username, cred.secret, cred.expires_at)
            return cred
        secret = text.strip()
        if not secret:
            msg = f"the credential file {str(self.path)!r} is empty"
            raise ConfigurationError(msg)
        return Credential(self.username, secret)

    def describe(self) -> str:
        return f"file {str(self.path)!r}"


class CommandProvider(CredentialProvider):
    """The output of an external program (a vault CLI, ``aws rds generate-db-auth-token``...)."""

    def __init__(
        self,
        command: list[str],
        username: str | None = None,
        format: Literal["text", "json"] = "text",
        ttl: float = 300.0,
        timeout: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not command:
            msg = "credentials.command must name a program to run"
            raise ConfigurationError(msg)
        self.command = list(command)
        self.username = username
        self.format = format
        self.ttl = ttl
        self.timeout = timeout
        self._own_expiry = True

    def _fetch(self) -> Credential:
        import subprocess

        name = Path(self.command[0]).name
        try:
            done = subprocess.run(
                self.command,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            msg = f"the credential command {name!r} was not found"
            raise ConfigurationError(msg) from None
        except subprocess.TimeoutExpired:
            msg = f"the credential command {name!r} did not finish within {self.timeout} s"
            raise BackendUnavailableError(msg) from None
        if done.returncode != 0:
            # its output may hold a secret: report the status only
            msg = f"the credential command {name!r} failed with exit status {done.returncode}"
            raise ConfigurationError(msg)
        if self.format == "json":
            cred = _parse_document(done.stdout, f"output of {name!r}", self.clock)
            username = cred.username if cred.username is not None else self.username
        else:
            secret = done.stdout.strip()
            if not secret:
                msg = f"the credential command {name!r} printed nothing"
                raise ConfigurationError(msg)
            cred, username = Credential(self.username, secret), self.username
        self._own_expiry = cred.expires_at is None
        expires = cred.expires_at if cred.expires_at is not None else self.clock() + self.ttl
        return Credential(username, cred.secret, expires)

    def _stale(self, cached: Credential) -> bool:
        if self._own_expiry:  # our ttl, not the source's expiry: no margin before it
            return cached.expires_at is not None and self.clock() >= cached.expires_at
        return super()._stale(cached)

    def describe(self) -> str:
        return f"command {shlex.quote(Path(self.command[0]).name)}"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prism"


class OIDCProvider(CredentialProvider):
    """OAuth 2 client credentials (RFC 6749 §4.4) from a token endpoint, cached on disk."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: list[str] | None = None,
        audience: str | None = None,
        username: str | None = None,
        cache: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        parts = urllib.parse.urlsplit(token_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            msg = f"credentials.token_url must be an http(s) URL, got {redact(token_url)!r}"
            raise ConfigurationError(msg)
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scopes = list(scopes or [])
        self.audience = audience
        self.username = username
        self.timeout = timeout
        self.cache_file: Path | None = None
        if cache:
            ident = json.dumps([token_url, client_id, sorted(self.scopes), audience])
            digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
            folder = Path(cache_dir) if cache_dir is not None else _cache_dir()
            self.cache_file = folder / f"oidc-{digest}.json"

    def _read_cache(self) -> Credential | None:
        if self.cache_file is None:
            return None
        try:
            st = self.cache_file.stat()
            if st.st_mode & 0o077:  # someone else could read it: do not trust it
                return None
            doc = json.loads(self.cache_file.read_text(encoding="utf-8"))
            cred = Credential(self.username, str(doc["token"]), float(doc["expires_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return None if self._stale(cred) else cred

    def _write_cache(self, cred: Credential) -> None:
        if self.cache_file is None:
            return
        import tempfile

        folder = self.cache_file.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".oidc-", dir=folder)  # created 0600
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"token": cred.secret, "expires_at": cred.expires_at}, fh)
            Path(tmp).replace(self.cache_file)
        except OSError:
            return  # a cache that cannot be written costs a fetch per process, nothing more

    def _request(self) -> Credential:
        import urllib.error
        import urllib.request

        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        if self.audience:
            form["audience"] = self.audience
        request = urllib.request.Request(
            self.token_url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        where = f"the token endpoint {redact(self.token_url)}"
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response's socket
            if exc.code in (400, 401, 403):
                msg = f"{where} refused the client credentials of {self.client_id!r} ({exc.code})"
                raise ConfigurationError(msg) from None
            msg = f"{where} answered {exc.code}"
            raise BackendUnavailableError(msg) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = f"{where} is unreachable: {type(reason).__name__}"
            raise BackendUnavailableError(msg) from None
        try:
            doc = json.loads(body)
            token = doc["access_token"]
            expires_in = float(doc.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            msg = f"{where} did not answer with an access_token"
            raise BackendUnavailableError(msg) from None
        if not isinstance(token, str) or not token:
            msg = f"{where} did not answer with an access_token"
            raise BackendUnavailableError(msg)
        return Credential(self.username, token, self.clock() + expires_in)

    def _fetch(self) -> Credential:
        cached = self._read_cache()
        if cached is not None:
            return cached
        cred = self._request()
        self._write_cache(cred)
        return cred

    def invalidate(self, rejected: Credential | None = None) -> bool:
        done = super().invalidate(rejected)
        if done and self.cache_file is not None:
            self.cache_file.unlink(missing_ok=True)
        return done

    def describe(self) -> str:
        return f"oidc {redact(self.token_url)}, client {self.client_id!r}"


class AwsProvider(CredentialProvider):
    """The AWS default chain through botocore (which refreshes temporary credentials itself).

    ``username`` is the access key id, ``secret`` the secret key, ``extra['session_token']``
    the session token of temporary credentials.
    """

    def __init__(self, profile: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile = profile
        self._source: Any = None

    def _stale(self, cached: Credential) -> bool:
        return True  # botocore caches and refreshes; ask it each time (a connect, not a call)

    def _fetch(self) -> Credential:
        if self._source is None:
            try:
                import botocore.session
            except ImportError:
                msg = "credentials provider 'aws' needs botocore: pip install 'prism[s3]'"
                raise ConfigurationError(msg) from None
            session = botocore.session.Session(profile=self.profile)
            self._source = session.get_credentials()
            if self._source is None:
                msg = "the AWS default credential chain found no credentials"
                raise ConfigurationError(msg)
        frozen = self._source.get_frozen_credentials()
        extra = {"session_token": frozen.token} if frozen.token else {}
        return Credential(frozen.access_key, frozen.secret_key, None, extra)

    def describe(self) -> str:
        return f"aws default chain, profile {self.profile or 'default'!r}"


# -- configuration (prism.yaml) --------------------------------------------------------------


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    refresh_margin: float = Field(default=60.0, ge=0)


class StaticCredentials(_Config):
    """``{provider: static, username: app, password: ${APP_PASSWORD}}``."""

    provider: Literal["static"]
    username: str | None = None
    password: str = Field(min_length=1, repr=False)

    def build(self) -> CredentialProvider:
        return StaticProvider(self.password, self.username, refresh_margin=self.refresh_margin)


class FileCredentials(_Config):
    """``{provider: file, path: /run/secrets/pw, username: app, format: text}``."""

    provider: Literal["file"]
    path: str = Field(min_length=1)
    username: str | None = None
    format: Literal["text", "json"] = "text"

    def build(self) -> CredentialProvider:
        return FileProvider(
            self.path, self.username, self.format, refresh_margin=self.refresh_margin
        )


class CommandCredentials(_Config):
    """``{provider: command, command: [vault, read, -field=password, secret/app]}``."""

    provider: Literal["command"]
    command: list[str] = Field(min_length=1)
    username: str | None = None
    format: Literal["text", "json"] = "text"
    ttl: float = Field(default=300.0, gt=0)
    timeout: float = Field(default=30.0, gt=0)

    def build(self) -> CredentialProvider:
        return CommandProvider(
            self.command,
            self.username,
            self.format,
            self.ttl,
            self.timeout,
            refresh_margin=self.refresh_margin,
        )


class OIDCCredentials(_Config):
    """``{provider: oidc, token_url: https://idp/token, client_id: app, client_secret: ...}``."""

    provider: Literal["oidc"]
    token_url: str
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1, repr=False)
    scopes: list[str] = []
    audience: str | None = None
    username: str | None = None
    cache: bool = True
    cache_dir: str | None = None
    timeout: float = Field(default=10.0, gt=0)

    def build(self) -> CredentialProvider:
        return OIDCProvider(
            self.token_url,
            self.client_id,
            self.client_secret,
            self.scopes,
            self.audience,
            self.username,
            self.cache,
            self.cache_dir,
            self.timeout,
            refresh_margin=self.refresh_margin,
        )


class AwsCredentials(_Config):
    """``{provider: aws, profile: prod}`` — the AWS default chain."""

    provider: Literal["aws"]
    profile: str | None = None

    def build(self) -> CredentialProvider:
        return AwsProvider(self.profile, refresh_margin=self.refresh_margin)


CredentialsConfig = Annotated[
    StaticCredentials | FileCredentials | CommandCredentials | OIDCCredentials | AwsCredentials,
    Field(discriminator="provider"),
]
"""The ``credentials:`` field of a backend entry or a namespace in ``prism.yaml``."""

_providers: dict[str, CredentialProvider] = {}
_providers_lock = threading.Lock()


def provider_for(config: BaseModel) -> CredentialProvider:
    """The process's one provider for ``config`` (equal configurations share a provider, and
    therefore a cached credential and a backend connection)."""
    key = type(config).__name__ + config.model_dump_json()
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = config.build()  # type: ignore[attr-defined]
        return provider
