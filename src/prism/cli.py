"""The ``prism`` command: ``demo``, ``registry``, ``validate``, ``health``, ``acl``."""

from __future__ import annotations

import ast
import difflib
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
        "claim-check: large payloads go to storage, the message carries a claim",
        """
mem = {"type": "memstore", "connection": "memory://default"}
slots = {"messaging": {"backend": "mem"}, "storage": {"backend": "mem"}}
videos = {"pattern": "claim-check", "slots": slots, "options": {"threshold_bytes": 1024}}
cc = prism.open("videos", config={"backends": {"mem": mem}, "namespaces": {"videos": videos}})
message_id = cc.queue.enqueue("uploads", b"frame" * 10_000)
raw = cc.slots["messaging"].queue.peek("uploads")  # what a consumer without prism sees
raw.headers["prism-claim"], len(raw.payload)
lease = cc.queue.receive("uploads")
lease.payload == b"frame" * 10_000
cc.queue.ack(lease)  # the stored payload is deleted with the ack
cc.runtime.storage.count("claim/")
cc.close()
""",
    ),
    (
        "outbox: a write and its message commit together; a relay publishes",
        """
slots = {"database": {"backend": "mem"}, "messaging": {"backend": "mem"}}
orders = {"pattern": "outbox", "slots": slots}
box = prism.open("orders", config={"backends": {"mem": mem}, "namespaces": {"orders": orders}})
tx = box.transaction()  # or: with box.transaction() as tx: ...
tx.set("order/42", b"paid")
receipt_id = tx.enqueue("receipts", b"order 42 is paid")
tx.commit()  # the key and the outbox row, atomically
box.pending(), box.queue.length("receipts")
box.run_once()
box.queue.dequeue("receipts").headers["prism-message-id"] == receipt_id
box.close()
""",
    ),
    (
        "needs the configured backend cannot meet are refused when the namespace is opened",
        """
sorted(ns.models)
db = {"type": "sqlite", "connection": ":memory:"}
prism.open("board", config={"backends": {"db": db}, "namespaces": {"board": {"backend": "db", "needs": ["sortedset_rank"]}}})
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
    """The backend-by-interface table, verified against the backends' classes.

    Each backend's facet classes are imported and compared with its declaration: ✓ declared
    and implemented, ✗ declared but not implemented, ! implemented but not declared, ? declared
    but not verifiable because the backend's driver is not installed.  Exits 1 when a
    declaration and its classes disagree.
    """
    from prism.interfaces import CATALOG, MODELS
    from prism.registry.registry import get_registry

    reg = get_registry()
    try:
        names = [reg.backend(only).name] if only else sorted(reg.backends)
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    marks: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    problems: list[str] = []
    for name in names:
        marks[name], backend_notes, backend_problems = _verify_backend(name)
        notes += backend_notes
        problems += backend_problems
    width = max([len(n) for n in CATALOG] + [9])
    click.echo("interface".ljust(width) + "  " + "  ".join(n[:10].ljust(10) for n in names))
    for model in MODELS:
        click.echo(click.style(f"{model}", bold=True))
        for iface, entry in CATALOG.items():
            if entry.model != model:
                continue
            row = [marks[n].get(iface, "·").ljust(10) for n in names]
            click.echo(f"{iface.ljust(width)}  " + "  ".join(row))
    click.echo("✓ verified  ✗ declared, not implemented  ! implemented, not declared  ? unverified")
    click.echo("")
    for name in names:
        decl = reg.backends[name].declaration
        limit = decl.limits.max_value_bytes
        click.echo(
            f"{name}: {len(decl.implements)}/{len(CATALOG)} interfaces declared; max value "
            f"{'unlimited' if limit is None else f'{limit:,} bytes'}; {decl.description}"
        )
    if reg.patterns:
        click.echo("\npatterns: " + ", ".join(sorted(reg.patterns)))
    for note in notes:
        click.echo(note)
    if problems:
        click.echo("\ndeclarations that disagree with their classes:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)


def _verify_backend(name: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Marks per interface, notes (driver missing) and problems for one backend."""
    from prism.registry.registry import get_registry

    entry = get_registry().backend(name)
    declared = entry.interfaces
    try:
        missing_driver = entry.driver_missing()
    except ConfigurationError as exc:  # the class path itself is wrong: a real problem
        return dict.fromkeys(declared, "✗"), [], [f"{name}: {exc}"]
    if missing_driver is not None:
        note = (
            f"\n{name}: driver not installed, so its {len(declared)} declared interfaces are "
            f"not verified: {missing_driver}"
        )
        return dict.fromkeys(declared, "?"), [note], []
    unimplemented = entry.unimplemented()
    implemented: set[str] = set()
    for is_async in (False, True):
        for facet in getattr(entry.load_class(is_async=is_async), "facet_classes", {}).values():
            implemented |= facet.implemented_interfaces()
    marks = {n: "✗" if n in unimplemented else "✓" for n in declared}
    marks.update(dict.fromkeys(implemented - declared, "!"))
    return marks, [], entry.check()


def _read_config(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The raw mapping of ``path``, or the problems that keep it from being read."""
    from prism.registry.loader import load_yaml

    try:
        data = load_yaml(path)
    except ConfigurationError as exc:
        return {}, [str(exc)]
    return data or {}, []


def _check_config(path: Path) -> tuple[list[str], int, int]:
    """Every problem of the ``prism.yaml`` at ``path`` (each entry checked on its own, so one
    bad entry hides no other), the number of backends and the number of namespaces."""
    from prism.registry.loader import expand_env, parse_model
    from prism.registry.models import BackendConnection, NamespaceConfig, PrismConfig
    from prism.registry.registry import get_registry
    from prism.registry.resolver import resolve

    data, problems = _read_config(path)
    if problems:
        return problems, 0, 0
    reg = get_registry()
    sections = ("backends", "namespaces", "default_backend")
    for key in data:
        if key not in sections:
            close = difflib.get_close_matches(str(key), sections, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                f"{path}: {key}: unknown section{hint}; sections: {', '.join(sections)}"
            )
    raw: dict[str, dict[str, Any]] = {}
    for section in ("backends", "namespaces"):
        value = data.get(section) or {}
        if not isinstance(value, dict):
            problems.append(f"{path}: {section}: expected a mapping, got {type(value).__name__}")
            value = {}
        raw[section] = value

    backends: dict[str, BackendConnection] = {}
    for name, entry in raw["backends"].items():
        where = f"{path}: backends.{name}"
        try:
            conn = parse_model(
                BackendConnection,
                expand_env(entry, f"{path}: backends.{name}"),
                str(path),
                prefix=("backends", str(name)),
            )
            backend = reg.backend(conn.type)
        except ConfigurationError as exc:
            problems.append(str(exc) if str(exc).startswith(str(path)) else f"{where}.type: {exc}")
            continue
        problem = _check_settings(backend.plugin.parse_settings, conn)
        if problem is None:
            problem = _check_credentials(conn.credentials)
        if problem is not None:
            problems.append(f"{where}: {problem}")
            continue
        backends[str(name)] = conn

    namespaces: dict[str, NamespaceConfig] = {}
    for name, entry in raw["namespaces"].items():
        try:
            ns = parse_model(
                NamespaceConfig,
                expand_env(entry, f"{path}: namespaces.{name}"),
                str(path),
                prefix=("namespaces", str(name)),
            )
        except ConfigurationError as exc:
            problems.append(str(exc))
            continue
        problem = _check_credentials(ns.credentials)
        if problem is not None:
            problems.append(f"{path}: namespaces.{name}: {problem}")
            continue
        refs = [ns.backend] if ns.backend else []
        refs += [slot.backend for slot in ns.slots.values() if slot.backend]
        undefined = [r for r in refs if r not in raw["backends"]]
        if undefined:
            known = ", ".join(sorted(map(str, raw["backends"]))) or "none"
            problems.append(
                f"{path}: namespaces.{name}: uses backend {undefined[0]!r}, which is not defined "
                f"under backends (defined: {known})"
            )
        elif any(r not in backends for r in refs):
            broken = next(r for r in refs if r not in backends)
            problems.append(
                f"{path}: namespaces.{name}: not checked further: its backend {broken!r} "
                "has the problem reported above"
            )
        else:
            namespaces[str(name)] = ns

    default = data.get("default_backend")
    if default is not None and default not in raw["backends"]:
        problems.append(
            f"{path}: default_backend: {default!r} is not one of the backends defined "
            f"(defined: {', '.join(sorted(map(str, raw['backends']))) or 'none'})"
        )
        default = None
    config = PrismConfig.model_construct(
        backends=backends,
        namespaces=namespaces,
        default_backend=default if default in backends else None,
    )
    for name in namespaces:
        try:
            resolve(name, config, reg)
        except PrismError as exc:
            problems.append(f"{path}: namespaces.{name}: {exc}")
    return problems, len(raw["backends"]), len(raw["namespaces"])


def _check_credentials(credentials: Any) -> str | None:
    """What a credentials entry lacks on this machine (its structure pydantic has checked):
    a file that cannot be read, a program that is not on PATH.  Nothing is fetched."""
    import os
    import shutil

    from prism.credentials import CommandCredentials, FileCredentials

    if isinstance(credentials, FileCredentials) and not os.access(credentials.path, os.R_OK):
        return f"credentials.path: the file {credentials.path!r} does not exist or is not readable"
    if isinstance(credentials, CommandCredentials) and shutil.which(credentials.command[0]) is None:
        return f"credentials.command: the program {credentials.command[0]!r} is not on PATH"
    return None


def _check_settings(parser: str | None, conn: Any) -> str | None:
    """Run the backend's own parser of its connection string and options; the problem, if any.
    The parser's error text is shown (it never echoes a secret); any other failure of the
    parser is named by its type only."""
    if parser is None:
        return None
    from prism.registry.registry import import_object

    try:
        parse = import_object(parser, what=f"settings parser of {conn.type!r}")
        parse(conn.type, conn.connection, conn.options)
    except ConfigurationError as exc:
        return exc.message
    except Exception as exc:  # noqa: BLE001 (a parser bug must not stop the other checks)
        return f"the {conn.type} settings parser failed with {type(exc).__name__}"
    return None


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
def validate(file: Path | None) -> None:
    """Check a prism.yaml (default: $PRISM_CONFIG or ./prism.yaml): its structure, every
    backend's connection string and options (with the backend's own parser), and every
    namespace.  Every problem is reported in one run."""
    from prism.registry.loader import find_config_path

    try:
        path = find_config_path(file)
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if path is None:
        click.echo("no prism.yaml found: every namespace opens on the embedded default")
        return
    problems, n_backends, n_namespaces = _check_config(path)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"{path}: OK ({n_backends} backends, {n_namespaces} namespaces)")


def _health_targets(
    names: tuple[str, ...], config: Any
) -> list[tuple[str, str, Any]]:  # (shown as, namespace to open, config)
    """The namespaces to probe: those named, else one per configured backend entry."""
    from prism.registry.models import NamespaceConfig

    if names:
        return [(name, name, config) for name in names]
    if config is None or not config.backends:
        return [("(embedded default)", PROBE_NAMESPACE, config)]
    out = []
    for backend in config.backends:
        namespaces = {**config.namespaces, PROBE_NAMESPACE: NamespaceConfig(backend=backend)}
        out.append(
            (
                f"backend {backend}",
                PROBE_NAMESPACE,
                config.model_copy(update={"namespaces": namespaces}),
            )
        )
    return out


PROBE_NAMESPACE = "prism-health"


@main.command()
@click.argument("namespaces", nargs=-1)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    help="the prism.yaml (default: $PRISM_CONFIG or ./prism.yaml)",
)
@click.option("--timeout", default=5.0, show_default=True, help="seconds per probe (async)")
def health(namespaces: tuple[str, ...], config_file: Path | None, timeout: float) -> None:
    """Probe each backend (of the NAMESPACES given, else of every configured backend entry)
    with a real round trip; print its latency, and exit 1 when any is down."""
    from prism.health import Health
    from prism.registry.resolver import load_config

    try:
        config = load_config(config_file)
    except ConfigurationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    down = 0
    for shown, name, cfg in _health_targets(namespaces, config):
        try:
            with prism.open(name, config=cfg) as ns:
                result = ns.health(timeout)
        except PrismError as exc:
            result = Health(shown, "?", False, 0.0, f"{type(exc).__name__}: {exc}")
        result = Health(shown, result.backend, result.ok, result.latency, result.error)
        down += not result.ok
        click.echo(result.line())
    if down:
        click.echo(f"{down} backend(s) down", err=True)
        sys.exit(1)


@main.command()
@click.argument("namespace")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="the prism.yaml (default: $PRISM_CONFIG or ./prism.yaml)",
)
def acl(namespace: str, config_file: Path | None) -> None:
    """Print the server-side rules NAMESPACE needs on each of its backends: a Redis ACL user,
    PostgreSQL grants on its schema, and so on.  Apply them as an administrator; the rules hold
    the placeholder <password> where the namespace's secret belongs, never a secret."""
    from prism.acl import access_rules

    try:
        found = access_rules(namespace, config=None if config_file is None else str(config_file))
    except PrismError as exc:
        click.echo(f"prism acl: {exc}", err=True)
        sys.exit(1)
    click.echo("\n\n".join(rules.render() for rules in found))


if __name__ == "__main__":
    main()
