"""MinIO credentials from a prism.yaml provider (issue 17): minio-py asks prism's provider on
every request it signs, so a rotated credential file is signed with by a new client and by the
live one.

moto, the harness's S3 server, verifies no signatures (any key is accepted), so these tests
read what the client actually sends: the access key id in each request's ``Authorization``
header, recorded by the urllib3 pool the client sends through (minio-py's own trace redacts
that key).  A real server refusing a wrong key is tested through MinIO in test_s3.py (Docker).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prism.backends._objects._config import ObjectConfig, parse_config
from prism.backends.minio._credentials import MinioCredentials
from prism.backends.minio._driver import make_client, pool_manager
from prism.backends.s3._testing import REGION, moto_available, release, shared_moto
from prism.credentials import FileProvider
from prism.errors import ConfigurationError
from tests.backends.test_s3_auth import write

pytestmark = pytest.mark.skipif(not moto_available(), reason="needs moto_server (moto[server])")

BUCKET = "prism-minio-auth"
_KEY_ID = re.compile(r"Credential=([^/]+)/")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = shared_moto(BUCKET)
    yield server.endpoint
    release()


class Recording:
    """Wraps the client's urllib3 pool: the access key id of every request's signature."""

    def __init__(self, config: ObjectConfig) -> None:
        self.pool = pool_manager(config)
        self.key_ids: list[str] = []
        original = self.pool.urlopen

        def urlopen(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            headers = kwargs.get("headers") or {}
            found = _KEY_ID.search(str(headers.get("Authorization", "")))
            self.key_ids.append(found.group(1) if found else "<unsigned>")
            return original(method, url, *args, **kwargs)

        self.pool.urlopen = urlopen  # type: ignore[method-assign]


def provider_config(endpoint: str, provider: FileProvider) -> ObjectConfig:
    # the URL's own key pair must lose to the provider (minio-py lets access_key win otherwise)
    url = endpoint.replace("http://", "http://AKIAURLKEY:url-secret@")
    config = parse_config(
        "minio", f"{url}/{BUCKET}", {"region": REGION, "addressing_style": "path"}
    )
    return type(config)(**{**config.__dict__, "credentials": provider})


def test_a_rotated_credential_file_is_signed_with_by_new_and_live_clients(
    endpoint: str, tmp_path: Path
) -> None:
    doc = tmp_path / "aws.json"
    write(doc, "AKIAFIRST", "secret-one", expires_in=3600)
    provider = FileProvider(doc, format="json")
    config = provider_config(endpoint, provider)

    first = Recording(config)
    live = make_client(config, first.pool)
    assert live.bucket_exists(BUCKET)
    live.put_object(BUCKET, "k", io.BytesIO(b"v1"), 2)
    assert first.key_ids == ["AKIAFIRST", "AKIAFIRST"]

    # the mounted secret is replaced, long before the old credential's expiry
    write(doc, "AKIASECOND", "secret-two", expires_in=3600)
    second = Recording(config)
    fresh = make_client(config, second.pool)
    assert fresh.bucket_exists(BUCKET)
    assert second.key_ids == ["AKIASECOND"]
    # the client built before the rotation signs its next request with the new key too
    response = live.get_object(BUCKET, "k")
    try:
        assert response.read() == b"v1"
    finally:
        response.close()
        response.release_conn()
    assert first.key_ids[-1] == "AKIASECOND"
    assert provider.fetches == 2  # read once per version of the file, not once per request


def test_a_credential_without_a_user_name_is_a_configuration_error(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("only-a-secret\n")
    with pytest.raises(ConfigurationError, match="no user name") as caught:
        MinioCredentials(FileProvider(secret)).retrieve()
    assert "only-a-secret" not in str(caught.value)
