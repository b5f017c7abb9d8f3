"""What a backend is given when a connection is opened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prism._redact import redact
from prism.credentials import CredentialProvider, provider_for
from prism.registry.models import BackendDeclaration

if TYPE_CHECKING:
    from prism.registry.resolver import Plan

__all__ = ["BackendSettings", "settings_for"]


@dataclass(frozen=True)
class BackendSettings:
    """A named connection: the backend type, its connection string and options, and the
    backend's declaration.  The connection string is never shown unredacted."""

    name: str
    backend: str
    declaration: BackendDeclaration
    connection: str | None = field(default=None, repr=False)
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)
    call_timeout: float | None = None
    """The deadline of one operation from the entry's ``resilience.timeout``, for backends
    whose driver enforces it (sync calls cannot be interrupted otherwise); None: the
    backend's own defaults."""
    credentials: CredentialProvider | None = field(default=None, repr=False)
    """Where the user name and secret come from when ``prism.yaml`` names a provider; a
    backend asks it on each new connection and reports a rejected credential back
    (:meth:`~prism.credentials.CredentialProvider.invalidate`)."""

    @property
    def max_value_bytes(self) -> int | None:
        return self.declaration.limits.max_value_bytes

    @property
    def redacted_connection(self) -> str | None:
        return None if self.connection is None else redact(self.connection)

    def __repr__(self) -> str:
        return (
            f"BackendSettings(name={self.name!r}, backend={self.backend!r}, "
            f"connection={self.redacted_connection!r})"
        )


def _call_timeout(plan: Plan) -> float | None:
    """The deadline the driver enforces on every call, sync calls included: the namespace's
    ``resilience: timeout`` where it sets one, else the backend entry's.  (A namespace whose
    deadline differs gets a connection of its own: the deadline is part of the connection key.
    Per-model ``models:`` deadlines are enforced on async calls only.)"""
    ns_config = None if plan.config is None else plan.config.namespaces.get(plan.namespace)
    ns_policy = None if ns_config is None else ns_config.resilience
    if ns_policy is not None and "timeout" in ns_policy.model_fields_set:
        return ns_policy.timeout
    policy = plan.connection.resilience
    return None if policy is None else policy.timeout


def settings_for(plan: Plan) -> BackendSettings:
    """What the backend of a resolved (non-pattern) ``plan`` is opened with: the connection
    entry, the call deadline and a fresh provider for the entry's credentials."""
    return BackendSettings(
        name=plan.connection_name,
        backend=plan.backend.name,
        declaration=plan.backend.declaration,
        connection=plan.connection.connection,
        options=plan.connection.options,
        call_timeout=_call_timeout(plan),
        credentials=None if plan.credentials is None else provider_for(plan.credentials),
    )
