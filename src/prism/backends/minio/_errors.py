"""Translation of minio SDK (and urllib3) exceptions into prism errors; the S3 error codes map
as for the s3 backend (``prism.backends._objects._errors.classify``):
NoSuchKey → KeyNotFoundError; NoSuchBucket / AccessDenied / InvalidAccessKeyId /
SignatureDoesNotMatch → ConfigurationError naming the bucket and the endpoint; throttling, 5xx
and connection errors (after urllib3's retries) → BackendUnavailableError."""

from __future__ import annotations

import urllib3.exceptions
from minio.error import (  # noqa: TID253 (backend-internal module)
    InvalidResponseError,
    MinioException,
    S3Error,
    ServerError,
)

from prism._redact import redact
from prism.backends._errors import Translate
from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._errors import classify
from prism.backends.minio._driver import DeleteFailed
from prism.errors import BackendUnavailableError, PrismError

__all__ = ["make_translate"]


def make_translate(config: ObjectConfig) -> Translate:
    """The translation for a backend over ``config``."""
    where = config.where

    def translate(exc: BaseException) -> PrismError | None:
        if isinstance(exc, S3Error):
            status = exc.response.status if exc.response is not None else None
            return classify("MinIO", str(exc.code), status, redact(str(exc.message)), where)
        if isinstance(exc, DeleteFailed):
            return classify("MinIO", exc.code, None, redact(str(exc)), where)
        if isinstance(exc, ServerError):
            return BackendUnavailableError(
                f"MinIO is unavailable for {where}: HTTP {exc.status_code}"
            )
        if isinstance(exc, InvalidResponseError):
            return BackendUnavailableError(f"MinIO gave an invalid response for {where}")
        if isinstance(exc, urllib3.exceptions.HTTPError):
            return BackendUnavailableError(
                f"MinIO at {config.endpoint_url or 'the AWS endpoint'} is unreachable "
                f"({type(exc).__name__}) after {config.max_attempts} attempt(s)"
            )
        if isinstance(exc, MinioException):
            return PrismError(f"unexpected MinIO client error for {where}: {type(exc).__name__}")
        return None

    return translate
