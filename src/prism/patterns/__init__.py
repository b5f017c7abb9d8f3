"""Patterns composed in-process: claim-check, outbox and multicast-registry.

A pattern namespace is opened like any other (``prism.open("videos")``) and offers the facets of
its messaging slot, decorated by the pattern, so application code does not change when a pattern
is added in ``prism.yaml``.  See docs/patterns/.
"""

from __future__ import annotations

from prism.patterns._claim import CLAIM_HEADER, CLAIM_VERSION, Claim, parse_claim
from prism.patterns._errors import ClaimError, ClaimIntegrityError, ClaimMissingError

__all__ = [
    "CLAIM_HEADER",
    "CLAIM_VERSION",
    "Claim",
    "ClaimError",
    "ClaimIntegrityError",
    "ClaimMissingError",
    "parse_claim",
]
