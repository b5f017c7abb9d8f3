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
    """What a plugin tells prism about one backend.

    ``declaration`` is the path of its ``registry/backends/<name>.yaml`` (or the parsed mapping).
    ``sync_class`` and ``async_class`` are ``"module:Class"`` paths of its
    :class:`prism.backends.base.Backend` / :class:`~prism.backends.base.AsyncBackend`
    implementations, imported on first use.  ``extra`` is the pip extra that installs its driver
    (``pip install "prism[<extra>]"``); third-party packages give their own install hint in
    ``install_hint``.  ``test_server`` is an optional ``"module:function"`` that the compliance
    plugin calls as ``function(workdir: Path) -> prism.testing.TestServer | None`` to start a
    real server for the suites.
    """

    name: str
    declaration: Path | Mapping[str, Any]
    sync_class: str
    async_class: str
    extra: str | None = None
    install_hint: str | None = None
    test_server: str | None = None


class PrismHookSpecs:
    """Hook specifications (called with keyword arguments only)."""

    @hookspec
    def prism_backends(self) -> list[BackendPlugin]:  # type: ignore[empty-body]
        """Return the backends this plugin provides."""

    @hookspec
    def prism_patterns(self) -> list[Path]:  # type: ignore[empty-body]
        """Return paths of pattern declarations (``registry/patterns/*.yaml``) to add."""
