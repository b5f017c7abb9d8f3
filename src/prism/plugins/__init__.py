"""prism's plugin system: pluggy hooks discovered through the ``prism.backends`` entry points."""

from prism.plugins.hookspecs import BackendPlugin, hookimpl, hookspec
from prism.plugins.manager import get_plugin_manager, register, unregister

__all__ = [
    "BackendPlugin",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "register",
    "unregister",
]
