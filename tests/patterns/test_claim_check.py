"""claim-check beyond the pattern suite: the 1,000-message cleanup, failed sends, composition,
configuration refusals and the documentation example."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

import prism
from prism.patterns import ClaimIntegrityError, parse_claim

ROOT = Path(__file__).resolve().parent.parent.parent


def _config(messaging: dict[str, Any], storage: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {
        "backends": {"m": messaging, "s": storage},
        "namespaces": {
            "videos": {
                "pattern": "claim-check",
                "slots": {"messaging": {"backend": "m"}, "storage": {"backend": "s"}},
                "options": options,
            }
        },
    }


def _mem() -> dict[str, Any]:
    return {"type": "memstore", "connection": f"memory://cc-{uuid.uuid4().hex[:8]}"}


def _sqlite(tmp_path: Path) -> dict[str, Any]:
    return {"type": "sqlite", "connection": f"sqlite:///{tmp_path / 'cc.db'}"}


@pytest.mark.parametrize("storage", ["memstore", "sqlite"])
def test_a_thousand_acknowledged_messages_leave_zero_stored_objects(
    storage: str, tmp_path: Path
) -> None:
    store = _mem() if storage == "memstore" else _sqlite(tmp_path)
    with prism.open("videos", config=_config(_sqlite(tmp_path), store, threshold_bytes=32)) as ns:
        sent = {}
        for i in range(1000):
            payload = f"{i:06d}".encode() * 20
            sent[ns.queue.enqueue("work", payload, headers={"n": str(i)})] = payload
        assert ns.runtime.storage.count("claim/") == 1000
        seen = 0
        while (lease := ns.queue.receive("work")) is not None:
            assert lease.payload == sent[lease.id]
            ns.queue.ack(lease)
            seen += 1
        assert seen == 1000
        assert ns.runtime.storage.count("claim/") == 0


def test_async_flavour_round_trips_and_cleans_up() -> None:
    asyncio.run(_async_round_trip())


async def _async_round_trip() -> None:
    config = _config(_mem(), _mem(), threshold_bytes=8)
    async with await prism.open_async("videos", config=config) as ns:
        await ns.queue.enqueue("work", b"0123456789" * 3)
        lease = await ns.queue.receive("work")
        assert lease is not None
        assert lease.payload == b"0123456789" * 3
        await ns.queue.ack(lease)
        assert await ns.runtime.storage.count("claim/") == 0
        assert isinstance(ns.queue, prism.AsyncQueueVisibility)


class _Refusing:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def enqueue(self, *args: Any, **kwargs: Any) -> str:
        raise prism.BackendUnavailableError("messaging is down")


def test_a_failed_send_deletes_what_it_stored() -> None:
    with prism.open("videos", config=_config(_mem(), _mem(), threshold_bytes=8)) as ns:
        ns.queue._inner = _Refusing(ns.queue._inner)  # the messaging backend fails the send
        with pytest.raises(prism.BackendUnavailableError):
            ns.queue.enqueue("work", b"x" * 100)
        assert ns.runtime.storage.count("claim/") == 0


def test_claims_resolve_without_prism_from_the_documented_fields() -> None:
    import gzip
    import hashlib

    with prism.open(
        "videos", config=_config(_mem(), _mem(), threshold_bytes=8, compression="gzip")
    ) as ns:
        ns.stream.append("s", b"hello world" * 50)
        raw = ns.slots["messaging"].stream.read("s")[0]
        claim = parse_claim(raw.payload)
        stored = ns.slots["storage"].keyvalue.get(claim.key)
        assert len(stored) == claim.stored_size
        data = gzip.decompress(stored)
        assert hashlib.sha256(data).hexdigest() == claim.sha256
        assert data == b"hello world" * 50


def test_a_claim_that_is_not_json_is_an_integrity_error() -> None:
    with prism.open("videos", config=_config(_mem(), _mem(), threshold_bytes=8)) as ns:
        ns.slots["messaging"].stream.append("s", b"{not json", headers={"prism-claim": "v1"})
        with pytest.raises(ClaimIntegrityError, match="no valid claim"):
            ns.stream.read("s")


def test_patterns_compose_through_a_namespace_slot() -> None:
    mem = _mem()
    config = {
        "backends": {"m": mem},
        "namespaces": {
            "inner": {
                "pattern": "claim-check",
                "slots": {"messaging": {"backend": "m"}, "storage": {"backend": "m"}},
                "options": {"threshold_bytes": 4},
            },
            "outer": {
                "pattern": "claim-check",
                "slots": {"messaging": {"namespace": "inner"}, "storage": {"backend": "m"}},
                "options": {"threshold_bytes": 100},
            },
        },
    }
    with prism.open("outer", config=config) as outer, prism.open("inner", config=config) as inner:
        outer.queue.enqueue("q", b"y" * 50)  # inline for outer, claimed by inner
        assert inner.runtime.storage.count("claim/") == 1
        message = inner.queue.dequeue("q")
        assert message is not None
        assert message.payload == b"y" * 50


def test_unknown_option_and_bad_compression_are_refused_at_open() -> None:
    with pytest.raises(prism.ConfigurationError, match="no option 'treshold_bytes'"):
        prism.open("videos", config=_config(_mem(), _mem(), treshold_bytes=1))
    with pytest.raises(prism.ConfigurationError, match="compression"):
        prism.open("videos", config=_config(_mem(), _mem(), compression="lz4"))


def test_a_slot_naming_an_undefined_namespace_is_refused() -> None:
    config = _config(_mem(), _mem())
    config["namespaces"]["videos"]["slots"]["messaging"] = {"namespace": "nowhere"}
    with pytest.raises(prism.ConfigurationError, match="nowhere"):
        prism.open("videos", config=config)


@pytest.mark.parametrize("page", sorted((ROOT / "docs" / "patterns").glob("*.md")), ids=str)
def test_pattern_page_examples_run(page: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)\n```", page.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, f"{page.name} has no python example"
    scope: dict[str, Any] = {"__name__": "__doc_example__"}
    for block in blocks:  # one page's blocks run in order, as one program
        exec(compile(block, str(page), "exec"), scope)  # noqa: S102


def test_stream_objects_go_once_every_declared_group_acknowledged() -> None:
    """1,000 records through claim-check on a stream read by two declared groups: the objects
    stay until the second group acknowledged, an undeclared group changes nothing, and an
    acknowledgement from another handle (which never consumed) counts."""
    messaging, storage = _mem(), _mem()
    config = _config(messaging, storage, threshold_bytes=32, stream_groups="billing, audit")
    with prism.open("videos", config=config) as a, prism.open("videos", config=config) as b:
        ns: Any = a
        other: Any = b
        for group in ("billing", "audit", "adhoc"):
            ns.stream.create_group("clips", group, start="earliest")
        sent = [f"{i:06d}".encode() * 20 for i in range(1000)]
        for payload in sent:
            ns.stream.append("clips", payload)
        store = ns.runtime.storage
        assert store.count("claim/") == 1000
        assert all(store.get_ttl(key) is None for key in list(store.scan_keys("claim/"))[:5])

        def drain(handle: Any, group: str, acker: Any) -> None:
            got: list[bytes] = []
            while records := handle.stream.consume("clips", group, "c1", max_count=300):
                got += [r.payload for r in records]
                acker.stream.ack("clips", group, [r.offset for r in reversed(records)])
            assert got == sent

        drain(ns, "adhoc", ns)  # not declared: its acknowledgements delete nothing
        assert store.count("claim/") == 1000
        drain(ns, "billing", ns)
        assert store.count("claim/") == 2000  # the objects and billing's marks
        assert other.stream.ack("clips", "audit", [999]) == 0  # never delivered: kept
        assert store.count("claim/") == 2000
        drain(ns, "audit", other)  # acknowledged through a handle that consumed nothing
        assert store.count("claim/") == 0
        assert ns.stream.ack("clips", "audit", [0, 1]) == 0  # again: nothing, no error


def test_stream_groups_must_name_a_group() -> None:
    config = _config(_mem(), _mem(), stream_groups=" , ")
    with pytest.raises(prism.errors.PrismError, match="stream_groups"):
        prism.open("videos", config=config)
