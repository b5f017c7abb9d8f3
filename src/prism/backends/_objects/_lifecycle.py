"""The bucket lifecycle rules prism installs under ``install_lifecycle`` (s3 backend), and the
object tag that puts a key with a TTL under one of them.

S3 lifecycle rules act on an object's *age* — whole days since it was last written, rounded up
to the next midnight UTC — and select objects by prefix and tags; they know nothing of prism's
per-key expiry.  prism bridges that with expiry *classes* of 1, 2, 4, ..., 1024 days:

* a write that gives a key an expiry (``set(..., ttl=t)``, ``expire(key, t)``) tags the value
  object ``prism-expiry-days=<D>``, D the smallest class of at least ``t`` (in days); a TTL
  longer than 1,024 days gets no tag (the sweep alone reclaims it);
* every write *without* an expiry (plain ``set``, ``set_many``, CAS, ``persist``) leaves the
  object with no tag: ``put`` writes none, ``persist``'s copy replaces the tags with none;
* one rule per class, ``Expiration: Days: D`` over objects under the configured ``prefix``
  tagged ``prism-expiry-days=D``.

Every one of those writes creates the object anew (``expire``/``persist`` by a server-side copy
onto itself), so its age restarts at the same moment its tag is set: S3 deletes an object at age
>= D days >= its TTL, i.e. never before its expiry, and never a key that no longer expires.  It
may delete it up to D days (and S3's own lag, often a day) *after* the expiry: the classes trade
precision for a fixed, small number of rules.  The ``t/`` markers carry no tag (a marker older
than its value would otherwise go first and let ``scan_keys`` skip the expiry check); the sweep
deletes the markers of keys that are gone.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

__all__ = ["CLASSES", "TAG", "expiry_tags", "merge_rules", "prism_rules", "rule_id"]

TAG = "prism-expiry-days"
"""The object tag naming a key's expiry class (days)."""
CLASSES = tuple(2**i for i in range(11))
"""The expiry classes, in days: 1, 2, 4, ..., 1024."""
DAY = 86400.0
_ID_PREFIX = "prism-ttl-"


def expiry_class(ttl: float) -> int | None:
    """The smallest class of at least ``ttl`` seconds; None beyond the largest."""
    days = max(1, math.ceil(ttl / DAY))
    return next((d for d in CLASSES if d >= days), None)


def expiry_tags(ttl: float | None) -> dict[str, str]:
    """The tags of an object written with ``ttl`` (None: no expiry): empty or the class tag."""
    if ttl is None:
        return {}
    days = expiry_class(ttl)
    return {} if days is None else {TAG: str(days)}


def rule_id(prefix: str, days: int) -> str:
    """``prism-ttl-<D>d@<prefix>`` (the prefix hashed when the ID would pass 255 characters)."""
    rid = f"{_ID_PREFIX}{days}d@{prefix}"
    if len(rid) <= 255:
        return rid
    return f"{_ID_PREFIX}{days}d@sha256:{hashlib.sha256(prefix.encode()).hexdigest()[:16]}"


def prism_rules(prefix: str) -> list[dict[str, Any]]:
    """The rules prism installs for objects under ``prefix`` (boto3's shape)."""
    rules: list[dict[str, Any]] = []
    for days in CLASSES:
        tag = {"Key": TAG, "Value": str(days)}
        rule_filter: dict[str, Any] = (
            {"And": {"Prefix": prefix, "Tags": [tag]}} if prefix else {"Tag": tag}
        )
        rules.append(
            {
                "ID": rule_id(prefix, days),
                "Filter": rule_filter,
                "Status": "Enabled",
                "Expiration": {"Days": days},
            }
        )
    return rules


def merge_rules(existing: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]] | None:
    """``existing`` with prism's rules for ``prefix`` added (rules of the same IDs replaced,
    every other rule kept as it is); None when nothing would change."""
    ours = prism_rules(prefix)
    ids = {rule["ID"] for rule in ours}
    kept = [rule for rule in existing if rule.get("ID") not in ids]
    current = {rule["ID"]: rule for rule in existing if rule.get("ID") in ids}
    if all(rule["ID"] in current and _same(current[rule["ID"]], rule) for rule in ours):
        return None
    return kept + ours


def _same(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(found.get(k) == v for k, v in wanted.items())
