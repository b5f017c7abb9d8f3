"""s3 and minio keyvalue against the raw drivers on the same server, same run: put/get of
1 KiB and 8 MiB, a key scan of 10,000 keys, delete_many of 5,000 keys (sync flavour).

The baselines are what an application would write by hand: boto3 ``put_object`` /
``get_object`` / the ``list_objects_v2`` paginator / ``delete_objects`` in chunks of 1,000, and
the minio SDK's ``put_object`` / ``get_object`` / ``list_objects`` / ``remove_objects``.  The
raw gets read the very object prism reads (the server's work is then the same: a value prism
wrote in one PUT and one the SDK wrote in 5 MiB parts are not served alike).  prism does more
on some rows by contract: ``get`` checks the expiry in the metadata (free: it comes with the
body), ``scan_keys`` lists the TTL markers once per scan, ``delete_many`` lists the keys' range
(names and ETags) to return how many existed, which a raw DeleteObjects cannot tell.

Every row alternates prism and raw, the side going first swapping each round; it reports the
median and the minimum of each side's wall time (and, for single objects, the client CPU-time
minimum: the steady figure on a loaded machine), with the load average before and after.

Run: python -m benchmarks.bench_objects       (a private moto_server, or PRISM_TEST_S3_URL)
"""

from __future__ import annotations

import io
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import prism
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


def _timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """(wall, CPU) seconds per call of ``n`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def row(
    name: str,
    prism_fn: Callable[[], object],
    raw_fn: Callable[[], object],
    *,
    n: int,
    rounds: int,
    between: Callable[[], object] | None = None,
) -> str:
    """Alternate the two sides over ``rounds`` (who goes first swaps each round; ``between``
    runs untimed before every timed side); the row's line of figures."""
    sides: dict[str, list[tuple[float, float]]] = {"prism": [], "raw": []}
    for r in range(rounds):
        order = [("prism", prism_fn), ("raw", raw_fn)]
        for side, fn in order if r % 2 == 0 else order[::-1]:
            if between is not None:
                between()
            sides[side].append(_timed(fn, n))
    p_wall, r_wall = ([w for w, _ in sides[s]] for s in ("prism", "raw"))
    p_cpu, r_cpu = (min(c for _, c in sides[s]) for s in ("prism", "raw"))
    med = statistics.median(p_wall) / statistics.median(r_wall)
    low = min(p_wall) / min(r_wall)
    return (
        f"{name:<28} median {statistics.median(p_wall) * 1e3:9.1f} / "
        f"{statistics.median(r_wall) * 1e3:9.1f} ms = {med:4.2f}x   min "
        f"{min(p_wall) * 1e3:9.1f} / {min(r_wall) * 1e3:9.1f} ms = {low:4.2f}x   "
        f"cpu min {p_cpu * 1e3:8.2f} / {r_cpu * 1e3:8.2f} ms = {p_cpu / r_cpu:4.2f}x"
    )


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


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

    def delete_counting(self, names: list[str], prefix: str) -> int:
        """What a raw client must do to return what ``delete_many`` returns (how many of the
        keys existed): list the range the names span, then delete in chunks of 1,000."""
        wanted = set(names)
        low = min(names)
        if self.backend == "s3":
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=BUCKET, Prefix=prefix, StartAfter=low[:-1]
            )
            existing = 0
            for page in pages:
                contents = page.get("Contents", ())
                existing += sum(1 for o in contents if o["Key"] in wanted)
                if contents and contents[-1]["Key"] >= max(names):
                    break
        else:
            existing = 0
            for o in self.client.list_objects(
                BUCKET, prefix=prefix, recursive=True, start_after=low[:-1]
            ):
                existing += o.object_name in wanted
        self.delete_all(names)
        return existing


def bench(backend: str, url: str) -> list[str]:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    lines: list[str] = []
    with prism.open(namespace, config=config(url, backend)) as ns:
        kv: Any = ns.keyvalue
        raw = Raw(backend, kv._store.driver.client, "raw/")
        layout = Layout("prism/", namespace)
        kv.set("small", SMALL)
        kv.set("large", LARGE)
        lines.append(row("put 1 KiB", lambda: kv.set("small", SMALL),
                         lambda: raw.put("raw/small", SMALL), n=50, rounds=10))  # fmt: skip
        lines.append(row("get 1 KiB", lambda: kv.get("small"),
                         lambda: raw.get(layout.name("small")), n=50, rounds=10))  # fmt: skip
        lines.append(row("put 8 MiB", lambda: kv.set("large", LARGE),
                         lambda: raw.put("raw/large", LARGE), n=2, rounds=8))  # fmt: skip
        lines.append(row("get 8 MiB", lambda: kv.get("large"),
                         lambda: raw.get(layout.name("large")), n=2, rounds=8))  # fmt: skip

        # scan: the same 10,000 objects, listed by prism (scan_keys) and raw (paginator)
        kv.set_many({f"scan:{i:05d}": b"x" for i in range(SCAN_KEYS)})
        lines.append(row("scan_keys of 10,000", lambda: sum(1 for _ in kv.scan_keys("scan:")),
                         lambda: raw.list_all(layout.data + "scan:"), n=1, rounds=3))  # fmt: skip

        # delete_many: 5,000 of those keys, written back (untimed) before every side
        keys = [f"scan:{i:05d}" for i in range(DELETE_KEYS)]
        names = [layout.name(k) for k in keys]

        def prism_delete() -> None:
            assert kv.delete_many(keys) == DELETE_KEYS

        lines.append(row("delete_many of 5,000", prism_delete, lambda: raw.delete_all(names),
                         n=1, rounds=2,
                         between=lambda: fan_out(lambda n: raw.put(n, b"x"), names, WORKERS)))  # fmt: skip

        # the same work on both sides: raw also learns how many of the keys existed
        def raw_counting() -> None:
            assert raw.delete_counting(names, layout.data + "scan:") == DELETE_KEYS

        lines.append(row("delete_many, raw counting", prism_delete, raw_counting,
                         n=1, rounds=2,
                         between=lambda: fan_out(lambda n: raw.put(n, b"x"), names, WORKERS)))  # fmt: skip
        kv.delete_many([f"scan:{i:05d}" for i in range(SCAN_KEYS)])
    return lines


def main() -> None:
    server = shared_moto(BUCKET)
    try:
        for backend in ("s3", "minio"):
            print(f"== {backend} vs raw {'boto3' if backend == 's3' else 'minio SDK'} "
                  f"(moto_server; prism / raw per call; {load()})")  # fmt: skip
            for line in bench(backend, server.url(BUCKET)):
                print(line, flush=True)
            print(f"   ({load()})")
    finally:
        release()


if __name__ == "__main__":
    main()
