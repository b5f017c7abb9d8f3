"""Translation of boto3 / botocore exceptions into prism errors (used through
:class:`~prism.backends._objects._store.ObjectStore`, so the original is always chained).

==========================================================  ======================================
botocore exception / S3 error code                          prism error
==========================================================  ======================================
NoSuchKey                                                   KeyNotFoundError
NoSuchBucket, AccessDenied, InvalidAccessKeyId,             ConfigurationError naming the bucket
SignatureDoesNotMatch, expired or invalid token, HTTP 403,  and the endpoint (never a secret)
no credentials, unknown profile
EntityTooLarge                                              ValueTooLargeError
SlowDown / throttling, RequestTimeout, HTTP 5xx,            BackendUnavailableError (after
connection refused / closed, timeouts                       botocore's own retries)
any other ClientError / BotoCoreError                       PrismError("unexpected ...")
==========================================================  ======================================
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from prism._redact import redact
from prism.backends._errors import Translate
from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._errors import classify
from prism.errors import BackendUnavailableError, ConfigurationError, PrismError

__all__ = ["make_translate"]

_CONNECTION = (
    EndpointConnectionError,
    ConnectionClosedError,
    ConnectTimeoutError,
    ReadTimeoutError,
    HTTPClientError,
)


def make_translate(config: ObjectConfig) -> Translate:
    """The translation for a backend over ``config`` (its messages name the bucket and the
    endpoint)."""
    where = config.where

    def translate(exc: BaseException) -> PrismError | None:
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = str(error.get("Code") or status or "")
            text = redact(str(error.get("Message") or code))
            return classify("S3", code, status if isinstance(status, int) else None, text, where)
        if isinstance(exc, _CONNECTION):
            return BackendUnavailableError(
                f"S3 at {config.endpoint_url or 'the AWS endpoint'} is unreachable "
                f"({type(exc).__name__}) after {config.max_attempts} attempt(s)"
            )
        if isinstance(exc, NoCredentialsError | PartialCredentialsError | ProfileNotFound):
            return ConfigurationError(
                f"no usable credentials for {where} ({type(exc).__name__}); give access_key and "
                "secret_key, a profile, or set up the AWS default chain"
            )
        if isinstance(exc, BotoCoreError):
            return PrismError(f"unexpected S3 client error for {where}: {type(exc).__name__}")
        return None

    return translate
