"""S3 credentials from a prism.yaml provider (issue 17): the session signs with the provider's
key, and a rotated credential is used once the old one expires.  moto verifies no signatures,
so the signing key is read from botocore's own credentials object; a real server refusing a
wrong key is tested through MinIO in test_s3.py (Docker)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.backends._objects._config import parse_config
from prism.backends.s3._driver import make_session
from prism.backends.s3._testing import REGION, moto_available, release, shared_moto
from prism.credentials import FileProvider

pytestmark = pytest.mark.skipif(not moto_available(), reason="needs moto_server (moto[server])")

BUCKET = "prism-auth"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = shared_moto(BUCKET)
    yield server.endpoint
    release()


def write(path: Path, key: str, secret: str, expires_in: float) -> None:
    doc = {"username": key, "password": secret, "expires_at": time.time() + expires_in}
    replacement = path.with_suffix(".new")
    replacement.write_text(json.dumps(doc))
    replacement.replace(path)


def test_the_session_signs_with_the_providers_key_and_refreshes_it(tmp_path: Path) -> None:
    doc = tmp_path / "aws.json"
    write(doc, "AKIAFIRST", "secret-one", expires_in=3600)
    provider = FileProvider(doc, format="json")
    config = parse_config("s3", f"http://127.0.0.1:1/{BUCKET}", {"region": REGION})
    config = type(config)(**{**config.__dict__, "credentials": provider})
    session = make_session(config)
    frozen = session.get_credentials().get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key) == ("AKIAFIRST", "secret-one")
    # the credential is about to expire and the mounted document was replaced: botocore asks
    # the provider again, which reads the new document
    write(doc, "AKIASECOND", "secret-two", expires_in=3600)
    creds = session.get_credentials()
    creds._expiry_time = creds._expiry_time.replace(year=2000)  # force botocore's refresh
    frozen = creds.get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key) == ("AKIASECOND", "secret-two")


@pytest.mark.parametrize("kind", ["s3", "minio"])
def test_a_namespace_with_provider_credentials_reads_and_writes(
    endpoint: str, tmp_path: Path, kind: str
) -> None:
    doc = tmp_path / "aws.json"
    write(doc, "AKIATENANT", "tenant-secret", expires_in=3600)
    ns = f"tenant-{uuid.uuid4().hex[:6]}"
    config: dict[str, Any] = {
        "backends": {
            "s": {
                "type": kind,
                "connection": f"{endpoint}/{BUCKET}",
                "options": {"region": REGION},
            }
        },
        "namespaces": {
            ns: {
                "backend": "s",
                "credentials": {"provider": "file", "path": str(doc), "format": "json"},
            }
        },
    }
    with prism.open(ns, config=config) as handle:
        handle.keyvalue.set("k", b"v")
        assert handle.keyvalue.get("k") == b"v"
        assert "tenant-secret" not in repr(handle) and "tenant-secret" not in repr(config)
