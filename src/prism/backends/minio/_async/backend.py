"""The minio backend class over the minio SDK (async flavour: the SDK is blocking, so every
call runs on the backend's :class:`prism.backends.WorkerPool`; the sync twin calls it
directly)."""

from __future__ import annotations

from prism.backends._objects._async.backend import AsyncObjectBackend
from prism.backends._objects._async.keyvalue import AsyncObjectKeyValue
from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._store import ObjectStore
from prism.backends.minio._driver import MinioDriver
from prism.backends.minio._errors import make_translate

__all__ = ["AsyncMinioBackend"]


class AsyncMinioBackend(AsyncObjectBackend):
    """One minio client over one bucket; the same layout as the s3 backend, without
    keyvalue_cas (see ``docs/backends/s3.md``)."""

    facet_classes = {"keyvalue": AsyncObjectKeyValue}

    def make_store(self, config: ObjectConfig) -> ObjectStore:
        return ObjectStore(self.settings.backend, MinioDriver(config), make_translate)
