"""The minio SDK adapter of the object primitives (``prism.backends._objects._store.Driver``).

Not :attr:`~Driver.conditional`: the SDK's public ``put_object`` and ``remove_object`` take no
``If-Match`` / ``If-None-Match`` (and prism calls no private method of a driver), so the minio
backend leaves keyvalue_cas undeclared.  The server-side copy that rewrites metadata *is*
conditional (``CopySource(match_etag=...)``), so ``expire``/``persist`` stay safe against a
racing write.  Values above ``multipart_threshold`` go up through ``put_object``'s own multipart
upload in ``part_size`` parts (three in flight), read from the value without copying it whole.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import urllib3
from minio import Minio  # noqa: TID253 (backend-internal module)
from minio.commonconfig import REPLACE, CopySource  # noqa: TID253
from minio.credentials.providers import (  # noqa: TID253
    AWSConfigProvider,
    ChainedProvider,
    EnvAWSProvider,
    EnvMinioProvider,
    IamAwsProvider,
    Provider,
)
from minio.deleteobjects import DeleteObject  # noqa: TID253
from minio.error import S3Error  # noqa: TID253

from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._store import Blob, Driver, Head
from prism.backends.minio._credentials import MinioCredentials
from prism.errors import ConfigurationError, UnsupportedError

__all__ = ["DeleteFailed", "MinioDriver", "make_client", "pool_manager"]

_MISSING = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})
_CONDITION = frozenset({"PreconditionFailed"})
_META = "x-amz-meta-"


class DeleteFailed(Exception):
    """A key of a multi-object delete was refused (``code`` is the S3 error code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def pool_manager(config: ObjectConfig) -> urllib3.PoolManager:
    """The HTTP pool the client uses: timeouts, TLS verification, CA bundle and retries."""
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
        maxsize=max(10, config.max_workers * 2),
        cert_reqs="CERT_REQUIRED" if config.verify else "CERT_NONE",
        ca_certs=config.ca_bundle,
        retries=urllib3.Retry(
            total=config.max_attempts - 1,
            backoff_factor=0.2,
            status_forcelist=[500, 502, 503, 504],
        ),
    )


def make_client(config: ObjectConfig, http: urllib3.PoolManager) -> Minio:
    """A minio client with every connection option of ``config`` passed through."""
    endpoint = config.endpoint_url or "https://s3.amazonaws.com"
    host = endpoint.split("://", 1)[1].rstrip("/")
    credentials: Provider | None = None
    if config.credentials is not None:  # prism.yaml's provider, asked on every request
        credentials = MinioCredentials(config.credentials)
    elif not config.access_key:
        credentials = ChainedProvider(
            [EnvAWSProvider(), EnvMinioProvider(), AWSConfigProvider(profile=config.profile),
             IamAwsProvider()]
        )  # fmt: skip
    client = Minio(
        host,
        access_key=None if credentials is not None else config.access_key,
        secret_key=config.secret_key,
        session_token=config.session_token,
        secure=endpoint.startswith("https://"),
        region=config.region,
        http_client=http,
        credentials=credentials,
        cert_check=config.verify,
    )
    if config.addressing_style == "path":
        client.disable_virtual_style_endpoint()  # type: ignore[no-untyped-call]
    elif config.addressing_style == "virtual":
        client.enable_virtual_style_endpoint()  # type: ignore[no-untyped-call]
    return client


def _user_meta(headers: Mapping[str, Any]) -> dict[str, str]:
    return {
        k.lower()[len(_META) :]: str(v) for k, v in headers.items() if k.lower().startswith(_META)
    }


class MinioDriver(Driver):
    conditional = False

    def __init__(self, config: ObjectConfig, client: Minio | None = None) -> None:
        super().__init__(config)
        self.http = pool_manager(config)
        self.client = client if client is not None else make_client(config, self.http)

    def check_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            msg = f"{self.config.where} does not exist; create it first (prism never does)"
            raise ConfigurationError(msg)

    def bucket_exists(self) -> bool:
        return bool(self.client.bucket_exists(self.bucket))

    def create_bucket(self) -> None:
        try:
            self.client.make_bucket(self.bucket, location=self.config.region)
        except S3Error as exc:
            if exc.code != "BucketAlreadyOwnedByYou":
                raise

    def head(self, name: str) -> Head | None:
        try:
            stat = self.client.stat_object(self.bucket, name)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise
        return Head(str(stat.etag), _user_meta(stat.metadata or {}), int(stat.size or 0))

    def get(self, name: str) -> Blob | None:
        try:
            response = self.client.get_object(self.bucket, name)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise
        try:
            data = response.read()
            headers = response.headers
        finally:
            response.close()
            response.release_conn()
        return Blob(data, str(headers.get("ETag", "")).strip('"'), _user_meta(headers))

    def put(
        self,
        name: str,
        data: bytes,
        meta: dict[str, str],
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        tags: dict[str, str] | None = None,
    ) -> bool:
        if tags:
            msg = "the minio backend writes no object tags (install_lifecycle is s3 only)"
            raise UnsupportedError(msg)
        if if_match is not None or if_none_match:
            msg = "the minio SDK cannot send conditional writes (If-Match / If-None-Match)"
            raise UnsupportedError(msg)
        threshold = self.config.multipart_threshold
        part_size = threshold if len(data) <= threshold else self.config.part_size
        self.client.put_object(
            self.bucket,
            name,
            io.BytesIO(data),  # shares the bytes' buffer: no copy
            len(data),
            metadata=dict(meta) or None,
            part_size=part_size,
        )
        return True

    def replace_meta(
        self, name: str, meta: dict[str, str], if_match: str, tags: dict[str, str] | None = None
    ) -> bool:
        if tags:
            msg = "the minio backend writes no object tags (install_lifecycle is s3 only)"
            raise UnsupportedError(msg)
        try:
            self.client.copy_object(
                self.bucket,
                name,
                CopySource(self.bucket, name, match_etag=if_match),
                metadata=dict(meta),
                metadata_directive=REPLACE,
            )
        except S3Error as exc:
            if exc.code in _CONDITION or exc.code in _MISSING:
                return False
            raise
        return True

    def delete(self, name: str, *, if_match: str | None = None) -> bool:
        if if_match is not None:
            msg = "the minio SDK cannot send a conditional delete (If-Match)"
            raise UnsupportedError(msg)
        self.client.remove_object(self.bucket, name)
        return True

    def delete_batch(self, names: Sequence[str], etags: Sequence[str]) -> set[str]:
        del etags  # DeleteObject takes no ETag: the delete is unconditional
        errors = self.client.remove_objects(self.bucket, [DeleteObject(n) for n in names])
        for error in errors:  # the iterator sends the request; refused keys come back
            raise DeleteFailed(str(error.code), str(error.message))
        return set()

    def list_etags(
        self, prefix: str, *, start_after: str | None, token: str | None, max_keys: int
    ) -> tuple[list[tuple[str, str]], str | None]:
        # The SDK pages with ListObjectsV2 inside a generator that exposes no continuation
        # token; the last name of a page resumes the listing (StartAfter) instead.
        listing = self.client.list_objects(
            self.bucket, prefix=prefix, recursive=True, start_after=token or start_after
        )
        names: list[tuple[str, str]] = []
        try:
            for item in listing:
                names.append((str(item.object_name), str(item.etag or "").strip('"')))
                if len(names) >= max_keys:
                    break
        finally:
            close = getattr(listing, "close", None)
            if close is not None:
                close()
        return names, (names[-1][0] if len(names) >= max_keys else None)

    def close(self) -> None:
        self.http.clear()
