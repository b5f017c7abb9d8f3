"""The compliance suites, one module per data model (async source in ``_async/``)."""

from __future__ import annotations

import importlib

MODULES = (
    "keyvalue",
    "pubsub",
    "stream",
    "queue",
    "list",
    "set",
    "sortedset",
    "timeseries",
    "graph",
    "document",
)


def load_all() -> None:
    """Import every suite module that exists (sync and async)."""
    for name in MODULES:
        for module in (f"prism.testing.suites.{name}", f"prism.testing.suites._async.{name}"):
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
