"""The ``prism`` command: ``demo``, ``registry``, ``validate``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

import prism
from prism.errors import ConfigurationError, PrismError

__all__ = ["main"]


@click.group()
@click.version_option(prism.__version__, prog_name="prism")
def main() -> None:
    """prism: one small, precise API over many data stores, in your own process."""


def _step(text: str) -> None:
    click.echo(click.style(f"\n▸ {text}", bold=True))


def _show(code: str, result: object) -> None:
    click.echo(f"  {code:<52} → {result!r}")


@main.command()
def demo() -> None:
    """A short guided tour on the embedded default (no server needed)."""
    click.echo("prism demo: every namespace below opens on the embedded in-memory default,")
    click.echo("because no prism.yaml is configured.  The same code runs on Redis, SQLite, ...")
    with prism.open("demo", config={}) as ns:
        click.echo(f"\nopened {ns!r}")
        kv = ns.keyvalue
        _step("keyvalue: set, get, exists, delete")
        kv.set("greeting", b"hello, prism")
        _show('kv.set("greeting", b"hello, prism")', None)
        _show('kv.get("greeting")', kv.get("greeting"))
        _show('kv.exists("nobody")', kv.exists("nobody"))
        try:
            kv.get("nobody")
        except prism.KeyNotFoundError as exc:
            _show('kv.get("nobody")', exc)

        _step("keyvalue_ttl: keys that expire")
        _show("isinstance(kv, prism.KeyValueTTL)", isinstance(kv, prism.KeyValueTTL))
        assert isinstance(kv, prism.KeyValueTTL)
        kv.set("session", b"token-123", ttl=0.3)
        _show('kv.set("session", b"token-123", ttl=0.3)', None)
        ttl = kv.get_ttl("session")
        _show('kv.get_ttl("session")', None if ttl is None else round(ttl, 2))
        time.sleep(0.35)  # a demo may wait for real; tests move an injected clock instead
        _show('... 0.35 s later: kv.exists("session")', kv.exists("session"))

        _step("keyvalue_cas: compare-and-swap, linearizable per key")
        assert isinstance(kv, prism.KeyValueCAS)
        _show(
            'kv.compare_and_swap("counter", None, b"1")', kv.compare_and_swap("counter", None, b"1")
        )
        _show(
            'kv.compare_and_swap("counter", b"7", b"8")', kv.compare_and_swap("counter", b"7", b"8")
        )
        _show(
            'kv.compare_and_swap("counter", b"1", b"2")', kv.compare_and_swap("counter", b"1", b"2")
        )
        _show('kv.get("counter")', kv.get("counter"))

        _step("bad input is refused before any I/O")
        try:
            kv.set("", b"x")
        except prism.InvalidArgumentError as exc:
            _show('kv.set("", b"x")', exc)
        try:
            kv.set("k", "text")  # type: ignore[arg-type]
        except prism.InvalidArgumentError as exc:
            _show('kv.set("k", "text")', exc)

        if "pubsub" in ns.models:
            _step("pubsub: fan-out to every active subscriber")
            ps = ns.pubsub
            with ps.subscribe("orders.created") as first, ps.subscribe("orders.created") as second:
                ps.publish("orders.created", b'{"id": 42}', headers={"source": "demo"})
                _show('ps.publish("orders.created", b\'{"id": 42}\')', None)
                for label, sub in (("first", first), ("second", second)):
                    msg = sub.get(timeout=1.0)
                    got = None if msg is None else (msg.topic, msg.payload, dict(msg.headers))
                    _show(f"{label}.get(timeout=1.0)", got)

        if "list" in ns.models:
            _step("list: Redis-style lists")
            lst = ns.list
            _show(
                'lst.push_right("jobs", b"a", b"b", b"c")', lst.push_right("jobs", b"a", b"b", b"c")
            )
            _show('lst.pop_left("jobs")', lst.pop_left("jobs"))
            _show('lst.length("jobs")', lst.length("jobs"))

        if "queue" in ns.models:
            _step("queue: at-least-once with leases")
            q = ns.queue
            assert isinstance(q, prism.QueueVisibility)
            q.enqueue("emails", b"welcome alice")
            _show('q.enqueue("emails", b"welcome alice")', "<message id>")
            lease = q.receive("emails", visibility_timeout=30)
            _show(
                'lease = q.receive("emails", visibility_timeout=30)',
                None if lease is None else (lease.payload, lease.message.attempts),
            )
            if lease is not None:
                q.ack(lease)
                _show('q.ack(lease); q.length("emails")', q.length("emails"))

        _step("needs the backend cannot meet are refused when the namespace is opened")
        click.echo(f"  data models served here: {', '.join(sorted(ns.models))}")
        needs = {"namespaces": {"social": {"needs": ["graph_query"]}}}
        try:
            prism.open("social", config=needs)
        except ConfigurationError as exc:
            _show('prism.open("social") needing graph_query', exc)
    click.echo("\ndone: see `prism registry` for every backend and what it implements.")


@main.command()
@click.option("--backend", "only", default=None, help="show one backend only")
def registry(only: str | None) -> None:
    """The backend-by-interface table from the registry."""
    from prism.interfaces import CATALOG, MODELS
    from prism.registry.registry import get_registry

    reg = get_registry()
    names = [only] if only else sorted(reg.backends)
    for name in names:
        reg.backend(name)
    width = max([len(n) for n in CATALOG] + [9])
    click.echo("interface".ljust(width) + "  " + "  ".join(n[:10].ljust(10) for n in names))
    for model in MODELS:
        click.echo(click.style(f"{model}", bold=True))
        for iface, entry in CATALOG.items():
            if entry.model != model:
                continue
            marks = [
                "✓".ljust(10) if iface in reg.backends[n].interfaces else "·".ljust(10)
                for n in names
            ]
            click.echo(f"{iface.ljust(width)}  " + "  ".join(marks))
    click.echo("")
    for name in names:
        decl = reg.backends[name].declaration
        limit = decl.limits.max_value_bytes
        click.echo(
            f"{name}: {len(decl.implements)}/45 interfaces; max value "
            f"{'unlimited' if limit is None else f'{limit:,} bytes'}; {decl.description}"
        )
    if reg.patterns:
        click.echo("\npatterns: " + ", ".join(sorted(reg.patterns)))


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
def validate(file: Path | None) -> None:
    """Check a prism.yaml (default: $PRISM_CONFIG or ./prism.yaml) and every namespace in it."""
    from prism.registry.loader import find_config_path
    from prism.registry.registry import get_registry
    from prism.registry.resolver import load_config, resolve

    try:
        path = find_config_path(file)
        if path is None:
            click.echo("no prism.yaml found: every namespace opens on the embedded default")
            return
        config = load_config(path)
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    assert config is not None
    problems: list[str] = []
    reg = get_registry()
    for name, conn in config.backends.items():
        try:
            reg.backend(conn.type)
        except ConfigurationError as exc:
            problems.append(f"{path}: backends.{name}.type: {exc}")
    for name in config.namespaces:
        try:
            resolve(name, config, reg)
        except PrismError as exc:
            problems.append(f"{path}: namespaces.{name}: {exc}")
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)
    click.echo(f"{path}: OK ({len(config.backends)} backends, {len(config.namespaces)} namespaces)")


if __name__ == "__main__":
    main()
