"""The errors the patterns raise (all :class:`~prism.errors.PrismError` subclasses)."""

from __future__ import annotations

from prism.errors import NotFoundError, PrismError

__all__ = ["ClaimError", "ClaimIntegrityError", "ClaimMissingError"]


class ClaimError(PrismError):
    """A claim-check message could not be turned back into its payload."""


class ClaimIntegrityError(ClaimError):
    """The stored payload does not match its claim: wrong size, wrong SHA-256, a compressed
    object that does not decompress, or a claim that is not a valid claim document."""


class ClaimMissingError(ClaimError, NotFoundError):
    """The object a claim names is not in the storage slot (expired, collected or deleted)."""
