"""kafka's connection settings, checked without connecting (``prism validate``).

The connection is ``kafka://host:port[,host:port...]`` (``bootstrap.servers``); ``options:``
takes prism's own settings (:data:`PRISM_OPTIONS`) and the usual client settings by name
(``security_protocol``, ``sasl_mechanism``, ``sasl_username``, ``sasl_password``,
``ssl_ca_location``, ``ssl_certificate_location``, ``ssl_key_location``, ``ssl_key_password``,
``client_id``, ``sasl_oauthbearer_*``); any other librdkafka setting goes under
``options: {librdkafka: {"setting.name": value}}``.  Nothing here imports confluent-kafka, and no
error text or repr shows a secret.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prism._redact import redact
from prism.credentials import CredentialProvider
from prism.errors import ConfigurationError

__all__ = ["KafkaConfig", "parse_config"]

CLIENT_OPTIONS = {
    "security_protocol": "security.protocol",
    "sasl_mechanism": "sasl.mechanism",
    "sasl_username": "sasl.username",
    "sasl_password": "sasl.password",
    "sasl_oauthbearer_method": "sasl.oauthbearer.method",
    "sasl_oauthbearer_client_id": "sasl.oauthbearer.client.id",
    "sasl_oauthbearer_client_secret": "sasl.oauthbearer.client.secret",
    "sasl_oauthbearer_token_endpoint_url": "sasl.oauthbearer.token.endpoint.url",
    "sasl_oauthbearer_scope": "sasl.oauthbearer.scope",
    "sasl_oauthbearer_config": "sasl.oauthbearer.config",
    "ssl_ca_location": "ssl.ca.location",
    "ssl_certificate_location": "ssl.certificate.location",
    "ssl_key_location": "ssl.key.location",
    "ssl_key_password": "ssl.key.password",
    "client_id": "client.id",
}
"""prism option name → librdkafka setting (passed through unchanged)."""

SECRET_SETTINGS = frozenset(
    {"sasl.password", "ssl.key.password", "sasl.oauthbearer.client.secret",
     "sasl.oauthbearer.config", "ssl.keystore.password", "ssl.key.pem"}
)  # fmt: skip

PRISM_OPTIONS = (
    "topic_prefix", "group_prefix", "create_topics", "partitions", "replication_factor",
    "timeout", "librdkafka", "mock_control",
)  # fmt: skip

_SCHEME = "kafka://"
_LEGAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def _secret(name: str) -> bool:
    return name in SECRET_SETTINGS or "password" in name or "secret" in name


@dataclass(frozen=True)
class KafkaConfig:
    """What the backend connects with.  ``repr`` never shows a secret."""

    bootstrap: str
    client: Mapping[str, Any] = field(default_factory=dict, repr=False)
    """librdkafka settings shared by every client (security, SASL, TLS, client id, extras)."""
    topic_prefix: str = "prism"
    group_prefix: str = "prism"
    create_topics: bool = True
    partitions: int = 1
    replication_factor: int = -1
    timeout: float = 10.0
    mock_control: str | None = None
    """The topic endpoint of prism's librdkafka mock-cluster harness (testing only): the mock
    has no admin API, so topics are created through it."""

    def __repr__(self) -> str:
        shown = {k: ("***" if _secret(k) else v) for k, v in self.client.items()}
        return (
            f"KafkaConfig(bootstrap={self.bootstrap!r}, client={shown!r}, "
            f"topic_prefix={self.topic_prefix!r}, group_prefix={self.group_prefix!r})"
        )


def _bad(message: str) -> ConfigurationError:
    return ConfigurationError(message, backend="kafka")


def _prefix(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value or not set(value) <= _LEGAL or len(value) > 40:
        msg = (
            f"option {name!r} must be 1 to 40 characters of letters, digits and '-' "
            f"(a Kafka topic and group prefix), got {value!r}"
        )
        raise _bad(msg)
    return value


def parse_config(
    backend: str, connection: str | None, options: Mapping[str, Any] | None
) -> KafkaConfig:
    """Check the connection and options; raise ``ConfigurationError`` naming what is wrong."""
    del backend
    options = dict(options or {})
    if not connection:
        msg = "the kafka backend needs a connection: kafka://host:port[,host:port...]"
        raise _bad(msg)
    if not connection.startswith(_SCHEME):
        msg = f"a kafka connection starts with {_SCHEME!r}, got {redact(connection)!r}"
        raise _bad(msg)
    hosts = connection[len(_SCHEME) :].strip("/")
    servers = [h for h in hosts.split(",") if h]
    if not servers or any(":" not in h or not h.rsplit(":", 1)[1].isdigit() for h in servers):
        msg = f"kafka://host:port[,host:port...] expected, got {redact(connection)!r}"
        raise _bad(msg)
    client: dict[str, Any] = {}
    for name, setting in CLIENT_OPTIONS.items():
        if name in options:
            client[setting] = options.pop(name)
    extra = options.pop("librdkafka", None) or {}
    if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
        msg = "option 'librdkafka' must be a mapping of librdkafka setting names to values"
        raise _bad(msg)
    client.update(extra)
    unknown = sorted(set(options) - set(PRISM_OPTIONS))
    if unknown:
        allowed = ", ".join([*PRISM_OPTIONS, *CLIENT_OPTIONS])
        msg = f"unknown kafka option(s) {', '.join(unknown)}; allowed: {allowed}"
        raise _bad(msg)
    partitions = options.get("partitions", 1)
    replication = options.get("replication_factor", -1)
    timeout = options.get("timeout", 10.0)
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        msg = f"option 'partitions' must be an int >= 1, got {partitions!r}"
        raise _bad(msg)
    if isinstance(replication, bool) or not isinstance(replication, int) or replication == 0:
        msg = f"option 'replication_factor' must be an int >= 1 (or -1: the broker's default), got {replication!r}"
        raise _bad(msg)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        msg = f"option 'timeout' must be seconds > 0, got {timeout!r}"
        raise _bad(msg)
    create = options.get("create_topics", True)
    if not isinstance(create, bool):
        msg = f"option 'create_topics' must be true or false, got {create!r}"
        raise _bad(msg)
    control = options.get("mock_control")
    if control is not None and not isinstance(control, str):
        msg = "option 'mock_control' must be a URL string"
        raise _bad(msg)
    return KafkaConfig(
        bootstrap=",".join(servers),
        client=client,
        topic_prefix=_prefix("topic_prefix", options.get("topic_prefix", "prism")),
        group_prefix=_prefix("group_prefix", options.get("group_prefix", "prism")),
        create_topics=create,
        partitions=partitions,
        replication_factor=replication,
        timeout=float(timeout),
        mock_control=control,
    )


_OAUTH_SETTINGS = (
    "sasl.oauthbearer.method",
    "sasl.oauthbearer.client.id",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.token.endpoint.url",
    "sasl.oauthbearer.scope",
    "sasl.oauthbearer.config",
)


def with_credentials(config: KafkaConfig, provider: CredentialProvider) -> KafkaConfig:
    """``config`` with a ``prism.yaml`` credential provider wired in.

    With ``sasl_mechanism: OAUTHBEARER`` the provider's secret is the bearer token, handed to
    librdkafka through ``oauth_cb``, which librdkafka calls again before the token expires (so a
    refreshed token reaches a running client).  With PLAIN or SCRAM the provider's user name and
    secret become ``sasl.username`` / ``sasl.password`` of the clients made at open.
    """
    client = dict(config.client)
    mechanism = str(client.get("sasl.mechanism", "")).upper()
    if mechanism == "OAUTHBEARER":
        for key in _OAUTH_SETTINGS:
            client.pop(key, None)

        def oauth_cb(_settings: str) -> tuple[str, float]:
            cred = provider.get()
            expires = cred.expires_at if cred.expires_at is not None else time.time() + 3600
            return cred.secret, expires

        client["oauth_cb"] = oauth_cb
    else:
        cred = provider.get()
        if cred.username is None:
            msg = (
                f"the kafka credentials ({provider.describe()}) give no user name: SASL "
                f"{mechanism or 'PLAIN'} needs one (or set sasl_mechanism: OAUTHBEARER for a token)"
            )
            raise ConfigurationError(msg)
        client["sasl.username"], client["sasl.password"] = cred.username, cred.secret
    return dataclasses.replace(config, client=client)
