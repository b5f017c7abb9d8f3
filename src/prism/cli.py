"""The ``prism`` command: ``demo``, ``registry``, ``validate``."""

from __future__ import annotations

import ast
import sys
import traceback
from pathlib import Path
from typing import Any

import click

import prism
from prism.errors import ConfigurationError, PrismError

__all__ = ["main"]


@click.group()
@click.version_option(prism.__version__, prog_name="prism")
def main() -> None:
    """prism: one small, precise API over many data stores, in your own process."""


DEMO: tuple[tuple[str, str], ...] = (
    (
        "open a namespace: with no prism.yaml it runs on the embedded in-memory default",
        """
import prism
ns = prism.open("demo", config={})
ns
""",
    ),
    (
        "keyvalue: set, get, exists, delete",
        """
kv = ns.keyvalue
kv.set("greeting", b"hello, prism")
kv.get("greeting")
kv.exists("nobody")
kv.get("nobody")
kv.delete("greeting")
""",
    ),
    (
        'keyvalue_ttl: keys that expire ("can it?" is an isinstance check)',
        """
isinstance(kv, prism.KeyValueTTL)
kv.set("session", b"token-123", ttl=0.3)
round(kv.get_ttl("session"), 1)
import time
time.sleep(0.35)  # a demo may wait for real; tests move an injected clock instead
kv.exists("session")
""",
    ),
    (
        "keyvalue_cas: compare-and-swap, linearizable per key",
        """
kv.compare_and_swap("counter", None, b"1")
kv.compare_and_swap("counter", b"7", b"8")
kv.compare_and_swap("counter", b"1", b"2")
kv.get("counter")
""",
    ),
    (
        "bad input is refused before any I/O",
        """
kv.set("", b"x")
kv.set("k", "text")
""",
    ),
    (
        "pubsub: fan-out to every active subscriber",
        """
first = ns.pubsub.subscribe("orders.created")
second = ns.pubsub.subscribe("orders.created")
ns.pubsub.publish("orders.created", b'{"id": 42}', headers={"source": "demo"})
msg = first.get(timeout=1.0)
msg.topic, msg.payload, dict(msg.headers)
second.get(timeout=1.0).payload
first.close()
second.close()
""",
    ),
    (
        "list: Redis-style lists",
        """
ns.list.push_right("jobs", b"a", b"b", b"c")
ns.list.pop_left("jobs")
ns.list.length("jobs")
""",
    ),
    (
        "queue: at-least-once delivery with leases",
        """
message_id = ns.queue.enqueue("emails", b"welcome alice")
lease = ns.queue.receive("emails", visibility_timeout=30)
lease.payload, lease.message.attempts
ns.queue.ack(lease)
ns.queue.length("emails")
""",
    ),
    (
        "needs no backend can meet are refused when the namespace is opened",
        """
sorted(ns.models)
prism.open("social", config={"namespaces": {"social": {"needs": ["graph_query"]}}})
ns.close()
""",
    ),
)
"""The demo's steps: (title, code).  The code is run statement by statement as printed."""


def _run_demo_step(code: str, scope: dict[str, Any]) -> None:
    """Print each statement of ``code`` in the interactive interpreter's form, run it, and print
    what the interpreter would: an expression's value, or the PrismError it raised.  The
    output is a doctest: ``tests/test_cli.py`` replays it and compares."""
    for node in ast.parse(code).body:
        # the statement's own lines, with a trailing comment kept
        lines = code.splitlines()[node.lineno - 1 : node.end_lineno or node.lineno]
        first, *rest = lines
        click.echo(f"  >>> {first}")
        for line in rest:
            click.echo(f"  ... {line}")
        try:
            if isinstance(node, ast.Expr):
                value = eval(compile(ast.Expression(node.value), "<demo>", "eval"), scope)
                if value is not None:
                    click.echo(f"  {value!r}")
            else:
                exec(compile(ast.Module([node], []), "<demo>", "exec"), scope)  # noqa: S102
        except PrismError as exc:
            click.echo("  Traceback (most recent call last):\n    ...")
            click.echo(f"  {traceback.format_exception_only(exc)[-1].rstrip()}")


@main.command()
def demo() -> None:
    """A short guided tour on the embedded default (no server needed).

    Each step prints the code it runs, as typed at the Python prompt, and what it returned.
    """
    click.echo("prism demo: the code below runs on the embedded in-memory default, because no")
    click.echo("prism.yaml is configured; the same code runs on Redis, SQLite, ... once one is.")
    click.echo("Each line after >>> is run as shown; the line under it is what it returned.")
    scope: dict[str, Any] = {}
    for title, code in DEMO:
        click.echo(click.style(f"\n▸ {title}", bold=True))
        _run_demo_step(code.strip("\n"), scope)
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
