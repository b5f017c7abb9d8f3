# Generated from src/prism/backends/clickhouse/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The clickhouse backend class (async flavour: every call runs on the shared
:class:`~prism.backends.WorkerPool`, since clickhouse-driver and chdb are sync-only)."""

from __future__ import annotations

from prism.backends.base import Backend
from prism.backends.clickhouse._core import Core
from prism.backends.clickhouse.timeseries import ClickHouseTimeSeries
from prism.backends.settings import BackendSettings

__all__ = ["ClickHouseBackend"]


class ClickHouseBackend(Backend):
    """One ClickHouse database — a server (``clickhouse://``) or the engine in this process
    (``chdb://``) — shared by the namespaces opened on the same connection entry; each
    namespace has tables of its own (see ``_ops/timeseries.py`` and
    ``docs/backends/clickhouse.md``)."""

    facet_classes = {"timeseries": ClickHouseTimeSeries}

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.core = Core(settings.connection, settings.options)

    def open(self) -> None:
        self.core.open()

    def close(self) -> None:
        self.core.close()
