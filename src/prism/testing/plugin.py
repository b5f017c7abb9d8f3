"""The pytest plugin (``pytest11`` entry point ``prism``): compliance suites on demand.

``pytest --prism-backend=NAME[,NAME...]`` collects and runs, for each backend, every suite of
every interface it declares, in sync and async form, and checks that it implements no interface
it does not declare.  ``--prism-require`` turns "no server" into a failure; ``--prism-matrix``
writes the outcome as JSON; a compliance summary closes the terminal report.

Under pytest-xdist (``-n N --dist loadgroup``) every suite item carries an ``xdist_group`` mark
naming its backend, so one worker runs all of a backend's suites and its server starts once.
Each worker keeps its own bookkeeping and hands it to the controller when it finishes
(``workeroutput``); only the controller writes the JSON and prints the summary.
"""

from __future__ import annotations

import fnmatch
import inspect
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from prism.testing import _deadline, _xdist
from prism.testing.target import Target, TestServer

OUTCOMES = ("passed", "failed", "xfailed", "no-server", "not-declared")
NO_SERVER = "no-server"
WORKER_OUTPUT = "prism"
"""The key of a pytest-xdist worker's ``workeroutput`` that carries its compliance bookkeeping."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("prism", "prism compliance suites")
    group.addoption(
        "--prism-backend",
        default="",
        metavar="NAME[,NAME...]",
        help="run the compliance suites of these backends",
    )
    group.addoption(
        "--prism-require",
        default=os.environ.get("PRISM_REQUIRE", ""),
        metavar="NAME[,NAME...]",
        help="for these backends, 'no server could be had' fails instead of "
        "skipping (default: $PRISM_REQUIRE)",
    )
    group.addoption(
        "--prism-matrix",
        default=os.environ.get("PRISM_MATRIX") or None,
        metavar="PATH",
        help="write the compliance outcome as JSON to PATH (default: $PRISM_MATRIX)",
    )
    group.addoption(
        "--prism-pattern",
        default="",
        metavar="PATTERN[,PATTERN...]",
        help="also run these patterns' suites over every combination of the --prism-backend "
        "backends (or of --prism-pattern-backends) that fits their slots",
    )
    group.addoption(
        "--prism-pattern-backends",
        default="",
        metavar="NAME[,NAME...]",
        help="the backends whose combinations fill the patterns' slots (default: those of "
        "--prism-backend); each must also be in --prism-backend",
    )
    _deadline.add_option(group)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@dataclass
class _Cell:
    outcomes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def result(self) -> str:
        for outcome in ("failed", NO_SERVER, "xfailed", "not-declared", "passed"):
            if outcome in self.outcomes:
                return outcome
        return "passed" if self.outcomes else "failed"


@dataclass
class ComplianceState:
    backends: list[str]
    required: set[str]
    matrix_path: Path | None
    targets: dict[str, Target | str] = field(default_factory=dict)
    servers: list[TestServer] = field(default_factory=list)
    cells: dict[tuple[str, str], _Cell] = field(default_factory=dict)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """A suite item's name (with its parameters) by node id."""
    checks: set[str] = field(default_factory=set)
    workdir: Path | None = None
    patterns: list[str] = field(default_factory=list)
    slot_backends: list[str] = field(default_factory=list)
    """With --prism-pattern: the backends that fill slots (the same as ``backends``)."""
    worker_servers: list[tuple[str, str, str | None]] = field(default_factory=list)
    """Under pytest-xdist, on the controller: ``(backend, description, target)`` of each server
    a worker started."""

    def server_list(self) -> list[tuple[str, str, str | None]]:
        """``(backend, description, target)`` of every server this run started (its workers'
        too), in the order of ``backends``, each distinct one once."""
        found = [
            (backend, target.server.description, target.server.target)
            for backend, target in self.targets.items()
            if not isinstance(target, str) and target.server.description
        ]
        order = {name: i for i, name in enumerate(self.backends)}
        unique = dict.fromkeys([*found, *self.worker_servers])
        return sorted(unique, key=lambda entry: order.get(entry[0], len(order)))

    def worker_output(self) -> dict[str, Any]:
        """What a pytest-xdist worker hands to the controller (plain lists: execnet sends only
        builtin types)."""
        return {
            "cells": [
                [backend, interface, list(cell.outcomes), list(cell.reasons)]
                for (backend, interface), cell in self.cells.items()
            ],
            "servers": [list(entry) for entry in self.server_list()],
        }

    def merge_worker_output(self, output: dict[str, Any]) -> None:
        """Fold one worker's :meth:`worker_output` into this (the controller's) bookkeeping."""
        for backend, interface, outcomes, reasons in output.get("cells", []):
            cell = self.cells.setdefault((backend, interface), _Cell())
            cell.outcomes.extend(outcomes)
            cell.reasons.extend(r for r in reasons if r not in cell.reasons)
        for backend, description, target in output.get("servers", []):
            self.worker_servers.append((backend, description, target))

    def target(self, backend: str) -> Target | str:
        """The target for ``backend`` (its server started on first use), or the reason none."""
        if backend not in self.targets:
            self.targets[backend] = self._start(backend)
        return self.targets[backend]

    def _start(self, backend: str) -> Target | str:
        from prism.registry.registry import get_registry, import_object

        entry = get_registry().backend(backend)
        if not entry.plugin.test_server:
            return f"{NO_SERVER}: backend {backend!r} names no test_server in its plugin"
        start = import_object(
            entry.plugin.test_server, hint=entry.install_hint, what=f"test server of {backend!r}"
        )
        assert self.workdir is not None
        workdir = self.workdir / backend
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            server = start(workdir)
        except Exception as exc:  # noqa: BLE001 (a broken harness is reported like no server)
            return f"{NO_SERVER}: starting a {backend} server failed: {type(exc).__name__}: {exc}"
        if server is None:
            return f"{NO_SERVER}: no {backend} server could be had (see services docs)"
        if isinstance(server, str):
            return f"{NO_SERVER}: {server}"
        self.servers.append(server)
        limits = entry.declaration.limits
        return Target(
            backend, server, limits.max_value_bytes, entry.interfaces, limits.max_message_bytes
        )

    def record(self, backend: str, interface: str, outcome: str, reason: str = "") -> None:
        cell = self.cells.setdefault((backend, interface), _Cell())
        cell.outcomes.append(outcome)
        if reason and reason not in cell.reasons:
            cell.reasons.append(reason)

    def matrix(self) -> dict[str, Any]:
        """Outcome per backend and interface.  A declared interface whose suite did not run
        (deselected, interrupted) counts as failed: nothing proved it.  An undeclared one is
        ``not-declared`` unless its check ran and failed."""
        from prism.interfaces import CATALOG
        from prism.registry.registry import get_registry

        registry = get_registry()
        out: dict[str, dict[str, str]] = {}
        for backend in self.backends:
            declared = registry.backend(backend).interfaces
            row = out.setdefault(backend, {})
            for name in CATALOG:
                cell = self.cells.get((backend, name))
                if name not in declared:
                    failed = cell is not None and "failed" in cell.outcomes
                    row[name] = "failed" if failed else "not-declared"
                else:
                    row[name] = cell.result() if cell else "failed"
        if not self.patterns:
            return {"backends": out}
        patterns: dict[str, dict[str, str]] = {}
        for (subject, combo), cell in sorted(self.cells.items()):
            if subject.startswith("pattern:"):
                patterns.setdefault(subject.removeprefix("pattern:"), {})[combo] = cell.result()
        return {"backends": out, "patterns": patterns}


STATE = pytest.StashKey[ComplianceState]()


def _slot_backends(config: pytest.Config, backends: list[str]) -> list[str]:
    chosen = _split(config.getoption("prism_pattern_backends"))
    if not chosen:
        return backends
    stray = [b for b in chosen if b not in backends]
    if stray:
        msg = (
            f"--prism-pattern-backends: {', '.join(stray)} not in --prism-backend "
            f"({', '.join(backends)})"
        )
        raise pytest.UsageError(msg)
    return chosen


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "prism_suite: a prism compliance suite test")
    config.addinivalue_line(  # pytest-xdist registers it too; without xdist it is a plain mark
        "markers", "xdist_group(name): run these tests on one pytest-xdist worker (loadgroup)"
    )
    _deadline.configure(config)
    backends = _split(config.getoption("prism_backend"))
    required = set(_split(config.getoption("prism_require")))
    if not backends:
        return
    from prism.errors import ConfigurationError
    from prism.registry.registry import get_registry

    try:
        registry = get_registry()
    except ConfigurationError as exc:
        raise pytest.UsageError(str(exc)) from exc
    unknown = [b for b in backends if b not in registry.backends]
    if unknown:
        msg = (
            f"--prism-backend/--prism-require: unknown backend(s) {', '.join(unknown)}; "
            f"installed: {', '.join(sorted(registry.backends))}"
        )
        raise pytest.UsageError(msg)
    required &= set(backends)  # a required backend that is not selected is simply not run
    matrix = config.getoption("prism_matrix")
    patterns = _split(config.getoption("prism_pattern"))
    unknown = [p for p in patterns if p not in registry.patterns]
    if unknown:
        msg = f"--prism-pattern: unknown pattern(s) {', '.join(unknown)}; known: " + ", ".join(
            sorted(registry.patterns)
        )
        raise pytest.UsageError(msg)
    state = ComplianceState(
        backends,
        required,
        Path(matrix).resolve() if matrix else None,
        patterns=patterns,
        slot_backends=_slot_backends(config, backends) if patterns else [],
    )
    config.stash[STATE] = state
    global _ACTIVE
    _ACTIVE = state
    from prism.testing import _collect

    config.args.append(str(Path(_collect.__file__)))


_ACTIVE: ComplianceState | None = None


def active_state() -> ComplianceState:
    if _ACTIVE is None:
        msg = "the prism compliance plugin is not active (pass --prism-backend)"
        raise RuntimeError(msg)
    return _ACTIVE


def pytest_sessionstart(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is not None:
        factory = session.config._tmp_path_factory  # type: ignore[attr-defined]
        state.workdir = factory.mktemp("prism-servers", numbered=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _ACTIVE
    state = config.stash.get(STATE, None)
    if state is None:
        return
    for server in reversed(state.servers):
        if server.stop is not None:
            server.stop()
    state.servers.clear()
    _ACTIVE = None


@pytest.fixture
def prism_target(request: pytest.FixtureRequest) -> Target:
    """The backend under test for a compliance suite class."""
    state = request.config.stash[STATE]
    backend: str = request.cls.prism_backend
    target = state.target(backend)
    if isinstance(target, str):
        if backend in state.required:
            pytest.fail(f"{target} (required by --prism-require)", pytrace=False)
        pytest.skip(target)
    _target_gap_marks(request, state, backend, target)
    return target


def _target_gap_marks(
    request: pytest.FixtureRequest, state: ComplianceState, backend: str, target: Target
) -> None:
    """The known gaps that hold only on some targets (``targets:``), once the server, and so the
    target kind its harness reports, is known: strict xfails added before the case runs."""
    item = request.node
    if not target.server.target or item.nodeid not in state.items:
        return
    interface = state.items[item.nodeid][1]
    name = getattr(item, "originalname", item.name)
    for mark in _known_gap_marks(backend, interface, name, target.server.target):
        item.add_marker(mark)


def _known_gap_marks(
    backend: str, interface: str, test_name: str, target: str | None = None
) -> list[pytest.MarkDecorator]:
    """Strict xfails for the known gaps matching ``interface::test_name``: with ``target`` None
    (at collection) the gaps that hold on every target, else those that name ``target`` in
    their ``targets``.  A gap naming an unknown exception gets none: the ``known_gaps`` check
    item of the run reports it."""
    from prism.registry.registry import get_registry
    from prism.testing._collect import gap_pattern

    marks = []
    for gap in get_registry().backend(backend).declaration.known_gaps:
        if (gap.targets is None) != (target is None) or (target and not gap.holds_on(target)):
            continue
        if fnmatch.fnmatchcase(f"{interface}::{test_name}", gap_pattern(gap.test)):
            try:
                raises = gap.exception()
            except ValueError:
                continue
            marks.append(
                pytest.mark.xfail(strict=True, raises=raises, reason=f"{gap.kind}: {gap.reason}")
            )
    return marks


def _stress_deadline(config: pytest.Config, item: pytest.Item, backend: str) -> None:
    """A stress case (``prism_stress``) of a backend whose plugin gives such cases a longer
    deadline (a slow local server) gets it, and pytest-timeout's limit with it, unless the case
    carries a deadline of its own.  Every other case keeps the run's deadline."""
    if item.get_closest_marker(_deadline.STRESS_MARKER) is None:
        return
    from prism.registry.registry import get_registry

    wanted = get_registry().backend(backend).plugin.stress_deadline
    configured = _deadline.case_deadline(item)
    if not wanted or configured == 0 or configured >= wanted:
        return
    if item.get_closest_marker(_deadline.MARKER) is None:
        item.add_marker(pytest.mark.prism_deadline(wanted))
    if config.pluginmanager.hasplugin("timeout") and item.get_closest_marker("timeout") is None:
        item.add_marker(pytest.mark.timeout(wanted * 2))


_ITEM = pytest.StashKey[tuple[str, str, bool]]()
"""A suite item's backend, interface and whether it is a declaration check."""


def xdist_group(backend: str, cls: type | None) -> str:
    """The pytest-xdist group of a suite item: its backend's, so that one worker runs all of a
    backend's suites and starts its server once.  A pattern suite's group is named after the
    backend in its combination's first slot (``prism_group`` of the class), so the patterns
    spread over the workers in pieces, each worker starting the servers its pieces need."""
    return str(getattr(cls, "prism_group", "") or f"prism-{backend}")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    for item in items:
        cls = getattr(item, "cls", None)
        backend = getattr(cls, "prism_backend", None)
        if backend is None:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        interface = (
            getattr(cls, "interface", "")
            or params.get("undeclared_interface", "")
            or params.get("gap_interface", "")
        )
        item.add_marker(pytest.mark.prism_suite)
        item.add_marker(pytest.mark.xdist_group(xdist_group(backend, cls)))
        check = bool(getattr(cls, "prism_check", False))
        item.stash[_ITEM] = (backend, interface, check)
        if check:
            continue  # a declaration check: only its failure is recorded
        name = getattr(item, "originalname", item.name)
        if backend.startswith("pattern:"):
            continue
        _stress_deadline(config, item, backend)
        for mark in _known_gap_marks(backend, interface, name):
            item.add_marker(mark)


@pytest.hookimpl(tryfirst=True)  # before a pytest-xdist worker reports its collection
def pytest_collection_finish(session: pytest.Session) -> None:
    """The suite items by their final node ids (pytest-xdist's loadgroup appends ``@group``);
    on a pytest-xdist worker, the items' groups for the controller's scheduler."""
    _xdist.write_groups(session.config, session.items)
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    for item in session.items:
        found = item.stash.get(_ITEM, None)
        if found is None:
            continue
        backend, interface, check = found
        state.items[item.nodeid] = (backend, interface)
        state.names[item.nodeid] = item.name
        if check:
            state.checks.add(item.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    state = _ACTIVE
    if state is None or report.nodeid not in state.items:
        return
    backend, interface = state.items[report.nodeid]
    if report.nodeid in state.checks:
        if report.failed:
            state.record(backend, interface, "failed", str(report.longrepr).strip()[:300])
        elif report.skipped and isinstance(report.longrepr, tuple):
            from prism.registry.registry import get_registry

            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            for name in get_registry().backend(backend).interfaces:  # e.g. its driver is missing
                state.record(backend, name, NO_SERVER, reason)
        return
    undeclared = "undeclared" in report.nodeid.split("::")[-2] if "::" in report.nodeid else False
    if report.failed:
        state.record(backend, interface, "failed", f"{state.names[report.nodeid]} failed")
    elif report.skipped:
        if hasattr(report, "wasxfail"):
            state.record(backend, interface, "xfailed", str(report.wasxfail))
        else:
            reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
            if NO_SERVER in reason:
                state.record(backend, interface, NO_SERVER, reason.removeprefix("Skipped: "))
    elif report.when == "call":
        state.record(backend, interface, "not-declared" if undeclared else "passed")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run every suite case under its deadline; coroutine cases on a fresh event loop each."""
    if pyfuncitem.get_closest_marker("prism_suite") is None:
        return None
    instance = pyfuncitem.instance
    cleanup = instance.close_namespaces if inspect.iscoroutinefunction(pyfuncitem.obj) else None
    _deadline.run_case(pyfuncitem, _deadline.case_deadline(pyfuncitem), cleanup)
    return True


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workeroutput")


_GROUPS_DIR = pytest.StashKey[Path]()


def _groups_dir(config: pytest.Config) -> Path:
    if _GROUPS_DIR not in config.stash:
        factory = config._tmp_path_factory  # type: ignore[attr-defined]
        config.stash[_GROUPS_DIR] = factory.mktemp("prism-xdist-groups", numbered=True)
    return config.stash[_GROUPS_DIR]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, on the controller: where the worker writes its items' groups."""
    if node.config.getvalue("dist") == "loadgroup":
        node.workerinput[_xdist.WORKERINPUT_KEY] = str(_groups_dir(node.config))


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` that groups by ``xdist_group`` on pytest 9.2 too (see _xdist)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return _xdist.make_scheduler(config, log, _groups_dir(config))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:  # noqa: ARG001
    """pytest-xdist, on the controller: a worker finished; fold in its bookkeeping (a worker
    that crashed sends none: the suites it did not finish count as not run)."""
    state = node.config.stash.get(STATE, None)
    output = getattr(node, "workeroutput", None) or {}
    if state is not None and WORKER_OUTPUT in output:
        state.merge_worker_output(output[WORKER_OUTPUT])


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    if _is_xdist_worker(session.config):  # the controller writes the JSON
        session.config.workeroutput[WORKER_OUTPUT] = state.worker_output()  # type: ignore[attr-defined]
        return
    if state.matrix_path is None:
        return
    state.matrix_path.parent.mkdir(parents=True, exist_ok=True)
    state.matrix_path.write_text(json.dumps(state.matrix(), indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is None or _is_xdist_worker(terminalreporter.config):
        return
    for line in summary_lines(state):
        terminalreporter.write_line(line)


def summary_lines(state: ComplianceState) -> Iterator[str]:
    from prism.interfaces import CATALOG, MODELS
    from prism.registry.registry import get_registry

    registry = get_registry()
    full = state.matrix()
    matrix = full["backends"]
    for pattern, combos in full.get("patterns", {}).items():
        yield ""
        yield f"prism pattern {pattern}: " + ", ".join(f"{c} {r}" for c, r in combos.items())
    if not state.backends:
        return
    yield ""
    yield "prism compliance (interfaces passed / declared, per data model)"
    width = max(len(b) for b in state.backends) + 2
    yield "backend".ljust(width) + " ".join(m[:10].rjust(10) for m in MODELS)
    notes: list[str] = []
    for backend in state.backends:
        row = matrix[backend]
        interfaces = registry.backend(backend).interfaces
        cells = []
        for model in MODELS:
            names = [n for n in CATALOG if CATALOG[n].model == model]
            declared = [n for n in names if n in interfaces]
            for name in names:
                if name not in interfaces and row[name] == "failed":
                    notes.append(f"  {backend}.{name}: implemented but not declared")
            passed = [n for n in declared if row[n] == "passed"]
            cells.append((f"{len(passed)}/{len(declared)}" if declared else "-").rjust(10))
            for name in declared:
                if row[name] != "passed":
                    cell = state.cells.get((backend, name))
                    why = "; ".join(cell.reasons[:3]) if cell and cell.reasons else "not run"
                    notes.append(f"  {backend}.{name}: {row[name]} ({why})")
        yield backend.ljust(width) + " ".join(cells)
    if notes:
        yield "not passed:"
        yield from notes
    servers = [
        f"  {backend}: {description}" + (f" [target: {target}]" if target else "")
        for backend, description, target in state.server_list()
    ]
    if servers:
        yield "servers:"
        yield from servers
