"""Translation of confluent-kafka errors into prism errors (always chained).

===================================================================  ==========================
librdkafka error                                                     prism error
===================================================================  ==========================
``_ALL_BROKERS_DOWN``, ``_TRANSPORT``, ``_TIMED_OUT``, ``_MSG_TIMED_OUT``,  BackendUnavailableError
``_RESOLVE``, ``NOT_COORDINATOR``, ``COORDINATOR_NOT_AVAILABLE``,
``LEADER_NOT_AVAILABLE``, ``NOT_LEADER_FOR_PARTITION``
``MSG_SIZE_TOO_LARGE``, ``RECORD_LIST_TOO_LARGE``                        ValueTooLargeError
``*_AUTHORIZATION_FAILED``, ``SASL_AUTHENTICATION_FAILED``,           ConfigurationError
``_AUTHENTICATION``, ``_SSL``, ``_INVALID_ARG``
``_UNSUPPORTED_FEATURE``, ``UNSUPPORTED_VERSION`` (the broker lacks      UnsupportedError
the request: an old Kafka, or a Kafka-protocol broker that is not one)
anything else from confluent-kafka                                   PrismError
===================================================================  ==========================
"""

from __future__ import annotations

from confluent_kafka import KafkaError, KafkaException  # noqa: TID253 (backend-internal module)

from prism._redact import redact
from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    PrismError,
    UnsupportedError,
    ValueTooLargeError,
)

__all__ = ["error_of", "translate"]

_UNAVAILABLE = frozenset(
    {
        KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT, KafkaError._TIMED_OUT,
        KafkaError._MSG_TIMED_OUT, KafkaError._RESOLVE, KafkaError.NOT_COORDINATOR,
        KafkaError.COORDINATOR_NOT_AVAILABLE, KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.REQUEST_TIMED_OUT,
        KafkaError.NETWORK_EXCEPTION, KafkaError._DESTROY,
    }
)  # fmt: skip
_UNSUPPORTED = frozenset({KafkaError._UNSUPPORTED_FEATURE, KafkaError.UNSUPPORTED_VERSION})
_TOO_LARGE = frozenset({KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.RECORD_LIST_TOO_LARGE})
_REFUSED = frozenset(
    {
        KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.GROUP_AUTHORIZATION_FAILED,
        KafkaError.CLUSTER_AUTHORIZATION_FAILED, KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        KafkaError.SASL_AUTHENTICATION_FAILED, KafkaError._AUTHENTICATION, KafkaError._SSL,
        KafkaError._INVALID_ARG, KafkaError.ILLEGAL_SASL_STATE,
        KafkaError.UNSUPPORTED_SASL_MECHANISM,
    }
)  # fmt: skip


def error_of(error: KafkaError) -> PrismError:
    """The prism error for one librdkafka error (a delivery report's, a future's)."""
    code = error.code()
    text = redact(str(error.str()))
    if code in _UNAVAILABLE:
        return BackendUnavailableError(f"Kafka is unavailable: {text}", backend="kafka")
    if code in _TOO_LARGE:
        return ValueTooLargeError(f"record too large for Kafka: {text}", backend="kafka")
    if code in _REFUSED:
        return ConfigurationError(
            f"Kafka refused the client ({text}); check security.protocol, the SASL mechanism "
            "and credentials, the TLS files and the ACLs of the topic and group prefixes",
            backend="kafka",
        )
    if code in _UNSUPPORTED:
        return UnsupportedError(f"the Kafka broker does not support this: {text}", backend="kafka")
    return PrismError(f"unexpected Kafka error: {text}", backend="kafka")


def translate(exc: BaseException) -> PrismError | None:
    """The prism error for a confluent-kafka exception; None when it is not one."""
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        return error_of(exc.args[0])
    if isinstance(exc, KafkaException):
        return PrismError(f"unexpected Kafka error: {redact(str(exc))}", backend="kafka")
    return None
