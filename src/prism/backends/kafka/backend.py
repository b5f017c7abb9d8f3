# Generated from src/prism/backends/kafka/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The kafka backend class (the sync twin, generated from the async source).

Both flavours share :class:`~prism.backends.kafka._core.KafkaClients`: confluent-kafka is sync
and does its I/O on librdkafka's own threads.  The async flavour awaits delivery reports as
futures and runs blocking reads on the shared ``WorkerPool``; it never blocks the event loop.
"""

from __future__ import annotations

from prism.backends.base import Backend
from prism.backends.kafka._config import parse_config, with_credentials
from prism.backends.kafka._core import KafkaClients
from prism.backends.kafka._sasl import SaslRotation
from prism.backends.kafka.pubsub import KafkaPubSub
from prism.backends.kafka.stream import KafkaStream
from prism.backends.settings import BackendSettings

__all__ = ["KafkaBackend"]


class KafkaBackend(Backend):
    """One producer, reader pool and admin client for one Kafka cluster, shared by the
    namespaces opened on the same connection entry (see ``docs/backends/kafka.md``)."""

    facet_classes = {"stream": KafkaStream, "pubsub": KafkaPubSub}

    def __init__(self, settings: BackendSettings) -> None:
        super().__init__(settings)
        self.config = parse_config(settings.backend, settings.connection, settings.options)
        self.clients = KafkaClients(self.config, settings.max_value_bytes)

    def open(self) -> None:
        provider = self.settings.credentials
        if provider is not None:
            provider.get()  # fetched off the event loop; with_credentials reuses it
            config, sasl = SaslRotation.wire(with_credentials(self.config, provider), provider)
            self.clients = KafkaClients(config, self.settings.max_value_bytes)
            self.clients.sasl = sasl  # rotated SASL PLAIN/SCRAM secrets reach live clients
        self.clients.call(self.clients.open)

    def close(self) -> None:
        self.clients.call(self.clients.close)
