"""memstore's waiting and scheduling: what the compliance suites cannot see from outside.

* Polling memstore from a task never starves the event loop: a consumer task polling in a tight
  loop lets a producer task on the same loop run (every poll is checked against a deadline, so a
  backend that never yields fails the test instead of hanging it).
* A push wakes only the waiters of what it pushed to (counted through ``Waiters.on_wake``), and
  no wake-up is lost: a waiter blocked with a long timeout gets a push at once — threads and
  tasks, each woken by the other flavour too.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Hashable, Iterator
from typing import Any

import pytest

import prism
from prism.backends.memstore import ManualClock, Store, get_store
from prism.backends.memstore._core import drop_store
from prism.errors import NotFoundError

DEADLINE = 10.0
"""Seconds a test allows for something that takes microseconds when it works."""
LONG = 60.0
"""A waiter's own timeout: far beyond DEADLINE, so only a wake-up can end its wait in time."""


def _config(store: str, clock: ManualClock | None = None) -> dict[str, Any]:
    options = {} if clock is None else {"clock": clock}
    return {
        "backends": {
            "m": {"type": "memstore", "connection": f"memory://{store}", "options": options}
        },
        "default_backend": "m",
    }


@pytest.fixture
def store_name() -> Iterator[str]:
    name = f"test-memstore-{uuid.uuid4().hex}"
    yield name
    drop_store(name)


def _until(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.001)


async def _until_async(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.001)


# ----- polling yields to the event loop -------------------------------------------------------


async def _poll_while_producing(
    poll: Callable[[], Awaitable[Any]],
    done: Callable[[Any], bool],
    produce: Callable[[], Awaitable[Any]],
) -> Any:
    """Poll in a loop that never awaits anything but ``poll()``; ``produce`` runs in another
    task of the same loop, so the poll only ever sees it if polling lets that task run."""
    end = time.monotonic() + DEADLINE
    producer = asyncio.ensure_future(produce())
    try:
        while True:
            result = await poll()
            if done(result):
                return result
            # checked inside the loop: a poll that never yields starves every timer too
            assert time.monotonic() < end, "the producer task never ran: polling starved the loop"
    finally:
        await producer


POLLS: dict[str, Callable[[Any], Awaitable[tuple[Any, Any, Any]]]] = {}


def _poll_case(name: str) -> Callable[[Any], Any]:
    def register(fn: Any) -> Any:
        POLLS[name] = fn
        return fn

    return register


@_poll_case("queue.dequeue")
async def _queue_dequeue(ns: Any) -> tuple[Any, Any, Any]:
    return (lambda: ns.queue.dequeue("jobs"), lambda: ns.queue.enqueue("jobs", b"x"), bool)


@_poll_case("queue.receive")
async def _queue_receive(ns: Any) -> tuple[Any, Any, Any]:
    return (lambda: ns.queue.receive("jobs"), lambda: ns.queue.enqueue("jobs", b"x"), bool)


@_poll_case("queue.length")
async def _queue_length(ns: Any) -> tuple[Any, Any, Any]:
    return (lambda: ns.queue.length("jobs"), lambda: ns.queue.enqueue("jobs", b"x"), bool)


@_poll_case("list.pop_left")
async def _list_pop(ns: Any) -> tuple[Any, Any, Any]:
    return (lambda: ns.list.pop_left("l"), lambda: ns.list.push_right("l", b"x"), bool)


@_poll_case("list.blocking_pop_left(timeout=0)")
async def _list_blocking_pop(ns: Any) -> tuple[Any, Any, Any]:
    return (
        lambda: ns.list.blocking_pop_left(["l", "m"], timeout=0),
        lambda: ns.list.push_right("m", b"x"),
        bool,
    )


@_poll_case("stream.read")
async def _stream_read(ns: Any) -> tuple[Any, Any, Any]:
    return (lambda: ns.stream.read("s"), lambda: ns.stream.append("s", b"x"), bool)


@_poll_case("stream.consume")
async def _stream_consume(ns: Any) -> tuple[Any, Any, Any]:
    await ns.stream.create_group("s", "g", start="earliest")
    return (lambda: ns.stream.consume("s", "g", "c"), lambda: ns.stream.append("s", b"x"), bool)


@_poll_case("pubsub.get(timeout=0)")
async def _pubsub_get(ns: Any) -> tuple[Any, Any, Any]:
    sub = await ns.pubsub.subscribe("t")
    return (lambda: sub.get(timeout=0), lambda: ns.pubsub.publish("t", b"x"), bool)


@_poll_case("keyvalue.get of a present value")
async def _kv_unchanged(ns: Any) -> tuple[Any, Any, Any]:
    # the poll finds something every time, just not what it waits for
    await ns.keyvalue.set("state", b"pending")
    return (
        lambda: ns.keyvalue.get("state"),
        lambda: ns.keyvalue.set("state", b"done"),
        lambda value: value == b"done",
    )


@_poll_case("stream.group_info raising NotFoundError")
async def _raising(ns: Any) -> tuple[Any, Any, Any]:
    async def info() -> Any:
        try:
            return await ns.stream.group_info("s", "late")
        except NotFoundError:
            return None

    return (info, lambda: ns.stream.create_group("s", "late"), lambda found: found is not None)


@pytest.mark.parametrize("case", sorted(POLLS))
def test_a_polling_task_lets_the_producer_task_run(store_name: str, case: str) -> None:
    async def main() -> None:
        async with await prism.open_async("polling", config=_config(store_name)) as ns:
            poll, produce, done = await POLLS[case](ns)
            await _poll_while_producing(poll, done, produce)

    asyncio.run(main())


# ----- a push wakes the waiters it concerns, and only those ------------------------------------


def _count_wakes(store: Store, wanted: Hashable) -> list[int]:
    """Count wake-ups of waiters that wait for ``wanted`` (a one-element list, updated live)."""
    count = [0]

    def hook(keys: tuple[Hashable, ...]) -> None:
        if wanted in keys:
            count[0] += 1

    store.waiters.on_wake = hook
    return count


KEYS = {
    "queue": lambda name: ("queue", "sel", name),
    "list": lambda name: ("list", "sel", name),
    "stream": lambda name: ("stream", "sel", name),
}


async def _wait_async(ns: Any, model: str, name: str) -> Any:
    if model == "queue":
        return await ns.queue.receive(name, timeout=LONG)
    if model == "list":
        return await ns.list.blocking_pop_left([name], timeout=LONG)
    await ns.stream.create_group(name, "g", start="latest")
    return await ns.stream.consume(name, "g", "c", block=LONG)


def _wait_sync(ns: Any, model: str, name: str) -> Any:
    if model == "queue":
        return ns.queue.receive(name, timeout=LONG)
    if model == "list":
        return ns.list.blocking_pop_left([name], timeout=LONG)
    ns.stream.create_group(name, "g", start="latest")
    return ns.stream.consume(name, "g", "c", block=LONG)


async def _push_async(ns: Any, model: str, name: str) -> None:
    if model == "queue":
        await ns.queue.enqueue(name, b"x")
    elif model == "list":
        await ns.list.push_right(name, b"x")
    else:
        await ns.stream.append(name, b"x")


def _push_sync(ns: Any, model: str, name: str) -> None:
    if model == "queue":
        ns.queue.enqueue(name, b"x")
    elif model == "list":
        ns.list.push_right(name, b"x")
    else:
        ns.stream.append(name, b"x")


@pytest.mark.parametrize("model", sorted(KEYS))
def test_pushes_to_a_do_not_wake_a_task_waiting_on_b(store_name: str, model: str) -> None:
    store = get_store(store_name)
    woken_b = _count_wakes(store, KEYS[model]("B"))

    async def main() -> None:
        async with await prism.open_async("sel", config=_config(store_name)) as ns:
            waiter = asyncio.ensure_future(_wait_async(ns, model, "B"))
            await _until_async(lambda: store.waiters.waiting(KEYS[model]("B")) == 1, "the waiter")
            for _ in range(1000):
                await _push_async(ns, model, "A")
            assert woken_b[0] == 0
            assert not waiter.done()
            started = time.monotonic()
            await _push_async(ns, model, "B")
            async with asyncio.timeout(DEADLINE):
                got = await waiter
            assert got, "the waiter on B timed out instead of taking the push to B"
            assert time.monotonic() - started < DEADLINE
            assert woken_b[0] >= 1
            assert store.waiters.waiting(KEYS[model]("B")) == 0

    asyncio.run(main())


@pytest.mark.parametrize("model", sorted(KEYS))
def test_pushes_to_a_do_not_wake_a_thread_waiting_on_b(store_name: str, model: str) -> None:
    store = get_store(store_name)
    woken_b = _count_wakes(store, KEYS[model]("B"))
    got: list[Any] = []
    with prism.open("sel", config=_config(store_name)) as ns:
        waiter = threading.Thread(target=lambda: got.append(_wait_sync(ns, model, "B")))
        waiter.start()
        try:
            _until(lambda: store.waiters.waiting(KEYS[model]("B")) == 1, "the waiter")
            for _ in range(1000):
                _push_sync(ns, model, "A")
            assert woken_b[0] == 0
            assert not got
            _push_sync(ns, model, "B")
        finally:
            waiter.join(DEADLINE)
        assert not waiter.is_alive(), "the waiter on B slept through the push to B"
        assert got and got[0], "the waiter on B timed out instead of taking the push to B"
        assert woken_b[0] >= 1


def test_a_multi_key_pop_wakes_for_any_of_its_keys_only(store_name: str) -> None:
    store = get_store(store_name)
    woken = _count_wakes(store, ("list", "sel", "C"))

    async def main() -> None:
        async with await prism.open_async("sel", config=_config(store_name)) as ns:
            waiter = asyncio.ensure_future(ns.list.blocking_pop_left(["B", "C"], timeout=LONG))
            await _until_async(lambda: store.waiters.waiting(("list", "sel", "C")) == 1, "waiter")
            for _ in range(100):
                await ns.list.push_left("A", b"a")
            assert woken[0] == 0
            await ns.list.push_left("C", b"c")
            async with asyncio.timeout(DEADLINE):
                assert await waiter == ("C", b"c")

    asyncio.run(main())


def test_publishing_to_a_does_not_wake_a_subscriber_of_b(store_name: str) -> None:
    store = get_store(store_name)
    wakes: list[tuple[Hashable, ...]] = []
    store.waiters.on_wake = wakes.append

    async def main() -> None:
        async with await prism.open_async("sel", config=_config(store_name)) as ns:
            sub_b = await ns.pubsub.subscribe("B")
            waiter = asyncio.ensure_future(sub_b.get(timeout=LONG))
            await _until_async(lambda: store.waiters.waiting() == 1, "the subscriber")
            for i in range(1000):
                await ns.pubsub.publish("A", b"%d" % i)
            assert wakes == []
            await ns.pubsub.publish("B", b"b")
            async with asyncio.timeout(DEADLINE):
                message = await waiter
            assert message is not None and message.payload == b"b"
            assert len(wakes) == 1
            await sub_b.close()

    asyncio.run(main())


# ----- no wake-up is lost, whichever flavour waits and whichever pushes --------------------------

ROUNDS = 200


def test_no_wakeup_lost_thread_waiter_thread_pusher(store_name: str) -> None:
    with prism.open("handoff", config=_config(store_name)) as ns:
        started = time.monotonic()
        for i in range(ROUNDS):
            got: list[Any] = []
            waiter = threading.Thread(
                target=lambda got=got: got.append(ns.queue.receive("A", timeout=LONG))
            )
            waiter.start()
            ns.queue.enqueue("A", str(i).encode())  # races the waiter's registration on purpose
            waiter.join(DEADLINE)
            assert not waiter.is_alive(), f"round {i}: the push was lost"
            assert got[0] is not None and got[0].message.payload == str(i).encode()
        assert time.monotonic() - started < DEADLINE


def test_no_wakeup_lost_task_waiter_task_pusher(store_name: str) -> None:
    async def main() -> None:
        async with await prism.open_async("handoff", config=_config(store_name)) as ns:
            for i in range(ROUNDS):
                waiter = asyncio.ensure_future(ns.queue.receive("A", timeout=LONG))
                if i % 2:  # half the rounds: push after the waiter is asleep
                    await asyncio.sleep(0)
                await ns.queue.enqueue("A", str(i).encode())
                async with asyncio.timeout(DEADLINE):
                    lease = await waiter
                assert lease is not None and lease.message.payload == str(i).encode()

    asyncio.run(asyncio.wait_for(main(), DEADLINE))


def test_no_wakeup_lost_task_waiter_thread_pusher(store_name: str) -> None:
    store = get_store(store_name)

    async def main() -> None:
        async with await prism.open_async("handoff", config=_config(store_name)) as ans:
            with prism.open("handoff", config=_config(store_name)) as ns:
                for i in range(ROUNDS // 4):
                    waiter = asyncio.ensure_future(ans.queue.receive("A", timeout=LONG))
                    await _until_async(
                        lambda: store.waiters.waiting(("queue", "handoff", "A")) == 1, "waiter"
                    )
                    pusher = threading.Thread(target=ns.queue.enqueue, args=("A", b"%d" % i))
                    pusher.start()
                    async with asyncio.timeout(DEADLINE):
                        lease = await waiter
                    pusher.join(DEADLINE)
                    assert lease is not None and lease.message.payload == b"%d" % i

    asyncio.run(main())


def test_no_wakeup_lost_thread_waiter_task_pusher(store_name: str) -> None:
    store = get_store(store_name)
    with prism.open("handoff", config=_config(store_name)) as ns:
        for i in range(ROUNDS // 4):
            got: list[Any] = []
            waiter = threading.Thread(
                target=lambda got=got: got.append(ns.list.blocking_pop_left("A", timeout=LONG))
            )
            waiter.start()
            _until(lambda: store.waiters.waiting(("list", "handoff", "A")) == 1, "the waiter")

            async def push(i: int = i) -> None:
                async with await prism.open_async("handoff", config=_config(store_name)) as ans:
                    await ans.list.push_right("A", b"%d" % i)

            asyncio.run(push())
            waiter.join(DEADLINE)
            assert not waiter.is_alive(), f"round {i}: the push was lost"
            assert got == [("A", b"%d" % i)]


# ----- the manual clock wakes waiters whose deadline it passes ---------------------------------


def test_advancing_the_manual_clock_wakes_a_task_waiting_for_a_delayed_message(
    store_name: str,
) -> None:
    clock = ManualClock()
    store = get_store(store_name, clock)

    async def main() -> None:
        async with await prism.open_async("clock", config=_config(store_name, clock)) as ns:
            await ns.queue.enqueue("A", b"later", delay=LONG)
            waiter = asyncio.ensure_future(ns.queue.dequeue("A", timeout=LONG * 2))
            await _until_async(
                lambda: store.waiters.waiting(("queue", "clock", "A")) == 1, "waiter"
            )
            clock.advance(LONG - 1)
            await asyncio.sleep(0)
            assert not waiter.done()
            clock.advance(1)
            async with asyncio.timeout(DEADLINE):
                message = await waiter
            assert message is not None and message.payload == b"later"

    asyncio.run(main())


def test_advancing_the_manual_clock_wakes_a_thread_waiting_for_a_lapsed_lease(
    store_name: str,
) -> None:
    clock = ManualClock()
    store = get_store(store_name, clock)
    got: list[Any] = []
    with prism.open("clock", config=_config(store_name, clock)) as ns:
        ns.queue.enqueue("A", b"m")
        first = ns.queue.receive("A", visibility_timeout=LONG)
        assert first is not None
        waiter = threading.Thread(
            target=lambda: got.append(ns.queue.receive("A", timeout=LONG * 2))
        )
        waiter.start()
        _until(lambda: store.waiters.waiting(("queue", "clock", "A")) == 1, "the waiter")
        clock.advance(LONG)
        waiter.join(DEADLINE)
        assert not waiter.is_alive(), "the lapsed lease did not wake the waiter"
        assert got[0] is not None and got[0].message.id == first.message.id
