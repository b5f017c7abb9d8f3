"""The base of every nats facet: the namespace's NATS names and driver errors translated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nats.js import JetStreamContext  # noqa: TID253 (backend-internal module)

from prism.backends._async.base import AsyncFacet
from prism.backends.nats._names import escape, short

if TYPE_CHECKING:
    from nats.aio.client import Client

    from prism.backends.nats._native.backend import AsyncNatsBackend

__all__ = ["AsyncNatsFacet"]


class AsyncNatsFacet(AsyncFacet):
    """A facet bound to one namespace: subjects under ``<prefix>.<escaped namespace>.`` and
    streams / buckets named ``<prefix>-<escaped namespace>-...``."""

    def __init__(self, backend: AsyncNatsBackend, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._b = backend
        ns = escape(namespace)
        self._subject_root = f"{backend.prefix}.{ns}"
        self._name_root = short(f"{backend.prefix}-{ns}")

    @property
    def nc(self) -> Client:
        return self._b.nc

    @property
    def js(self) -> JetStreamContext:
        return self._b.js
