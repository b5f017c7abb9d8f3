"""The clickhouse backend class (async flavour: every call runs on the shared
:class:`~prism.backends.WorkerPool`, since clickhouse-driver and chdb are sync-only)."""

from __future__ import annotations

from prism.backends._async.base import AsyncBackend
from prism.backends.clickhouse._async.timeseries import AsyncClickHouseTimeSeries
from prism.backends.clickhouse._core import Core
from prism.backends.settings import BackendSettings

__all__ = ["AsyncClickHouseBackend"]


class AsyncClickHouseBackend(AsyncBackend):
    """One ClickHouse database — a server (``clickhouse://``) or the engine in this process
    (``chdb://``) — shared by the namespaces opened on the same connection entry; each
    namespace has tables of its own (see ``_ops/timeseries.py`` and
    ``docs/backends/clickhouse.md``)."""

    facet_classes = {"timeseries": AsyncClickHouseTimeSeries}

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.core = Core(settings.connection, settings.options)

    async def open(self) -> None:
        await self.core.open_async()

    async def close(self) -> None:
        await self.core.close_async()
