"""outbox beyond the pattern suite: SIGKILL between commit and publish, joining the
application's own sqlite3 transaction, pruning after the retention, configuration."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.patterns.outbox import MESSAGE_ID_HEADER


def _config(db: Path, **options: Any) -> dict[str, Any]:
    return {
        "backends": {"db": {"type": "sqlite", "connection": f"sqlite:///{db}"}},
        "namespaces": {
            "orders": {
                "pattern": "outbox",
                "slots": {"database": {"backend": "db"}, "messaging": {"backend": "db"}},
                "options": options,
            }
        },
    }


CHILD = """
import os, signal, sys
import prism
from prism.patterns import outbox as ob
config = {config!r}
ns = prism.open("orders", config=config)
if sys.argv[1] == "after-commit":
    with ns.transaction() as tx:
        tx.set("order/1", b"paid")
        tx.enqueue("emails", b"receipt")
    os.kill(os.getpid(), signal.SIGKILL)
else:  # killed by the relay after publishing, before the row is marked published
    publish = ob.Outbox._publish
    def publish_then_die(self, row):
        publish(self, row)
        os.kill(os.getpid(), signal.SIGKILL)
    ob.Outbox._publish = publish_then_die
    ns.run_once()
"""


def _run_child(tmp_path: Path, config: dict[str, Any], mode: str) -> None:
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(CHILD).format(config=config), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), mode], capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def test_sigkill_between_commit_and_publish_loses_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path / "app.db")
    _run_child(tmp_path, config, "after-commit")
    with prism.open("orders", config=config) as ns:  # the restarted process
        assert ns.slots["database"].keyvalue.get("order/1") == b"paid"
        assert ns.pending() == 1
        assert ns.run_once() == 1
        message = ns.queue.dequeue("emails")
        assert message is not None
        assert message.payload == b"receipt"
        assert MESSAGE_ID_HEADER in message.headers


def test_sigkill_after_publish_republishes_with_the_same_message_id(tmp_path: Path) -> None:
    config = _config(tmp_path / "app.db", relay_lease=0)
    with prism.open("orders", config=config) as ns, ns.transaction() as tx:
        ident = tx.enqueue("emails", b"receipt")
    _run_child(tmp_path, config, "in-relay")
    with prism.open("orders", config=config) as ns:
        assert ns.queue.length("emails") == 1  # published once before the kill
        assert ns.run_once() == 1  # the row was not marked: at least once
        first, second = ns.queue.dequeue("emails"), ns.queue.dequeue("emails")
        assert first is not None
        assert second is not None
        assert first.headers[MESSAGE_ID_HEADER] == second.headers[MESSAGE_ID_HEADER] == ident


def test_joining_the_applications_sqlite3_transaction(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    with prism.open("orders", config=_config(db)) as ns:
        ns.slots["database"].keyvalue.set("warmup", b"1")  # prism's tables exist
        app = sqlite3.connect(db)
        app.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        app.commit()
        app.execute("INSERT INTO invoices (total) VALUES (42)")
        with ns.transaction(conn=app) as tx:
            tx.set("invoice/1", b"42")
            tx.enqueue("emails", b"invoice 1")
        assert ns.pending() == 0  # not before the application commits
        app.rollback()
        assert ns.pending() == 0
        assert not ns.slots["database"].keyvalue.exists("invoice/1")
        app.execute("INSERT INTO invoices (total) VALUES (43)")
        with ns.transaction(conn=app) as tx:
            tx.set("invoice/2", b"43")
            assert tx.get("invoice/2") == b"43"  # the application's transaction sees its write
            with pytest.raises(prism.KeyNotFoundError):
                tx.get("invoice/1")  # rolled back with the application's first transaction
            tx.enqueue("emails", b"invoice 2")
        app.commit()
        assert ns.slots["database"].keyvalue.get("invoice/2") == b"43"
        assert ns.run_once() == 1
        message = ns.queue.dequeue("emails")
        assert message is not None
        assert message.payload == b"invoice 2"
        app.close()


def test_published_rows_are_pruned_after_the_retention(tmp_path: Path) -> None:
    with prism.open("orders", config=_config(tmp_path / "app.db", retention=100)) as ns:
        now = [1_000_000.0]
        ns.runtime.clock = lambda: now[0]
        with ns.transaction() as tx:
            tx.enqueue("emails", b"x")
        assert ns.run_once() == 1
        kv = ns.slots["database"].keyvalue
        assert kv.count("prism-outbox/sent/") == 1
        now[0] += 50
        ns.run_once()
        assert kv.count("prism-outbox/sent/") == 1
        now[0] += 51
        ns.run_once()
        assert kv.count("prism-outbox/sent/") == 0


def test_a_database_without_transactions_is_refused_naming_the_slot(tmp_path: Path) -> None:
    config = _config(tmp_path / "app.db")
    config["backends"]["kv"] = {"type": "example-kv"}
    config["namespaces"]["orders"]["slots"]["database"] = {"backend": "kv"}
    with pytest.raises(prism.ConfigurationError, match="database"):
        prism.open("orders", config=config)


def test_a_failed_publish_keeps_that_row_and_later_ones_for_the_next_round(tmp_path: Path) -> None:
    with prism.open("orders", config=_config(tmp_path / "app.db")) as ns:
        with ns.transaction() as tx:
            for i in range(4):
                tx.enqueue("emails", f"m{i}".encode())
        real = ns.runtime.messaging["queue"]

        class FailThird:
            calls = 0

            def enqueue(self, *args: Any, **kwargs: Any) -> str:
                FailThird.calls += 1
                if FailThird.calls == 3:
                    raise prism.BackendUnavailableError("messaging is down")
                return str(real.enqueue(*args, **kwargs))

        ns.runtime.messaging["queue"] = FailThird()
        with pytest.raises(prism.BackendUnavailableError):
            ns.run_once()
        assert ns.pending() == 2  # the two published rows are marked, the rest wait
        ns.runtime.messaging["queue"] = real
        assert ns.run_once() == 2
        got = []
        while (message := ns.queue.dequeue("emails")) is not None:
            got.append(message.payload)
        assert got == [b"m0", b"m1", b"m2", b"m3"]


def test_outbox_then_claim_check_then_messaging_compose(tmp_path: Path) -> None:
    db = {"type": "sqlite", "connection": f"sqlite:///{tmp_path / 'app.db'}"}
    config = {
        "backends": {"db": db},
        "namespaces": {
            "media": {
                "pattern": "claim-check",
                "slots": {"messaging": {"backend": "db"}, "storage": {"backend": "db"}},
                "options": {"threshold_bytes": 1024},
            },
            "uploads": {
                "pattern": "outbox",
                "slots": {"database": {"backend": "db"}, "messaging": {"namespace": "media"}},
            },
        },
    }
    big = bytes(range(256)) * 1000
    with prism.open("uploads", config=config) as up, prism.open("media", config=config) as media:
        with up.transaction() as tx:
            tx.set("upload/1", b"stored")
            tx.enqueue("transcode", big)
        assert up.run_once() == 1
        assert media.runtime.storage.count("claim/") == 1  # the relay's send was claimed
        lease = media.queue.receive("transcode")
        assert lease is not None
        assert lease.payload == big
        media.queue.ack(lease)
        assert media.runtime.storage.count("claim/") == 0


def test_a_relay_round_reads_only_the_rows_it_publishes(tmp_path: Path) -> None:
    """On sqlite the relay reads the oldest ``relay_batch`` rows with one ordered range read:
    a round with 300 rows pending touches 10 of them, oldest first, keyed rows in order."""
    with prism.open("orders", config=_config(tmp_path / "o.db", relay_batch=10)) as opened:
        ns: Any = opened
        for i in range(300):
            with ns.transaction() as tx:
                tx.append("events", f"{i}".encode(), key=f"k{i % 3}")
        database = ns.runtime.database
        seen: list[str] = []

        class Counting:  # the database slot, counting every key the relay reads
            _scan_in_key_order = database._scan_in_key_order

            def __getattr__(self, name: str) -> Any:
                return getattr(database, name)

            def scan(self, prefix: str = "", *, limit: int | None = None) -> Any:
                for key, value in database.scan(prefix, limit=limit):
                    seen.append(key)
                    yield key, value

            def scan_keys(self, prefix: str = "", *, limit: int | None = None) -> Any:
                for key in database.scan_keys(prefix, limit=limit):
                    seen.append(key)
                    yield key

            def get(self, key: str) -> bytes:
                seen.append(key)
                return database.get(key)  # type: ignore[no-any-return]

        ns.runtime.database = Counting()
        assert ns.run_once() == 10
        assert len([k for k in seen if k.startswith("prism-outbox/row/")]) == 10
        ns.runtime.database = database
        assert ns.pending() == 290
        while ns.run_once():
            pass
        records = ns.stream.read("events", 0, max_count=1000)
        assert [r.payload for r in records] == [f"{i}".encode() for i in range(300)]
