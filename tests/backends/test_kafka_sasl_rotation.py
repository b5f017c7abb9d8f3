"""A rotated SASL PLAIN credential reaches live confluent-kafka clients (issue 17).

No broker on this machine speaks SASL (docs/security.md), so the broker side is a loopback
stand-in that speaks only the start of Kafka's legacy SASL exchange -- SaslHandshake v0
answering ``PLAIN``, then the raw PLAIN token -- records the user and password each client
sends, and closes the connection (authentication failed).  The clients are real
confluent-kafka clients (the stand-in's ApiVersions answer offers SaslHandshake v0 only, so
librdkafka uses that exchange); what is
asserted is what they put on the wire.  Whether a real broker accepts the credential is not
tested here (docs/security.md says how to close that gap).
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient

from prism.backends.kafka._sasl import SaslRotation
from prism.credentials import FileProvider


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError
        data += chunk
    return data


def _frame(sock: socket.socket) -> bytes:
    (size,) = struct.unpack(">i", _read_exactly(sock, 4))
    return _read_exactly(sock, size)


class SaslStandIn(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []  # (client.id, user, password)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    def wait_for(self, entry: tuple[str, str, str], deadline: float = 20.0) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            with self.lock:
                if entry in self.seen:
                    return
            time.sleep(0.01)  # polling a condition with a deadline, not synchronising by sleep
        with self.lock:
            seen = list(self.seen)
        pytest.fail(f"{entry} never authenticated; seen: {seen}")


class _Handler(socketserver.BaseRequestHandler):
    server: SaslStandIn

    def handle(self) -> None:
        sock: socket.socket = self.request
        try:
            request = _frame(sock)
            api_key, version, correlation = struct.unpack(">hhi", request[:8])
            if api_key == 18 and version == 3:  # ApiVersions: SaslHandshake v0 only
                supported = [(18, 0, 3), (17, 0, 0), (3, 0, 0)]
                body = struct.pack(">ih", correlation, 0) + bytes([len(supported) + 1])
                body += b"".join(struct.pack(">hhh", *api) + b"\0" for api in supported)
                body += struct.pack(">i", 0) + b"\0"
                sock.sendall(struct.pack(">i", len(body)) + body)
                request = _frame(sock)
                api_key, version, correlation = struct.unpack(">hhi", request[:8])
            (id_len,) = struct.unpack(">h", request[8:10])
            client_id = request[10 : 10 + max(id_len, 0)].decode()
            if api_key != 17:  # not SaslHandshake
                return
            body = struct.pack(">ihih", correlation, 0, 1, 5) + b"PLAIN"
            sock.sendall(struct.pack(">i", len(body)) + body)
            _authzid, user, password = _frame(sock).split(b"\0")
            with self.server.lock:
                self.server.seen.append((client_id, user.decode(), password.decode()))
        except (ConnectionError, struct.error, ValueError):
            pass
        # closing the connection without the empty success frame: authentication failed


@pytest.fixture
def broker() -> Iterator[SaslStandIn]:
    server = SaslStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def write(path: Path, user: str, password: str) -> None:
    replacement = path.with_suffix(".new")
    replacement.write_text(json.dumps({"username": user, "password": password}))
    replacement.replace(path)  # as a Kubernetes secret mount swaps its files


def settings(broker: SaslStandIn, client_id: str, rotation: SaslRotation) -> dict[str, Any]:
    return {
        "bootstrap.servers": broker.address,
        "client.id": client_id,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "PLAIN",
        "reconnect.backoff.ms": 10,
        "reconnect.backoff.max.ms": 50,
        "error_cb": rotation.on_error,
        "logger": logging.getLogger("prism.backends.kafka"),  # as the backend's clients log
    }


def polling(client: Any, until: Callable[[], None]) -> None:
    """Serve ``client``'s callbacks on a thread while ``until`` waits."""
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            client.poll(0.02)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        until()
    finally:
        stop.set()
        thread.join()


def test_a_rotated_file_reaches_the_live_clients_next_authentication(
    broker: SaslStandIn, tmp_path: Path
) -> None:
    secret = tmp_path / "kafka.json"
    write(secret, "app", "first-secret")
    rotation = SaslRotation(FileProvider(secret, format="json"))
    live = rotation.make(Producer, settings(broker, "live", rotation))
    polling(live, lambda: broker.wait_for(("live", "app", "first-secret")))

    # the mounted secret is replaced; the next client made checks the provider and pushes
    # the new credential to the producer made before, which uses it when it reconnects
    write(secret, "app-2", "second-secret")
    admin = rotation.make(AdminClient, settings(broker, "fresh", rotation))
    broker.wait_for(("fresh", "app-2", "second-secret"))
    polling(live, lambda: broker.wait_for(("live", "app-2", "second-secret")))
    assert rotation.pushes == 1
    del admin


def eventually(condition: Callable[[], bool], what: str, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"never: {what}")
        time.sleep(0.01)  # polling a condition with a deadline, not synchronising by sleep


def test_a_rejected_credential_is_fetched_anew_once_from_error_cb(
    broker: SaslStandIn, tmp_path: Path
) -> None:
    secret = tmp_path / "kafka.json"
    write(secret, "app", "first-secret")
    provider = FileProvider(secret, format="json")
    rotation = SaslRotation(provider)
    live = rotation.make(Producer, settings(broker, "live", rotation))
    # the stand-in refuses every login; librdkafka reports each refusal to error_cb
    polling(live, lambda: eventually(lambda: provider.fetches == 2, "a forced refresh"))
    assert rotation.pushes == 0  # the source still held the same credential: nothing to push

    # the secret is rotated: the next refusal asks the provider, which sees the new file, and
    # the live producer authenticates with it (no new client made, nothing else asked)
    write(secret, "app", "second-secret")
    polling(live, lambda: broker.wait_for(("live", "app", "second-secret")))
    assert rotation.pushes == 1
    fetched = provider.fetches

    # refusals keep coming: at most one more forced fetch (for the new credential), then none
    refused = KafkaError(KafkaError._AUTHENTICATION, "SASL authentication failed")
    for _ in range(5):
        rotation.on_error(refused)
    assert provider.fetches <= fetched + 1
    fetched = provider.fetches
    for _ in range(5):
        rotation.on_error(refused)
    assert provider.fetches == fetched
    # errors other than authentication failures refresh nothing
    rotation.on_error(KafkaError(KafkaError._TRANSPORT, "broker down"))
    rotation.on_error(KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down"))
    assert provider.fetches == fetched


def test_without_a_provider_the_rotation_changes_nothing(broker: SaslStandIn) -> None:
    rotation = SaslRotation()
    config = {"bootstrap.servers": broker.address, "client.id": "plain"}
    producer = rotation.make(Producer, config)
    assert isinstance(producer, Producer)
    rotation.on_error(KafkaError(KafkaError._AUTHENTICATION, "refused"))
    assert rotation.pushes == 0


def test_the_backend_wires_a_rotation_for_plain_and_scram_only() -> None:
    from prism.backends.kafka._config import parse_config, with_credentials
    from prism.credentials import StaticProvider

    provider = StaticProvider("scram-secret", "svc")
    scram = parse_config("kafka", "kafka://b:9092", {"sasl_mechanism": "SCRAM-SHA-512"})
    wired, rotation = SaslRotation.wire(with_credentials(scram, provider), provider)
    assert rotation.provider is provider
    assert wired.client["error_cb"] == rotation.on_error
    assert "scram-secret" not in repr(wired) and "scram-secret" not in repr(rotation)

    bearer = parse_config("kafka", "kafka://b:9092", {"sasl_mechanism": "OAUTHBEARER"})
    wired, rotation = SaslRotation.wire(with_credentials(bearer, provider), provider)
    assert rotation.provider is None  # oauth_cb refreshes bearer tokens by itself
    assert "error_cb" not in wired.client
