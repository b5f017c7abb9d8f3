"""pytest-xdist's ``--dist loadgroup`` with the groups passed beside the node ids.

pytest-xdist 3.8 tells the controller an item's ``xdist_group`` by appending ``@group`` to the
item's node id on the worker; since pytest 9.2 (structured node ids) that write no longer takes
effect and every test becomes its own unit (pytest-xdist issue #1386), so a backend's suites
would spread over the workers and start its server on each.  Here each worker writes, when it
has collected, the group of every marked item to a file in a directory the controller gave it
(``workerinput``); the controller's scheduler reads the groups from there.  A node id that does
carry ``@group`` (a pytest-xdist that works) is grouped by it, as pytest-xdist does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

WORKERINPUT_KEY = "prism_xdist_groups"


def group_of(item: pytest.Item) -> str | None:
    """The item's group as pytest-xdist names it (several marks: their names joined)."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "_".join(sorted(names)) if names else None


def write_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker: record the group of each collected item for the controller."""
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    directory = workerinput.get(WORKERINPUT_KEY)
    if not directory:
        return
    groups = {item.nodeid: group for item in items if (group := group_of(item)) is not None}
    path = Path(directory) / f"{workerinput['workerid']}.json"
    path.write_text(json.dumps(groups), encoding="utf-8")


def make_scheduler(config: pytest.Config, log: Any, directory: Path) -> Any:
    """The controller's loadgroup scheduler, reading the workers' groups from ``directory``."""
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

    class FileGroupScheduling(LoadGroupScheduling):  # type: ignore[misc]
        _groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):
                return str(super()._split_scope(nodeid))
            if self._groups is None:
                found: dict[str, str] = {}
                for path in sorted(directory.glob("*.json")):
                    found.update(json.loads(path.read_text(encoding="utf-8")))
                self._groups = found
            return self._groups.get(nodeid, nodeid)

    return FileGroupScheduling(config, log)
