"""What a backend is given when a connection is opened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prism._redact import redact
from prism.credentials import CredentialProvider
from prism.registry.models import BackendDeclaration

__all__ = ["BackendSettings"]


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
