"""SASL PLAIN / SCRAM credentials that rotate under live Kafka clients.

librdkafka keeps the ``sasl.username`` / ``sasl.password`` a client was made with;
``set_sasl_credentials`` (on Producer, Consumer and AdminClient) replaces them, and librdkafka
uses the new pair the next time that client authenticates to a broker (a new or re-established
connection; it does not drop connections already authenticated).  :class:`SaslRotation` keeps
every live client of a backend on the provider's current credential:

* when a client is made (:meth:`SaslRotation.make`) the provider is asked (a ``file`` provider
  ``stat``\\s its file): a changed credential is pushed to every live client, and the new one is
  made with it;
* when librdkafka reports an authentication failure to ``error_cb``, the provider forgets the
  rejected credential and fetches once; a new credential is pushed to every live client.  When
  the fetched credential is rejected too, the provider is only asked as usual (its cache, a
  ``stat``), never forced again: at most one forced fetch per rejected credential, no refresh
  loop (librdkafka keeps reconnecting with its own backoff).

``set_sasl_credentials`` is never called inside ``error_cb`` (a client's method called from
its own callback aborts the process: SIGABRT in confluent-kafka's poll, seen in
tests/backends/test_kafka_sasl_rotation.py); the push runs on a short thread instead.  Nothing
is logged from ``error_cb``; librdkafka logs the authentication failure itself.

OAUTHBEARER needs none of this: librdkafka asks ``oauth_cb`` itself before the token expires.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from confluent_kafka import KafkaError  # noqa: TID253 (backend-internal module)

from prism.backends.kafka._config import KafkaConfig
from prism.credentials import Credential, CredentialProvider
from prism.errors import PrismError

__all__ = ["SaslRotation"]

_AUTH_FAILED = frozenset({KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED})


class _SaslClient(Protocol):
    def set_sasl_credentials(self, username: str, password: str) -> None: ...


C = TypeVar("C", bound=_SaslClient)


class SaslRotation:
    """The SASL credential of one backend's clients (a no-op without a provider)."""

    def __init__(self, provider: CredentialProvider | None = None) -> None:
        self.provider = provider
        self._lock = threading.Lock()
        self._clients: list[_SaslClient] = []
        self._applied: Credential | None = provider.get() if provider is not None else None
        self._refreshed: Credential | None = None
        self.failures = 0
        """Refreshes whose fetch failed (nothing is logged from librdkafka's callback: see
        the module docstring)."""
        self._refreshing = threading.Lock()
        self.pushes = 0
        """How many times a new credential went to the live clients (for tests)."""

    @classmethod
    def wire(
        cls, config: KafkaConfig, provider: CredentialProvider | None
    ) -> tuple[KafkaConfig, SaslRotation]:
        """``config`` (already through ``with_credentials``) with ``error_cb`` added, and the
        rotation of its clients; a no-op rotation unless the provider gives a SASL PLAIN or
        SCRAM user name and password (OAUTHBEARER refreshes through ``oauth_cb``)."""
        if provider is None or "sasl.username" not in config.client:
            return config, cls()
        rotation = cls(provider)
        client = {**config.client, "error_cb": rotation.on_error}
        return dataclasses.replace(config, client=client), rotation

    def make(self, factory: Callable[[dict[str, Any]], C], config: Mapping[str, Any]) -> C:
        """``factory(config)`` with the provider's current credential in it, kept current."""
        if self.provider is None:
            return factory(dict(config))
        cred = self.check()
        client = factory({**config, "sasl.username": cred.username, "sasl.password": cred.secret})
        with self._lock:
            self._clients.append(client)
        return client

    def check(self, *, push: bool = True) -> Credential:
        """Ask the provider; a credential that changed goes to every live client (on a
        thread of its own when ``push`` is false)."""
        assert self.provider is not None
        cred = self.provider.get()
        with self._lock:
            applied, self._applied = self._applied, cred
            if applied is cred or (
                applied is not None
                and (applied.username, applied.secret) == (cred.username, cred.secret)
            ):
                return cred
            self.pushes += 1
        if push:
            self._push(cred)
        else:
            threading.Thread(target=self._push, args=(cred,), daemon=True).start()
        return cred

    def _push(self, cred: Credential) -> None:
        with self._lock:
            if cred is not self._applied:  # a newer one was applied meanwhile
                return
            live = []
            for client in self._clients:
                try:
                    client.set_sasl_credentials(cred.username or "", cred.secret)
                except RuntimeError:  # a closed consumer: forget it
                    continue
                live.append(client)
            self._clients = live

    def on_error(self, error: KafkaError) -> None:
        """librdkafka's ``error_cb``: a rejected credential is fetched anew once; when the one
        fetched is rejected too, the provider is only asked as usual (a replaced file, an
        expired token are still picked up), never forced again.

        The new credential goes to the clients from a thread of its own: a client's method
        called inside that client's own callback aborts the process (confluent-kafka)."""
        if self.provider is None or error.code() not in _AUTH_FAILED:
            return
        with self._refreshing:
            rejected = self._applied
            try:
                if rejected is not None and rejected is self._refreshed:
                    self.check(push=False)
                    return
                self.provider.invalidate(rejected)
                self._refreshed = self.check(push=False)
            except PrismError:  # the source failed: librdkafka keeps retrying the old one
                self.failures += 1

    def forget(self) -> None:
        """Drop every client (the backend closed them)."""
        with self._lock:
            self._clients = []
