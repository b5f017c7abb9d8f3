"""The hooks a prism plugin may implement.

A backend package exposes a module through the ``prism.backends`` entry-point group::

    [project.entry-points."prism.backends"]
    mybackend = "mybackend.plugin"

and that module implements :func:`prism_backends` with :data:`hookimpl`.  The plugin module holds
strings only (dotted paths), so that importing prism imports no driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pluggy

__all__ = ["PROJECT", "BackendPlugin", "hookimpl", "hookspec"]

PROJECT = "prism"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True, slots=True)
class BackendPlugin:
    """What a plugin tells prism about one backend (strings only: nothing here imports a driver).

    ``declaration`` is the path of its ``registry/backends/<name>.yaml`` (or the parsed mapping);
    the declaration alone says what the backend implements and which pip extra installs its
    driver (``extra:``).  ``sync_class`` and ``async_class`` are ``"module:Class"`` paths of its
    :class:`prism.backends.Backend` / :class:`~prism.backends.AsyncBackend` implementations,
    imported on first use.  ``install_hint`` overrides the hint built from the declaration's
    ``extra`` (third-party packages give ``pip install <their package>``).

    ``parse_settings`` is an optional ``"module:function"`` that ``prism validate`` calls as
    ``function(backend: str, connection: str | None, options: Mapping[str, Any])``: the backend's
    own parser of its connection string and ``options:``, raising ``ConfigurationError`` for
    anything wrong (unknown option, wrong type, malformed connection) and connecting nothing.
    The module must import without the driver.  ``test_server`` is an optional
    ``"module:function"`` that the compliance plugin calls as
    ``function(workdir: Path) -> prism.testing.TestServer | None`` to start a real server for
    the suites.  ``stress_deadline`` (seconds) is the deadline of the suites' stress cases (those
    marked ``prism_stress``: 10,000 keys or points in one case) on this backend, when its local
    server is too slow for them within the run's per-case deadline (moto, as an S3 stand-in,
    serves a few hundred requests a second); every other case keeps the run's deadline.
    """

    name: str
    declaration: Path | Mapping[str, Any]
    sync_class: str
    async_class: str
    install_hint: str | None = None
    test_server: str | None = None
    parse_settings: str | None = None
    stress_deadline: float | None = None


class PrismHookSpecs:
    """Hook specifications (called with keyword arguments only)."""

    @hookspec
    def prism_backends(self) -> list[BackendPlugin]:  # type: ignore[empty-body]
        """Return the backends this plugin provides."""

    @hookspec
    def prism_patterns(self) -> list[Path]:  # type: ignore[empty-body]
        """Return paths of pattern declarations (``registry/patterns/*.yaml``) to add."""
