"""The cost of credential providers (issue 17), on a real redis-server with an ACL user.

* steady state: prism keyvalue get/set with a ``file`` credential provider against the same
  namespace opened with the password in the connection string (no provider).  Providers are
  asked only when a connection is made, so the goal is "no measurable difference" (ratio
  within the run's noise, about ±3 %);
* the first call after a refresh: a fresh connection whose provider must fetch (a file read,
  an OIDC request to a loopback endpoint) against a fresh connection with the password in the
  URL; reported as microseconds per first call (median of many).

Run: python -m benchmarks.bench_auth
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

import prism
from benchmarks._harness import compare, report
from prism.backends.redis._testing import start_redis
from prism.credentials import FileCredentials, provider_for

ADMIN = "bench-admin"
USER, PASSWORD = "bench", "bench-Pa55"


def _config(port: int, credentials: dict[str, Any] | None) -> dict[str, Any]:
    if credentials is None:
        url = f"redis://{USER}:{PASSWORD}@127.0.0.1:{port}/0"
        return {"backends": {"r": {"type": "redis", "connection": url}}, "default_backend": "r"}
    url = f"redis://127.0.0.1:{port}/0"
    return {
        "backends": {"r": {"type": "redis", "connection": url, "credentials": credentials}},
        "default_backend": "r",
    }


def _first_call_us(config: dict[str, Any], rounds: int = 60) -> float:
    """Median time of open + first set, in microseconds: each round opens a new backend (a new
    pool and connection, as nothing else holds it) and, with a provider, forgets the cached
    credential first, so the provider reads its source again."""
    creds = config["backends"]["r"].get("credentials")
    provider = None if creds is None else provider_for(FileCredentials.model_validate(creds))
    times = []
    for i in range(rounds):
        if provider is not None:
            provider.invalidate()
        start = time.perf_counter()
        with prism.open(f"first-{i}", config=config) as ns:
            ns.keyvalue.set("k", b"v")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-auth-") as workdir:
        server = start_redis(Path(workdir) / "redis", password=ADMIN)
        try:
            with redis.Redis(port=server.port, password=ADMIN) as root:
                root.execute_command(
                    "ACL", "SETUSER", USER, "on", f">{PASSWORD}", "~*", "&*", "+@all"
                )
            secret = Path(workdir) / "password"
            secret.write_text(PASSWORD)
            plain = _config(server.port, None)
            provided = _config(
                server.port, {"provider": "file", "path": str(secret), "username": USER}
            )
            with (
                prism.open("steady", config=plain) as a,
                prism.open("steady", config=provided) as b,
            ):
                a.keyvalue.set("k", b"v" * 100)
                results = [
                    compare(
                        "get: file provider vs password in URL",
                        lambda: b.keyvalue.get("k"),
                        lambda: a.keyvalue.get("k"),
                        n=5_000,
                    ),
                    compare(
                        "set: file provider vs password in URL",
                        lambda: b.keyvalue.set("k", b"v" * 100),
                        lambda: a.keyvalue.set("k", b"v" * 100),
                        n=5_000,
                    ),
                ]
            report("credential providers, steady state (ratio = provider / no provider)", results)
            plain_first = _first_call_us(plain)
            file_first = _first_call_us(provided)
            print("== first call on a new connection (open + set), median of 60")
            print(f"password in URL           {plain_first:8.0f} us")
            print(f"file provider (stat+read) {file_first:8.0f} us")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
