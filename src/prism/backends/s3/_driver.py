"""The boto3 adapter of the object primitives (``prism.backends._objects._store.Driver``).

boto3 sends ``If-Match`` / ``If-None-Match`` on PutObject, CompleteMultipartUpload and
DeleteObject, so this driver is :attr:`~Driver.conditional` and the s3 backend declares
keyvalue_cas.  Values above ``multipart_threshold`` go up as a multipart upload of
``part_size`` parts, at most ``min(4, max_workers)`` in flight (each a slice of the value: memory
stays bounded by those parts); a failed upload is aborted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import boto3  # noqa: TID253 (backend-internal module)
import botocore.credentials
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._store import Blob, Driver, Head, fan_out
from prism.credentials import CredentialProvider
from prism.errors import ConfigurationError

__all__ = ["Boto3Driver", "make_client", "make_session"]

_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_CONDITION = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})
_PARTS_IN_FLIGHT = 4


class _ProviderChain(botocore.credentials.CredentialProvider):  # type: ignore[misc]
    """prism's credential provider as the first link of botocore's chain: botocore asks it
    again (``refresh_using``) when the credential it handed out comes near its expiry."""

    METHOD = "prism-credentials"

    def __init__(self, provider: CredentialProvider) -> None:
        super().__init__()
        self.provider = provider

    def _metadata(self) -> dict[str, Any]:
        cred = self.provider.get()
        expires = cred.expires_at if cred.expires_at is not None else time.time() + 3600
        return {
            "access_key": cred.username or "",
            "secret_key": cred.secret,
            "token": cred.extra.get("session_token"),
            "expiry_time": dt.datetime.fromtimestamp(expires, dt.UTC).isoformat(),
        }

    def load(self) -> Any:
        return botocore.credentials.RefreshableCredentials.create_from_metadata(
            metadata=self._metadata(), refresh_using=self._metadata, method=self.METHOD
        )


def make_session(config: ObjectConfig) -> Any:
    """The boto3 session: credentials from the URL/options, from a prism.yaml provider, or
    botocore's default chain."""
    if config.credentials is not None:
        core = botocore.session.Session(profile=config.profile)
        chain = core.get_component("credential_provider")
        chain.insert_before("env", _ProviderChain(config.credentials))
        return boto3.session.Session(botocore_session=core, region_name=config.region)
    return boto3.session.Session(
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret_key,
        aws_session_token=config.session_token,
        region_name=config.region,
        profile_name=config.profile,
    )


def make_client(config: ObjectConfig) -> Any:
    """A boto3 S3 client with every connection option of ``config`` passed through."""
    session = make_session(config)
    botocore_config = Config(
        region_name=config.region,
        s3={"addressing_style": config.addressing_style},
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        retries={"mode": config.retry_mode, "total_max_attempts": config.max_attempts},
        max_pool_connections=max(10, config.max_workers * 2),
    )
    verify: bool | str = config.ca_bundle if config.ca_bundle else config.verify
    return session.client(
        "s3", endpoint_url=config.endpoint_url, verify=verify, config=botocore_config
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class Boto3Driver(Driver):
    conditional = True

    def __init__(self, config: ObjectConfig, client: Any | None = None) -> None:
        super().__init__(config)
        self.client = client if client is not None else make_client(config)

    def check_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = _code(exc)
            if code in ("404", "NoSuchBucket", "NotFound"):
                msg = f"{self.config.where} does not exist; create it first (prism never does)"
                raise ConfigurationError(msg) from exc
            if code in ("403", "AccessDenied", "Forbidden"):
                msg = (
                    f"access to {self.config.where} was refused (HTTP 403); check the "
                    "credentials and the bucket policy"
                )
                raise ConfigurationError(msg) from exc
            raise

    def bucket_exists(self) -> bool:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise
        return True

    def create_bucket(self) -> None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self.config.region and self.config.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.config.region}
        try:
            self.client.create_bucket(**kwargs)
        except ClientError as exc:
            if _code(exc) != "BucketAlreadyOwnedByYou":
                raise

    def get_lifecycle(self) -> list[dict[str, Any]]:
        try:
            r = self.client.get_bucket_lifecycle_configuration(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) == "NoSuchLifecycleConfiguration":
                return []
            raise
        return list(r.get("Rules", ()))

    def put_lifecycle(self, rules: list[dict[str, Any]]) -> None:
        self.client.put_bucket_lifecycle_configuration(
            Bucket=self.bucket, LifecycleConfiguration={"Rules": rules}
        )

    def head(self, name: str) -> Head | None:
        try:
            r = self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise
        return Head(r["ETag"], r.get("Metadata", {}), r["ContentLength"])

    def get(self, name: str) -> Blob | None:
        try:
            r = self.client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise
        with r["Body"] as body:
            data = body.read()
        return Blob(data, r["ETag"], r.get("Metadata", {}))

    @staticmethod
    def _conditions(if_match: str | None, if_none_match: bool) -> dict[str, str]:
        if if_match is not None:
            return {"IfMatch": if_match}
        return {"IfNoneMatch": "*"} if if_none_match else {}

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
        conditions = self._conditions(if_match, if_none_match)
        extra = {"Tagging": urlencode(tags)} if tags else {}
        try:
            if len(data) > self.config.multipart_threshold:
                self._multipart(name, data, meta, conditions, extra)
            else:
                self.client.put_object(
                    Bucket=self.bucket, Key=name, Body=data, Metadata=meta, **conditions, **extra
                )
        except ClientError as exc:
            if conditions and (_code(exc) in _CONDITION or _code(exc) in _MISSING):
                return False
            raise
        return True

    def _multipart(
        self,
        name: str,
        data: bytes,
        meta: dict[str, str],
        conditions: dict[str, str],
        extra: dict[str, str],
    ) -> None:
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=name, Metadata=meta, **extra
        )
        upload_id = upload["UploadId"]
        size = self.config.part_size
        view = memoryview(data)

        def send(number: int) -> dict[str, Any]:
            start = (number - 1) * size
            part = bytes(view[start : start + size])
            r = self.client.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=part
            )
            return {"ETag": r["ETag"], "PartNumber": number}

        try:
            numbers = range(1, -(-len(data) // size) + 1)
            parts = fan_out(send, numbers, min(_PARTS_IN_FLIGHT, self.config.max_workers))
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                **conditions,
            )
        except BaseException:
            # the original error matters; a leftover upload is reclaimed by S3's own rules
            with contextlib.suppress(ClientError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise

    def replace_meta(
        self, name: str, meta: dict[str, str], if_match: str, tags: dict[str, str] | None = None
    ) -> bool:
        # The tags are always replaced (by none, unless given): a key that stops expiring must
        # not keep an expiry-class tag a lifecycle rule would act on (see _lifecycle).
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=name,
                CopySource={"Bucket": self.bucket, "Key": name},
                Metadata=meta,
                MetadataDirective="REPLACE",
                TaggingDirective="REPLACE",
                Tagging=urlencode(tags or {}),
                CopySourceIfMatch=if_match,
            )
        except ClientError as exc:
            if _code(exc) in _CONDITION or _code(exc) in _MISSING:
                return False
            raise
        return True

    def delete(self, name: str, *, if_match: str | None = None) -> bool:
        try:
            if if_match is None:
                self.client.delete_object(Bucket=self.bucket, Key=name)
            else:
                self.client.delete_object(Bucket=self.bucket, Key=name, IfMatch=if_match)
        except ClientError as exc:
            if if_match is not None and (_code(exc) in _CONDITION or _code(exc) in _MISSING):
                return False
            raise
        return True

    def delete_batch(self, names: Sequence[str], etags: Sequence[str]) -> set[str]:
        objects = [{"Key": n, "ETag": e} for n, e in zip(names, etags, strict=True)]
        r = self.client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
        )
        refused: set[str] = set()
        for error in r.get("Errors") or []:
            if error.get("Code") in _CONDITION:
                refused.add(error["Key"])
            elif error.get("Code") not in _MISSING:
                response: Any = {
                    "Error": {"Code": error.get("Code"), "Message": error.get("Message")}
                }
                raise ClientError(response, "DeleteObjects")
        return refused

    def list_etags(
        self, prefix: str, *, start_after: str | None, token: str | None, max_keys: int
    ) -> tuple[list[tuple[str, str]], str | None]:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "MaxKeys": max_keys}
        if token is not None:
            kwargs["ContinuationToken"] = token
        elif start_after is not None:
            kwargs["StartAfter"] = start_after
        r = self.client.list_objects_v2(**kwargs)
        names = [(item["Key"], item.get("ETag", "")) for item in r.get("Contents", ())]
        following = r.get("NextContinuationToken") if r.get("IsTruncated") else None
        return names, following

    def close(self) -> None:
        self.client.close()
