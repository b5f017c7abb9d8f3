# Generated from src/prism/backends/minio/_async/backend.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""The minio backend class over the minio SDK (async flavour: the SDK is blocking, so every
call runs on the backend's :class:`prism.backends.WorkerPool`; the sync twin calls it
directly)."""

from __future__ import annotations

from prism.backends._objects._config import ObjectConfig
from prism.backends._objects._store import ObjectStore
from prism.backends._objects.backend import ObjectBackend
from prism.backends._objects.keyvalue import ObjectKeyValue
from prism.backends.minio._driver import MinioDriver
from prism.backends.minio._errors import make_translate

__all__ = ["MinioBackend"]


class MinioBackend(ObjectBackend):
    """One minio client over one bucket; the same layout as the s3 backend, without
    keyvalue_cas (see ``docs/backends/s3.md``)."""

    facet_classes = {"keyvalue": ObjectKeyValue}

    def make_store(self, config: ObjectConfig) -> ObjectStore:
        return ObjectStore(self.settings.backend, MinioDriver(config), make_translate)
