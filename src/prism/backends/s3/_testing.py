"""The S3 server of the s3 and minio backends' suites and tests: moto's ``moto_server``.

1. ``PRISM_TEST_S3_URL`` (``PRISM_TEST_MINIO_URL`` for minio), used as is — a URL
   ``http://key:secret@host:port/bucket`` whose bucket exists;
2. moto's S3 server from the test dependencies (``moto[server]``), started once per test run
   on a free loopback port, shared by both backends, ready once a real CreateBucket request
   succeeds (the harness creates the bucket), stopped by PID when the last backend using it is
   done.  It is ``moto_server``'s application with its writes serialized
   (``python -m prism.backends.s3._moto_serial -H 127.0.0.1 -p P``): moto checks a conditional
   PUT's ``If-Match`` and stores the object later without a lock, so under the stock threaded
   server two compare-and-swaps could both win;
3. otherwise a reason string (the compliance summary reports "no server").

moto verifies no signatures: tests of refused credentials need a real MinIO, through
testcontainers (:func:`minio_container`), when a Docker engine answers.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from prism.backends.memstore._core import ManualClock
from prism.testing.servers import (
    ServerProcess,
    docker_available,
    env_url,
    free_port,
    wait_until,
)
from prism.testing.target import TestServer

__all__ = ["MotoServer", "minio_container", "moto_available", "s3_server", "shared_moto"]

_READY_TIMEOUT = 30.0
ACCESS_KEY = "prism-test"
SECRET_KEY = "prism-test-secret"  # moto checks no signature; any pair works
REGION = "us-east-1"


def moto_available() -> bool:
    """Whether this interpreter has moto's server (``moto[server]``: moto and werkzeug).
    Looking imports nothing."""
    return all(importlib.util.find_spec(name) is not None for name in ("moto", "werkzeug"))


def moto_argv(port: int) -> list[str]:
    """The command starting the harness's moto server on ``port`` (see the module docstring)."""
    return [
        sys.executable,
        "-m",
        "prism.backends.s3._moto_serial",
        "-H",
        "127.0.0.1",
        "-p",
        str(port),
    ]


def raw_client(endpoint: str, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY) -> Any:
    """A plain boto3 client of the test server (no retries, short timeouts)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(
            connect_timeout=2, read_timeout=60, retries={"max_attempts": 1},
            s3={"addressing_style": "path"}, max_pool_connections=32,
        ),
    )  # fmt: skip


class MotoServer:
    """A ``moto_server`` started by the harness."""

    def __init__(self) -> None:
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="prism-moto-"))
        self.process = ServerProcess(
            moto_argv(self.port),
            self.workdir,
            log_name="moto.log",
            env={"AWS_DEFAULT_REGION": REGION},
        )
        self.users = 0
        self._client: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, bucket: str) -> str:
        return f"http://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{self.port}/{bucket}"

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = raw_client(self.endpoint)
        return self._client

    def create_bucket(self, bucket: str) -> bool:
        """Create ``bucket`` (a real request: it is the readiness probe too)."""
        self.client.create_bucket(Bucket=bucket)
        return True

    def start(self, first_bucket: str) -> MotoServer:
        try:
            wait_until(
                lambda: self.create_bucket(first_bucket),
                _READY_TIMEOUT,
                f"moto_server on port {self.port}",
                alive=self.process.alive,
            )
        except RuntimeError as exc:
            tail = self.process.log_tail()
            self.stop()
            msg = f"{exc}\n{tail}"
            raise RuntimeError(msg) from None
        return self

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.process.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


_shared: MotoServer | None = None
_lock = threading.Lock()


def shared_moto(bucket: str) -> MotoServer:
    """The run's one moto server (started on first use) with ``bucket`` created in it; call
    :func:`release` once per call when done."""
    global _shared
    with _lock:
        if _shared is None:
            if not moto_available():
                msg = 'no moto server (pip install "moto[server]", in the test dependencies)'
                raise RuntimeError(msg)
            _shared = MotoServer().start(bucket)
        else:
            _shared.create_bucket(bucket)
        _shared.users += 1
        return _shared


def release() -> None:
    global _shared
    with _lock:
        if _shared is None:
            return
        _shared.users -= 1
        if _shared.users <= 0:
            _shared.stop()
            _shared = None


def moto_server(backend: str, driver_module: str, extra: str) -> TestServer | str:
    """The suites' target of ``backend``.  Expiry deadlines are epoch seconds in each object's
    metadata, compared with the backend's clock on read, so the target hands the backend a
    :class:`ManualClock` (option ``clock``): TTL cases move time instead of racing it on a slow
    server."""
    clock = ManualClock()
    url = env_url(backend)
    if url:
        return TestServer(
            connection=url,
            options={"clock": clock},
            clock=clock,
            description=f"PRISM_TEST_{backend.upper()}_URL with a manual clock",
        )
    try:
        __import__(driver_module)
    except ImportError:
        return f'{driver_module} is not installed (pip install "prism[{extra}]")'
    if not moto_available():
        return 'no moto server (pip install "moto[server]", in the test dependencies)'
    bucket = f"prism-{backend}"
    server = shared_moto(bucket)
    return TestServer(
        connection=server.url(bucket),
        options={"region": REGION, "clock": clock},
        clock=clock,
        stop=release,
        description=f"moto S3 server (writes serialized) on 127.0.0.1:{server.port}, bucket {bucket}, manual clock",
    )


def s3_server(workdir: Path) -> TestServer | str:
    """The suites' S3 server for the s3 backend."""
    del workdir  # moto keeps everything in memory
    return moto_server("s3", "boto3", "s3")


def minio_container() -> tuple[str, Any] | None:
    """A real MinIO through testcontainers (``http://key:secret@host:port`` and the container
    to stop), or None when no Docker engine answers."""
    if not docker_available():
        return None
    from testcontainers.community.minio import MinioContainer

    container: Any = MinioContainer()
    container.start()
    config = container.get_config()
    url = f"http://{config['access_key']}:{config['secret_key']}@{config['endpoint']}"
    return url, container
