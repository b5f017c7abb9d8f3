# Generated from src/prism/backends/_async/base.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The base classes of a backend implementation (the sync twin, generated from the async source).

A backend is one class per flavour (an async class and its sync twin) holding one connection
(client, pool, file) for a named entry of ``prism.yaml``; it is shared by every namespace
that uses that entry.  Per data model it names a *facet* class in :attr:`facet_classes`; a
facet binds the connection to one namespace and subclasses exactly the interface ABCs the
backend declares for that model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from prism.backends.settings import BackendSettings

__all__ = ["Backend", "Facet"]


class Backend:
    """One connection of a backend, shared by the namespaces that use it."""

    facet_classes: ClassVar[Mapping[str, type[Any]]] = {}
    """Data model → facet class."""

    def __init__(self, settings: BackendSettings) -> None:
        self.settings = settings
        self.max_value_bytes = settings.max_value_bytes

    def open(self) -> None:
        """Connect.  Called once, before the first facet is made.  A failure raises
        ``BackendUnavailableError`` or ``ConfigurationError``."""

    def close(self) -> None:
        """Release the connection.  Called once, by the last namespace to close."""

    def facet(self, model: str, namespace: str) -> Any | None:
        """The facet of ``model`` bound to ``namespace``, or None when not implemented."""
        cls = self.facet_classes.get(model)
        return None if cls is None else cls(self, namespace)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.settings!r})"


class Facet:
    """Convenience base for facet classes: keeps the backend, the namespace and the limit."""

    def __init__(self, backend: Backend, namespace: str) -> None:
        self.backend = backend
        self.namespace = namespace
        self.max_value_bytes = backend.max_value_bytes

    def __repr__(self) -> str:
        return f"<{type(self).__name__} namespace={self.namespace!r}>"
