"""multicast-registry: the registry lives in the backend, so two processes see one registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import prism


def _config(db: Path) -> dict[str, Any]:
    return {
        "backends": {
            "db": {"type": "sqlite", "connection": f"sqlite:///{db}"},
            "mem": {"type": "memstore", "connection": "memory://mcast-procs"},
        },
        "namespaces": {
            "fleet": {
                "pattern": "multicast-registry",
                "slots": {
                    "registry": {"backend": "db"},
                    "messaging": {"backend": "mem"},
                    "durability": {"backend": "db"},
                },
            }
        },
    }


CHILD = """
import json, sys
import prism
ns = prism.open("fleet", config=json.loads(sys.argv[1]))
ns.register("edge.berlin", {"site": "berlin", "cpu": 8}, ttl=600)
ns.register("edge.paris", {"site": "paris", "cpu": 2}, ttl=600)
print(ns.multicast({"cpu": {"$gte": 4}}, b"update").queued)
"""


def test_another_process_sees_the_registry_and_the_queued_messages(tmp_path: Path) -> None:
    config = _config(tmp_path / "fleet.db")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stdout.strip() == "1"  # berlin was not listening: queued
    with prism.open("fleet", config=config) as opened:
        ns: Any = opened
        assert [m.identity for m in ns.enumerate({"site": {"$in": ["paris", "rome"]}})] == [
            "edge.paris"
        ]
        inbox = ns.listen("edge.berlin")
        kept = inbox.get(timeout=1)
        assert kept is not None
        assert kept.payload == b"update"
        inbox.close()
