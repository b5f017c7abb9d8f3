"""The s3 backend class over boto3 (async flavour: boto3 is blocking, so every call runs on
the backend's :class:`prism.backends.WorkerPool`; the sync twin calls boto3 directly)."""

from __future__ import annotations

from prism.backends._objects._async.backend import AsyncObjectBackend
from prism.backends._objects._async.keyvalue import AsyncObjectKeyValueCAS
from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._store import ObjectStore
from prism.backends.s3._driver import Boto3Driver
from prism.backends.s3._errors import make_translate

__all__ = ["AsyncS3Backend"]


class AsyncS3Backend(AsyncObjectBackend):
    """One boto3 client over one bucket; every namespace is a key prefix in it (see
    ``docs/backends/s3.md``)."""

    facet_classes = {"keyvalue": AsyncObjectKeyValueCAS}

    def make_store(self, config: ObjectConfig) -> ObjectStore:
        return ObjectStore(self.settings.backend, Boto3Driver(config), make_translate)
