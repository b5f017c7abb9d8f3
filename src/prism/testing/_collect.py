"""Collected by pytest when ``--prism-backend`` is given: builds one test class per backend,
interface and flavour from the compliance suites, plus the undeclared-interface checks."""

from __future__ import annotations

from typing import Any

import pytest

from prism.testing import suites as _suites
from prism.testing._async.suite import AsyncSuite
from prism.testing.plugin import active_state
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
        f"Test_{backend}_undeclared",
        (),
        {
            "prism_backend": backend,
            "interface": "",
            "test_does_not_implement": test_does_not_implement,
            "prism_target": None,
        },
    )


def build() -> dict[str, type]:
    from prism.interfaces import CATALOG
    from prism.registry.registry import get_registry

    _suites.load_all()
    state = active_state()
    registry = get_registry()
    classes: dict[str, type] = {}
    machines, stateful_sync, stateful_async = _stateful_bases()
    for backend in state.backends:
        declared = registry.backend(backend).interfaces
        safe = backend.replace("-", "_")
        for interface in CATALOG:
            if interface not in declared:
                continue
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


globals().update(build())
