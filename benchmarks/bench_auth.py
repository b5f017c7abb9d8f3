"""The cost of credential providers (issue 17), on a real redis-server with ACL users.

The machine these run on is shared and loaded, so wall-clock figures are noise; the robust
figure is the client process's **CPU time** (``time.process_time``), and its **minimum** over
many interleaved blocks (the block least disturbed by others).  Wall-clock minima and medians
are printed beside it.

* **steady state**: prism keyvalue get/set through a namespace whose backend entry has a
  ``file`` credential provider, against one with the password in the connection string (no
  provider).  Providers are asked only when a connection is made, so the goal is "no
  measurable difference".  A control pair (password in the URL against another entry with the
  password in the URL) shows what "no difference" looks like in the same run.
* **the wrapper every command passes through**: with a provider, redis-py's ``Retry`` is prism's
  ``RefreshingRetry`` (one refresh of a rejected credential); its ``call_with_retry`` runs once
  per command.  Timed alone around a no-op, CPU-bound, it bounds what a provider can add to a
  steady-state call, far below the round trip's noise.
* **the first call after a refresh**: open + first ``set`` on a new connection, the provider's
  cached credential forgotten first (``invalidate``), so the provider reads its source again: a
  file read, or an OIDC client-credentials request to a loopback token endpoint.  Against the
  same with the password in the URL, and with a file provider whose credential is still cached.

Blocks of each variant alternate (A B B A ...) round by round so drift hits every variant alike.

Run: python -m benchmarks.bench_auth
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from pydantic import TypeAdapter

import prism
from prism.backends.redis._testing import start_redis
from prism.credentials import CredentialProvider, CredentialsConfig, provider_for

ADMIN = "bench-admin"
USER, PASSWORD = "bench", "bench-Pa55"
OIDC_USER = "bench-oidc"  # a nopass ACL user: the rotating token is its password


def _config(port: int, name: str, credentials: dict[str, Any] | None) -> dict[str, Any]:
    if credentials is None:
        url = f"redis://{USER}:{PASSWORD}@127.0.0.1:{port}/0"
        entry: dict[str, Any] = {"type": "redis", "connection": url}
    else:
        url = f"redis://127.0.0.1:{port}/0"
        entry = {"type": "redis", "connection": url, "credentials": credentials}
    return {"backends": {name: entry}, "default_backend": name}


def _provider(config: dict[str, Any]) -> CredentialProvider | None:
    (entry,) = config["backends"].values()
    creds = entry.get("credentials")
    if creds is None:
        return None
    return provider_for(TypeAdapter(CredentialsConfig).validate_python(creds))


def _block(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``n`` calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def _interleaved(
    variants: dict[str, Callable[[], object]], n: int, rounds: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Per variant: CPU and wall seconds per call of each block, blocks alternating order."""
    names = list(variants)
    out: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in names}
    for fn in variants.values():  # warm-up
        _block(fn, max(1, n // 10))
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            cpu, wall = _block(variants[name], n)
            out[name][0].append(cpu / n)
            out[name][1].append(wall / n)
    return out


def _print(title: str, data: dict[str, tuple[list[float], list[float]]], base: str) -> None:
    print(f"== {title}")
    print(
        f"{'':44} {'cpu min':>9} {'cpu med':>9} {'wall min':>9} {'wall med':>9} {'cpu-min ratio':>14}"
    )
    base_min = min(data[base][0])
    for name, (cpu, wall) in data.items():
        print(
            f"{name:44} {min(cpu) * 1e6:8.1f}u {statistics.median(cpu) * 1e6:8.1f}u "
            f"{min(wall) * 1e6:8.1f}u {statistics.median(wall) * 1e6:8.1f}u "
            f"{min(cpu) / base_min:13.3f}x"
        )


def _first_call(config: dict[str, Any], refresh: bool) -> Callable[[], object]:
    """open + first set on a new connection (nothing else holds the entry, so each open makes
    a new pool); with ``refresh`` the provider forgets its credential first."""
    provider = _provider(config)
    counter = iter(range(10**9))

    def call() -> None:
        if refresh and provider is not None:
            provider.invalidate()
        with prism.open(f"first-{next(counter)}", config=config) as ns:
            ns.keyvalue.set("k", b"v")

    return call


def _retry_wrapper() -> None:
    """redis-py's Retry against prism's RefreshingRetry around a no-op: the per-command CPU a
    provider adds in steady state (no I/O, so CPU-time minima are exact to ~0.01 us)."""
    import redis.retry
    from redis.backoff import NoBackoff

    from prism.backends.redis._core import RefreshingRetry
    from prism.credentials import StaticProvider

    plain = redis.retry.Retry(NoBackoff(), 3)
    refreshing = RefreshingRetry(NoBackoff(), 3, StaticProvider("x", "u"))

    def do() -> int:
        return 1

    def fail(error: Exception) -> None:
        pass

    data = _interleaved(
        {
            "call_with_retry, redis-py Retry": lambda: plain.call_with_retry(do, fail),
            "call_with_retry, RefreshingRetry": lambda: refreshing.call_with_retry(do, fail),
        },
        n=20_000,
        rounds=30,
    )
    _print("the per-command retry wrapper, no I/O", data, "call_with_retry, redis-py Retry")
    extra = min(data["call_with_retry, RefreshingRetry"][0]) - min(
        data["call_with_retry, redis-py Retry"][0]
    )
    print(f"a provider adds {extra * 1e6:.2f} us of CPU per command (difference of minima)")


def main() -> None:
    from tests.test_credentials import TokenEndpoint  # the tests' loopback token endpoint

    load_before = os.getloadavg()
    _retry_wrapper()
    with tempfile.TemporaryDirectory(prefix="bench-auth-") as workdir, TokenEndpoint() as idp:
        os.environ["XDG_CACHE_HOME"] = str(Path(workdir) / "cache")
        server = start_redis(Path(workdir) / "redis", password=ADMIN)
        try:
            with redis.Redis(port=server.port, password=ADMIN) as root:
                root.execute_command(
                    "ACL", "SETUSER", USER, "on", f">{PASSWORD}", "~*", "&*", "+@all"
                )
                root.execute_command("ACL", "SETUSER", OIDC_USER, "on", "nopass", "~*", "+@all")
            secret = Path(workdir) / "password"
            secret.write_text(PASSWORD)
            file_creds = {"provider": "file", "path": str(secret), "username": USER}
            oidc_creds = {
                "provider": "oidc",
                "token_url": idp.url,
                "client_id": "app",
                "client_secret": "app-secret",
                "username": OIDC_USER,
            }
            plain = _config(server.port, "plain", None)
            control = _config(server.port, "control", None)
            provided = _config(server.port, "file", file_creds)
            oidc = _config(server.port, "oidc", oidc_creds)

            with (
                prism.open("steady", config=plain) as a,
                prism.open("steady", config=control) as c,
                prism.open("steady", config=provided) as b,
            ):
                a.keyvalue.set("k", b"v" * 100)
                value = b"v" * 100
                gets = _interleaved(
                    {
                        "get, password in URL": lambda: a.keyvalue.get("k"),
                        "get, password in URL (control entry)": lambda: c.keyvalue.get("k"),
                        "get, file provider": lambda: b.keyvalue.get("k"),
                    },
                    n=250,
                    rounds=80,
                )
                sets = _interleaved(
                    {
                        "set, password in URL": lambda: a.keyvalue.set("k", value),
                        "set, password in URL (control entry)": lambda: c.keyvalue.set("k", value),
                        "set, file provider": lambda: b.keyvalue.set("k", value),
                    },
                    n=250,
                    rounds=80,
                )
            _print("steady state, per call (u = microseconds)", gets, "get, password in URL")
            _print("", sets, "set, password in URL")

            first = _interleaved(
                {
                    "open + first set, password in URL": _first_call(plain, False),
                    "open + first set, file provider cached": _first_call(provided, False),
                    "open + first set, file provider refreshed": _first_call(provided, True),
                    "open + first set, oidc provider refreshed": _first_call(oidc, True),
                },
                n=1,
                rounds=60,
            )
            _print(
                "first call on a new connection, per call",
                first,
                "open + first set, password in URL",
            )
            print(f"oidc tokens issued: {len(idp.issued)}")
        finally:
            server.stop()
    load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min)")


if __name__ == "__main__":
    main()
