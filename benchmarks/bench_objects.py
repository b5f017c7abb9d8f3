"""s3 and minio keyvalue against the raw drivers on the same server, same run: put/get of
1 KiB and 8 MiB, a key scan of 10,000 keys, delete_many of 5,000 keys (sync flavour).

The baselines are what an application would write by hand: boto3 ``put_object`` /
``get_object`` / the ``list_objects_v2`` paginator / ``delete_objects`` in chunks of 1,000, and
the minio SDK's ``put_object`` / ``get_object`` / ``list_objects`` / ``remove_objects``.  prism
does more on some of them by contract: ``get`` checks the expiry in the metadata (free: it comes
with the body), ``scan_keys`` lists the TTL markers alongside (one more listing per page),
``delete_many`` HEADs every key to return how many existed (a raw DeleteObjects cannot tell).

Run: python -m benchmarks.bench_objects       (a private moto_server, or PRISM_TEST_S3_URL)
"""

from __future__ import annotations

import io
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import prism
from benchmarks._harness import Result, compare, report
from prism.backends._objects._layout import Layout
from prism.backends._objects._store import fan_out
from prism.backends.s3._testing import REGION, release, shared_moto

BUCKET = "prism-bench"
SMALL = b"s" * 1024
LARGE = b"L" * (8 * 1024 * 1024)
SCAN_KEYS = 10_000
DELETE_KEYS = 5_000
WORKERS = 16


def config(url: str, backend: str) -> dict[str, Any]:
    options = {"region": REGION, "max_workers": WORKERS}
    return {
        "backends": {"o": {"type": backend, "connection": url, "options": options}},
        "default_backend": "o",
    }


def _once(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class Raw:
    """The baseline calls of one driver on one object name space."""

    def __init__(self, backend: str, client: Any, prefix: str) -> None:
        self.backend, self.client, self.prefix = backend, client, prefix

    def put(self, name: str, data: bytes) -> None:
        if self.backend == "s3":
            self.client.put_object(Bucket=BUCKET, Key=name, Body=data)
        else:
            self.client.put_object(BUCKET, name, io.BytesIO(data), len(data))

    def get(self, name: str) -> bytes:
        if self.backend == "s3":
            body = self.client.get_object(Bucket=BUCKET, Key=name)["Body"]
            with body:
                data: bytes = body.read()
            return data
        response = self.client.get_object(BUCKET, name)
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    def list_all(self, prefix: str) -> int:
        if self.backend == "s3":
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=BUCKET, Prefix=prefix
            )
            return sum(len(page.get("Contents", ())) for page in pages)
        return sum(1 for _ in self.client.list_objects(BUCKET, prefix=prefix, recursive=True))

    def delete_all(self, names: list[str]) -> None:
        from minio.deleteobjects import DeleteObject

        for i in range(0, len(names), 1000):
            chunk = names[i : i + 1000]
            if self.backend == "s3":
                self.client.delete_objects(
                    Bucket=BUCKET, Delete={"Objects": [{"Key": n} for n in chunk], "Quiet": True}
                )
            else:
                for _ in self.client.remove_objects(BUCKET, [DeleteObject(n) for n in chunk]):
                    pass


def bench(backend: str, url: str) -> list[Result]:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    results: list[Result] = []
    with prism.open(namespace, config=config(url, backend)) as ns:
        kv: Any = ns.keyvalue
        raw = Raw(backend, kv._store.driver.client, "raw/")
        layout = Layout("prism/", namespace)
        kv.set("small", SMALL)
        kv.set("large", LARGE)
        raw.put("raw/small", SMALL)
        raw.put("raw/large", LARGE)
        results.append(compare(f"{backend} put 1 KiB", lambda: kv.set("small", SMALL),
                               lambda: raw.put("raw/small", SMALL), n=100, rounds=5))  # fmt: skip
        results.append(compare(f"{backend} get 1 KiB", lambda: kv.get("small"),
                               lambda: raw.get("raw/small"), n=100, rounds=5))  # fmt: skip
        results.append(compare(f"{backend} put 8 MiB", lambda: kv.set("large", LARGE),
                               lambda: raw.put("raw/large", LARGE), n=3, rounds=3))  # fmt: skip
        results.append(compare(f"{backend} get 8 MiB", lambda: kv.get("large"),
                               lambda: raw.get("raw/large"), n=3, rounds=3))  # fmt: skip

        # scan: the same 10,000 objects, listed by prism (scan_keys) and raw (paginator)
        kv.set_many({f"scan:{i:05d}": b"x" for i in range(SCAN_KEYS)})
        prism_scan = _once(lambda: sum(1 for _ in kv.scan_keys("scan:")), 3)
        raw_scan = _once(lambda: raw.list_all(layout.data + "scan:"), 3)
        results.append(Result(f"{backend} scan 10,000 keys", 1 / prism_scan, 1 / raw_scan))
        print(f"{backend} scan 10,000 keys: prism {prism_scan:.2f} s, raw {raw_scan:.2f} s")

        # delete_many: 5,000 of those keys by prism, then (written back) by raw DeleteObjects;
        # one round each: rewriting 5,000 objects per round costs more than the deletes
        keys = [f"scan:{i:05d}" for i in range(DELETE_KEYS)]
        names = [layout.name(k) for k in keys]
        start = time.perf_counter()
        assert kv.delete_many(keys) == DELETE_KEYS
        prism_delete = time.perf_counter() - start
        fan_out(lambda n: raw.put(n, b"x"), names, WORKERS)
        start = time.perf_counter()
        raw.delete_all(names)
        raw_delete = time.perf_counter() - start
        results.append(Result(f"{backend} delete_many 5,000", 1 / prism_delete, 1 / raw_delete))
        print(f"{backend} delete_many 5,000: prism {prism_delete:.2f} s, raw {raw_delete:.2f} s")
        kv.delete_many([f"scan:{i:05d}" for i in range(SCAN_KEYS)])
    return results


def main() -> None:
    server = shared_moto(BUCKET)
    try:
        for backend in ("s3", "minio"):
            report(f"{backend} vs raw {'boto3' if backend == 's3' else 'minio'} (moto_server, "
                   "ops/s; scan and delete_many: whole operations/s)", bench(backend, server.url(BUCKET)))  # fmt: skip
    finally:
        release()


if __name__ == "__main__":
    main()
