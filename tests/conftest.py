from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``-n N --dist loadgroup`` the project's tests run module by module: a module's
    module- and session-scoped fixtures (a server, one subprocess run of many suites) then set
    up once, on one worker, instead of once on each worker that draws one of its tests.  The
    compliance suites' items (collected from the plugin, outside tests/) keep their backend's
    group."""
    for item in items:
        path = Path(item.path).resolve()
        if path.is_relative_to(TESTS) and item.get_closest_marker("xdist_group") is None:
            group = path.relative_to(TESTS).with_suffix("").as_posix().replace("/", ".")
            item.add_marker(pytest.mark.xdist_group(f"tests.{group}"))
