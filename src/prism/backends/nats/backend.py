"""The nats backend's sync flavour: a blocking facade over the native async backend, through
the process's one bridge loop (``prism.backends.LoopThread``; see ``_sync.py`` and
``docs/backends/nats.md``).  Hand-written, not generated: nats-py has no blocking API."""

from __future__ import annotations

from typing import Any

from prism.backends._bridge import LoopThread
from prism.backends.base import Backend
from prism.backends.nats._native.backend import AsyncNatsBackend
from prism.backends.nats._sync import forwarding_facet
from prism.backends.settings import BackendSettings

__all__ = ["NatsBackend"]


class NatsBackend(Backend):
    """An :class:`AsyncNatsBackend` whose client lives on the bridge loop."""

    facet_classes = {
        model: forwarding_facet(f"Nats{cls.__name__.removeprefix('AsyncNats')}", cls)
        for model, cls in AsyncNatsBackend.facet_classes.items()
    }

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.bridge = LoopThread.shared()
        self.inner = AsyncNatsBackend(settings)

    def open(self) -> None:
        self.bridge.run(self.inner.open())

    def close(self) -> None:
        self.bridge.run(self.inner.close())

    def facet(self, model: str, namespace: str) -> Any | None:
        cls = self.facet_classes.get(model)
        if cls is None:
            return None
        return cls(self, self.inner.facet(model, namespace))
