"""prism's credential provider as a minio-py credentials provider.

minio-py asks its provider (``Minio(credentials=...)``) for credentials on every request it
signs (``Minio._url_open`` calls ``retrieve()`` before building the SigV4 headers) and keeps no
copy of its own.  So a rotated credential -- a replaced credential file, a token near its
expiry -- is signed with on the next request, by the live client and by a new one alike.
prism's provider caches the credential and fetches again only when it is stale, so a request
costs a lock and the provider's staleness check (a ``stat`` of the file for ``file``); the
minio ``Credentials`` object is rebuilt only when the prism credential changed.
"""

from __future__ import annotations

import datetime as dt
import threading

from minio.credentials.credentials import Credentials  # noqa: TID253 (backend-internal module)
from minio.credentials.providers import Provider  # noqa: TID253

from prism.credentials import Credential, CredentialProvider
from prism.errors import ConfigurationError

__all__ = ["MinioCredentials"]


class MinioCredentials(Provider):
    """The access key id is the credential's user name, the secret key its secret and the
    session token ``extra['session_token']``; its ``expires_at`` becomes the expiration."""

    def __init__(self, provider: CredentialProvider) -> None:
        self.provider = provider
        self._lock = threading.Lock()
        self._last: tuple[Credential, Credentials] | None = None

    def retrieve(self) -> Credentials:
        cred = self.provider.get()
        last = self._last
        if last is not None and last[0] is cred:
            return last[1]
        if not cred.username:
            msg = (
                f"the credentials from {self.provider.describe()} have no user name: minio "
                "needs the access key id as the credential's username"
            )
            raise ConfigurationError(msg)
        expires = (
            None
            if cred.expires_at is None
            else dt.datetime.fromtimestamp(cred.expires_at, dt.UTC).replace(tzinfo=None)
        )
        converted = Credentials(
            access_key=cred.username,
            secret_key=cred.secret,
            session_token=cred.extra.get("session_token"),
            expiration=expires,
        )
        with self._lock:
            self._last = (cred, converted)
        return converted

    def __repr__(self) -> str:
        return f"MinioCredentials({self.provider!r})"
