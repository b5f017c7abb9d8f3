"""The minio backend's test server: the same moto server as the s3 backend's (one per test
run, see :mod:`prism.backends.s3._testing`), with a bucket of its own."""

from __future__ import annotations

from pathlib import Path

from prism.backends.s3._testing import moto_server
from prism.testing.target import TestServer

__all__ = ["minio_server"]


def minio_server(workdir: Path) -> TestServer | str:
    """The suites' S3 server for the minio backend (needs boto3 too: the harness creates the
    bucket with it)."""
    del workdir
    return moto_server("minio", "minio", "minio")
