"""librdkafka's mock cluster as a server process of its own (the test harness's broker).

``python -m prism.backends.kafka._mock --brokers 3 --info FILE`` loads the librdkafka shared
library bundled with confluent-kafka through ctypes, starts ``rd_kafka_mock_cluster_new`` with
that many brokers on 127.0.0.1, serves a tiny HTTP endpoint for topic creation (the mock has no
admin API: ``POST /topics?name=<topic>&partitions=<n>`` calls ``rd_kafka_mock_topic_create``),
writes ``{"bootstrap": ..., "control": ...}`` to FILE and runs until SIGTERM or SIGKILL.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["HEARTBEAT_MS", "SESSION_TIMEOUT_MS", "librdkafka_path", "main"]

SESSION_TIMEOUT_MS = 2000
HEARTBEAT_MS = 200


def librdkafka_path() -> Path:
    """The librdkafka shared library inside the installed confluent-kafka wheel."""
    import confluent_kafka

    package = Path(confluent_kafka.__file__).parent
    for folder in (package.parent / "confluent_kafka.libs", package):
        found = sorted(folder.glob("librdkafka*.so*")) + sorted(folder.glob("librdkafka*.dylib"))
        if found:
            return found[0]
    msg = f"no librdkafka shared library next to {package}"
    raise FileNotFoundError(msg)


def _cluster(brokers: int) -> tuple[ctypes.CDLL, int, str]:
    lib = ctypes.CDLL(str(librdkafka_path()))
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
    lib.rd_kafka_mock_topic_create.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
    ]  # fmt: skip
    lib.rd_kafka_conf_set.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
    ]  # fmt: skip
    conf = lib.rd_kafka_conf_new()
    err = ctypes.create_string_buffer(512)
    lib.rd_kafka_conf_set(conf, b"log_level", b"3", err, 512)
    handle = lib.rd_kafka_new(1, conf, err, 512)  # a consumer handle: it never connects
    if not handle:
        msg = f"rd_kafka_new failed: {err.value.decode()}"
        raise RuntimeError(msg)
    cluster = lib.rd_kafka_mock_cluster_new(handle, brokers)
    if not cluster:
        msg = "rd_kafka_mock_cluster_new failed"
        raise RuntimeError(msg)
    # KIP-848 groups: a member that dies (SIGKILL) is dropped after this session timeout
    # (Kafka's default is 45 s), and heartbeats come often enough to notice it quickly
    lib.rd_kafka_mock_set_group_consumer_session_timeout_ms.argtypes = [
        ctypes.c_void_p, ctypes.c_int,
    ]  # fmt: skip
    lib.rd_kafka_mock_set_group_consumer_heartbeat_interval_ms.argtypes = [
        ctypes.c_void_p, ctypes.c_int,
    ]  # fmt: skip
    lib.rd_kafka_mock_set_group_consumer_session_timeout_ms(cluster, SESSION_TIMEOUT_MS)
    lib.rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(cluster, HEARTBEAT_MS)
    return lib, cluster, lib.rd_kafka_mock_cluster_bootstraps(cluster).decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brokers", type=int, default=3)
    parser.add_argument("--info", required=True)
    args = parser.parse_args(argv)
    lib, cluster, bootstrap = _cluster(args.brokers)
    lock = threading.Lock()
    replication = min(3, args.brokers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            try:
                name = query["name"][0]
                partitions = int(query["partitions"][0])
            except (KeyError, IndexError, ValueError):
                self.send_response(400)
                self.end_headers()
                return
            with lock:
                code = lib.rd_kafka_mock_topic_create(
                    cluster, name.encode(), partitions, replication
                )
            self.send_response(200 if code == 0 else 409)
            self.end_headers()
            self.wfile.write(str(code).encode())

        def log_message(self, format: str, *args: object) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    info = {"bootstrap": bootstrap, "control": f"http://127.0.0.1:{server.server_port}"}
    tmp = f"{args.info}.tmp"
    Path(tmp).write_text(json.dumps(info))
    Path(tmp).replace(args.info)
    sys.stdout.write(f"mock cluster: {bootstrap}\n")
    sys.stdout.flush()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
