"""Resilience policies of ``prism.yaml``: call deadline, retries, circuit breaker, telemetry.

A policy sits on a backend entry (``backends: <name>: resilience:``) and may be overridden per
namespace (``namespaces: <name>: resilience:``) and, inside either, per data model
(``models: {queue: {timeout: 2}}``).  Overrides go field by field: a namespace that sets only
``timeout`` keeps the backend's ``retries`` and ``breaker``; ``retries: null`` switches retries
off.  With no policy anywhere nothing is installed on the call path at all.

These are plain pydantic models (no retry or telemetry library is imported here), so
``prism validate`` checks every field.  See docs/operations.md for the reference.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["BreakerPolicy", "ModelPolicy", "ResiliencePolicy", "RetryPolicy", "effective"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetryPolicy(_Strict):
    """Retries of operations that are safe to repeat (reads, idempotent writes) only."""

    attempts: int = Field(default=3, ge=1, le=20, description="attempts in all, the first included")
    initial: float = Field(default=0.05, gt=0, le=60, description="first backoff, seconds")
    max_backoff: float = Field(default=2.0, gt=0, le=600, description="longest backoff, seconds")
    jitter: float = Field(default=0.05, ge=0, le=60, description="random extra backoff, seconds")
    budget: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="retries may add at most this fraction of the calls made (plus a burst of 10)",
    )


class BreakerPolicy(_Strict):
    """A circuit breaker per backend connection (and policy): fails fast while open."""

    failures: int = Field(default=5, ge=1, le=10_000, description="consecutive failures to open")
    reset_after: float = Field(
        default=10.0, gt=0, le=3600, description="seconds open before a half-open probe"
    )
    probes: int = Field(
        default=1, ge=1, le=100, description="successful half-open probes that close it"
    )


class ModelPolicy(_Strict):
    """Overrides for one data model."""

    timeout: float | None = Field(default=None, gt=0, le=3600)
    retries: RetryPolicy | None = None
    breaker: BreakerPolicy | None = None


class ResiliencePolicy(ModelPolicy):
    """``resilience:`` of a backend entry or a namespace."""

    models: dict[str, ModelPolicy] = {}

    @field_validator("models")
    @classmethod
    def _known_models(cls, value: dict[str, ModelPolicy]) -> dict[str, ModelPolicy]:
        from prism.interfaces import MODELS

        for model in value:
            if model not in MODELS:
                msg = f"{model!r} is not a data model (models: {', '.join(MODELS)})"
                raise ValueError(msg)
        return value


def _fields(policy: BaseModel | None) -> dict[str, Any]:
    if policy is None:
        return {}
    return {name: getattr(policy, name) for name in policy.model_fields_set if name != "models"}


def effective(
    backend: ResiliencePolicy | None, namespace: ResiliencePolicy | None, model: str
) -> ModelPolicy | None:
    """The policy of ``model`` in a namespace: backend entry, then its ``models:``, then the
    namespace, then its ``models:``, each overriding the fields it sets.  None when nothing
    is active (no timeout, no retries, no breaker)."""
    merged: dict[str, Any] = {}
    for policy in (backend, namespace):
        if policy is None:
            continue
        merged.update(_fields(policy))
        merged.update(_fields(policy.models.get(model)))
    result = ModelPolicy(**merged)
    if result.timeout is None and result.retries is None and result.breaker is None:
        return None
    return result
