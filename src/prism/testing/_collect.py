"""Collected by pytest when ``--prism-backend`` is given: builds one test class per backend,
interface and flavour from the compliance suites, plus the declaration checks.

The declaration checks come first and are one item each, so a wrong declaration is one clear
failure rather than dozens of failing cases:

* ``Test_<backend>_<interface>_declared::test_declared_interface_is_implemented``: the facets
  (both flavours) implement the declared interface.  When they do not, that interface's suite
  classes are not generated at all: the interface is reported failed by this one item.
* ``Test_<backend>_undeclared::test_does_not_implement[<interface>]``: no facet implements an
  interface the declaration does not list.
* ``Test_<backend>_known_gaps::test_known_gap[<pattern>]``: every known gap of the declaration
  names a real exception class and matches at least one suite case.
* ``Test_<backend>_loads::test_backend_loads``: only when the backend cannot open a namespace
  at all (its classes do not import, or a facet class leaves methods abstract); then none of its
  suites is collected.  A driver that is not installed is reported like a missing server
  (no-server, a failure under ``--prism-require``).
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

from prism.testing import suites as _suites
from prism.testing._async.suite import AsyncSuite
from prism.testing.plugin import NO_SERVER, active_state
from prism.testing.suite import Suite
from prism.testing.target import Target


def _bind_fixture(is_async: bool) -> Any:
    @pytest.fixture(autouse=True)
    def _prism_bind(self: Any, prism_target: Target) -> Any:
        self.bind(prism_target)
        yield
        if not is_async:
            self.close_namespaces()

    return _prism_bind


class _MissingSuite(Suite):
    def test_suite_exists(self) -> None:
        pytest.fail(f"no compliance suite exists for {self.interface}")


def _check_class(name: str, backend: str, interface: str, test: Any) -> type:
    return type(
        name,
        (),
        {
            "prism_backend": backend,
            "prism_check": True,
            "interface": interface,
            test.__name__: test,
        },
    )


def _declared_class(backend: str, interface: str, problem: str | None) -> type:
    def test_declared_interface_is_implemented(self: Any) -> None:  # noqa: ARG001
        if problem is not None:
            pytest.fail(problem, pytrace=False)

    safe = backend.replace("-", "_")
    return _check_class(
        f"Test_{safe}_{interface}_declared",
        backend,
        interface,
        test_declared_interface_is_implemented,
    )


def _loads_class(backend: str, problem: str, *, driver_missing: bool = False) -> type:
    def test_backend_loads(self: Any) -> None:  # noqa: ARG001
        text = f"{problem}; none of {backend}'s suites can run"
        if driver_missing and backend not in active_state().required:
            pytest.skip(f"{NO_SERVER}: {text}")  # like a missing server: not this backend's fault
        pytest.fail(text, pytrace=False)

    safe = backend.replace("-", "_")
    return _check_class(f"Test_{safe}_loads", backend, "", test_backend_loads)


def _stateful_bases() -> tuple[dict[str, type], type, type]:
    """The state machines (basic interface → machine) and the sync and async mixins that run
    them; without hypothesis, mixins whose one test is skipped saying how to install it."""
    try:
        from prism.testing.suites import stateful
        from prism.testing.suites._async import stateful as async_stateful
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        reason = "the stateful compliance tests need hypothesis: pip install 'prism[testing]'"

        class _NoHypothesis:
            def test_stateful_model(self) -> None:
                pytest.skip(reason)

        from prism.interfaces import CATALOG

        basic: dict[str, type] = {n: _NoHypothesis for n in CATALOG if n.endswith("_basic")}
        return basic, _NoHypothesis, _NoHypothesis
    return dict(async_stateful.MACHINES), stateful.StatefulSuite, async_stateful.AsyncStatefulSuite


def _undeclared_class(backend: str, undeclared: list[str]) -> type:
    from prism.interfaces import CATALOG
    from prism.registry.registry import get_registry

    @pytest.mark.parametrize("undeclared_interface", undeclared)
    def test_does_not_implement(self: Any, undeclared_interface: str) -> None:  # noqa: ARG001
        entry = get_registry().backend(backend)
        entry_catalog = CATALOG[undeclared_interface]
        for is_async in (False, True):
            cls = entry.load_class(is_async=is_async)
            abc_ = entry_catalog.async_ if is_async else entry_catalog.sync
            for model, facet in getattr(cls, "facet_classes", {}).items():
                assert not issubclass(facet, abc_), (
                    f"{backend} {model} facet {facet.__name__} implements "
                    f"{undeclared_interface}, which its declaration does not list"
                )

    return type(
        f"Test_{backend.replace('-', '_')}_undeclared",
        (),
        {
            "prism_backend": backend,
            "interface": "",
            "test_does_not_implement": test_does_not_implement,
            "prism_target": None,
        },
    )


def gap_pattern(test: str) -> str:
    """The fnmatch pattern of a known gap's ``test`` (a bare interface means all its cases)."""
    return test if "::" in test else f"{test}::*"


def suite_cases(interfaces: frozenset[str] | set[str]) -> list[str]:
    """``<interface>::<test name>`` of every suite case of ``interfaces`` (either flavour)."""
    out: set[str] = set()
    for interface in interfaces:
        for registry_cls in (Suite, AsyncSuite):
            suite = registry_cls.suites.get(interface)
            if suite is not None:
                out.update(f"{interface}::{n}" for n in dir(suite) if n.startswith("test"))
    return sorted(out)


def known_gap_problems(backend: str) -> list[tuple[str, str, str | None]]:
    """``(test pattern, interface, problem or None)`` for each known gap of ``backend``."""
    from prism.interfaces import CATALOG
    from prism.registry.registry import get_registry

    entry = get_registry().backend(backend)
    cases = suite_cases(entry.interfaces)
    out: list[tuple[str, str, str | None]] = []
    for gap in entry.declaration.known_gaps:
        interface = gap.test.partition("::")[0]
        problems = []
        try:
            gap.exception()
        except ValueError as exc:
            problems.append(str(exc))
        if not fnmatch.filter(cases, gap_pattern(gap.test)):
            problems.append(
                f"the test pattern {gap.test!r} matches no suite case of the interfaces "
                f"{backend} declares (cases are named '<interface>::<test name>')"
            )
        problem = f"{backend} known gap {gap.test!r}: " + "; ".join(problems) if problems else None
        out.append((gap.test, interface if interface in CATALOG else "", problem))
    return out


def _known_gaps_class(backend: str) -> type | None:
    gaps = known_gap_problems(backend)
    if not gaps:
        return None

    @pytest.mark.parametrize(
        ("gap_interface", "gap_problem"),
        [pytest.param(interface, problem, id=test) for test, interface, problem in gaps],
    )
    def test_known_gap(self: Any, gap_interface: str, gap_problem: str | None) -> None:  # noqa: ARG001
        if gap_problem is not None:
            pytest.fail(gap_problem, pytrace=False)

    safe = backend.replace("-", "_")
    return _check_class(f"Test_{safe}_known_gaps", backend, "", test_known_gap)


def build() -> dict[str, type]:
    from prism.errors import ConfigurationError
    from prism.interfaces import CATALOG
    from prism.registry.registry import get_registry

    _suites.load_all()
    state = active_state()
    registry = get_registry()
    classes: dict[str, type] = {}
    machines, stateful_sync, stateful_async = _stateful_bases()
    for backend in state.backends:
        entry = registry.backend(backend)
        declared = entry.interfaces
        safe = backend.replace("-", "_")
        try:
            unimplemented = entry.unimplemented()
            unusable = entry.abstract_facets()
        except ConfigurationError as exc:  # its classes do not import (a driver is missing)
            missing = isinstance(exc.__cause__, ImportError)
            cls = _loads_class(backend, str(exc), driver_missing=missing)
            classes[cls.__name__] = cls
            continue
        if unusable:  # no namespace can be opened: one failure, not one per suite case
            cls = _loads_class(backend, "; ".join(unusable))
            classes[cls.__name__] = cls
        gaps_cls = _known_gaps_class(backend)
        if gaps_cls is not None:
            classes[gaps_cls.__name__] = gaps_cls
        for interface in CATALOG:
            if interface not in declared:
                continue
            check = _declared_class(backend, interface, unimplemented.get(interface))
            classes[check.__name__] = check
            if interface in unimplemented or unusable:
                continue  # its suites would only repeat the one failure above
            for is_async, registry_cls in ((False, Suite), (True, AsyncSuite)):
                suite = registry_cls.suites.get(interface)
                flavour = "async" if is_async else "sync"
                name = f"Test_{safe}_{interface}_{flavour}"
                bases: tuple[type, ...] = (suite,) if suite is not None else (_MissingSuite,)
                if interface in machines:  # the model's state machine counts for its basic
                    bases += (stateful_async if is_async else stateful_sync,)
                classes[name] = type(
                    name,
                    bases,
                    {
                        "prism_backend": backend,
                        "interface": interface,
                        "_prism_bind": _bind_fixture(is_async),
                    },
                )
        undeclared = [n for n in CATALOG if n not in declared]
        if undeclared:
            cls = _undeclared_class(backend, undeclared)
            classes[cls.__name__] = cls
    return classes


def _pattern_bind_fixture(is_async: bool, pattern: str, slots: dict[str, str]) -> Any:
    from prism.testing.patterns import PatternTarget

    @pytest.fixture(autouse=True)
    def _prism_bind(self: Any) -> Any:
        state = active_state()
        targets: dict[str, Target] = {}
        for slot, backend in slots.items():
            target = state.target(backend)
            if isinstance(target, str):
                if backend in state.required:
                    pytest.fail(f"{target} (required by --prism-require)", pytrace=False)
                pytest.skip(target)
            targets[slot] = target
        self.bind(PatternTarget(pattern, targets))
        yield
        if not is_async:
            self.close_namespaces()

    return _prism_bind


def build_patterns() -> dict[str, type]:
    """One class per pattern, fitting combination of the run's backends, and flavour."""
    from prism.testing.patterns import combinations, load_all
    from prism.testing.patterns._async.base import AsyncPatternSuite
    from prism.testing.patterns.base import PatternSuite

    load_all()
    state = active_state()
    classes: dict[str, type] = {}
    for pattern in state.patterns:
        for combo in combinations(pattern, state.slot_backends):
            label = "+".join(f"{slot}={backend}" for slot, backend in combo.items())
            safe = "_".join(f"{s[:3]}_{b.replace('-', '_')}" for s, b in combo.items())
            for is_async, registry_cls in ((False, PatternSuite), (True, AsyncPatternSuite)):
                suite = registry_cls.suites.get(pattern)
                if suite is None:
                    continue
                flavour = "async" if is_async else "sync"
                name = f"Test_pattern_{pattern.replace('-', '_')}_{safe}_{flavour}"
                classes[name] = type(
                    name,
                    (suite,),
                    {
                        "prism_backend": f"pattern:{pattern}",
                        "prism_group": f"prism-patterns-{next(iter(combo.values()))}",
                        "interface": label,
                        "_prism_bind": _pattern_bind_fixture(is_async, pattern, combo),
                    },
                )
    return classes


globals().update(build())
if active_state().patterns:
    globals().update(build_patterns())
