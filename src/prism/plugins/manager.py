"""The process-wide plugin manager, loaded once from the ``prism.backends`` entry points."""

from __future__ import annotations

import threading
from typing import Any

import pluggy

from prism.errors import ConfigurationError
from prism.plugins.hookspecs import PROJECT, PrismHookSpecs

__all__ = ["ENTRY_POINT_GROUP", "get_plugin_manager", "register", "unregister"]

ENTRY_POINT_GROUP = "prism.backends"
_lock = threading.Lock()
_manager: pluggy.PluginManager | None = None
_generation = 0


def get_plugin_manager() -> pluggy.PluginManager:
    """The plugin manager, with every installed ``prism.backends`` entry point loaded."""
    global _manager
    with _lock:
        if _manager is None:
            pm = pluggy.PluginManager(PROJECT)
            pm.add_hookspecs(PrismHookSpecs)
            try:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            except Exception as exc:
                msg = f"a prism plugin failed to load: {exc}"
                raise ConfigurationError(msg) from exc
            pm.check_pending()
            _manager = pm
        return _manager


def generation() -> int:
    """A counter bumped whenever plugins change, so caches built from them can be rebuilt."""
    return _generation


def register(plugin: Any, name: str | None = None) -> None:
    """Register a plugin object or module at run time (tests, applications embedding a backend)."""
    global _generation
    pm = get_plugin_manager()
    pm.register(plugin, name=name)
    pm.check_pending()
    _generation += 1


def unregister(plugin: Any = None, name: str | None = None) -> None:
    global _generation
    get_plugin_manager().unregister(plugin, name=name)
    _generation += 1
