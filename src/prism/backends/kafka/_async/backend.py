"""The kafka backend class (async source; the sync twin is generated).

Both flavours share :class:`~prism.backends.kafka._core.KafkaClients`: confluent-kafka is sync
and does its I/O on librdkafka's own threads.  The async flavour awaits delivery reports as
futures and runs blocking reads on the shared ``WorkerPool``; it never blocks the event loop.
"""

from __future__ import annotations

from prism.backends._async.base import AsyncBackend
from prism.backends.kafka._async.pubsub import AsyncKafkaPubSub
from prism.backends.kafka._async.stream import AsyncKafkaStream
from prism.backends.kafka._config import parse_config, with_credentials
from prism.backends.kafka._core import KafkaClients
from prism.backends.kafka._sasl import SaslRotation
from prism.backends.settings import BackendSettings

__all__ = ["AsyncKafkaBackend"]


class AsyncKafkaBackend(AsyncBackend):
    """One producer, reader pool and admin client for one Kafka cluster, shared by the
    namespaces opened on the same connection entry (see ``docs/backends/kafka.md``)."""

    facet_classes = {"stream": AsyncKafkaStream, "pubsub": AsyncKafkaPubSub}

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self.clients = KafkaClients(self.config, settings.max_value_bytes)

    async def open(self) -> None:
        provider = self.settings.credentials
        if provider is not None:
            await provider.get_async()  # fetched off the event loop; with_credentials reuses it
            config, sasl = SaslRotation.wire(with_credentials(self.config, provider), provider)
            self.clients = KafkaClients(config, self.settings.max_value_bytes)
            self.clients.sasl = sasl  # rotated SASL PLAIN/SCRAM secrets reach live clients
        await self.clients.call_async(self.clients.open)

    async def close(self) -> None:
        await self.clients.call_async(self.clients.close)
