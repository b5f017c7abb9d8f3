"""S3 error codes to prism errors, written once for both drivers (each driver's ``_errors.py``
pulls the code, the HTTP status and the message out of its own exception type)."""

from __future__ import annotations

from prism.errors import (
    BackendUnavailableError,
    ConfigurationError,
    InvalidArgumentError,
    KeyNotFoundError,
    PrismError,
    ValueTooLargeError,
)

__all__ = ["classify"]

REFUSED = frozenset(
    {
        "NoSuchBucket", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
        "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled",
        "InvalidBucketName", "AccountProblem", "AuthorizationHeaderMalformed",
        "PermanentRedirect", "InvalidRegion", "403", "Forbidden", "MissingSecurityHeader",
    }
)  # fmt: skip
UNAVAILABLE = frozenset(
    {
        "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
        "RequestThrottled", "RequestTimeout", "RequestTimeTooSkewed", "ServiceUnavailable",
        "InternalError", "XMinioServerNotInitialized", "XMinioStorageFull",
    }
)  # fmt: skip


def classify(service: str, code: str, status: int | None, text: str, where: str) -> PrismError:
    """The prism error for S3 error ``code`` (HTTP ``status``), with the server's message
    ``text`` (already redacted) and ``where`` (bucket and endpoint)."""
    if code in ("NoSuchKey", "NoSuchObject"):
        return KeyNotFoundError(f"object not found in {where}")
    if code in REFUSED or status in (301, 403):
        return ConfigurationError(
            f"{service} refused the request to {where}: {code} ({text}); check the bucket name, "
            "the endpoint, the region and the credentials"
        )
    if code in UNAVAILABLE or (status is not None and status >= 500) or status == 429:
        return BackendUnavailableError(f"{service} is unavailable for {where}: {code} ({text})")
    if code == "EntityTooLarge":
        return ValueTooLargeError(f"{service} refused the object as too large: {text}")
    if code == "KeyTooLongError":
        return InvalidArgumentError(f"{service} refused the object name as too long: {text}")
    return PrismError(f"unexpected {service} error for {where}: {code} ({text})")
