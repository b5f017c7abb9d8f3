"""Pipelined JetStream publishes: many published at once, their acks awaited together.

nats-py's own ``JetStreamContext.publish_async`` is not used: its reply handler builds the
error of a refused publish with ``APIError.from_error``, which *raises* it (nats-py 2.x), so
the handler fails and the publish's future never resolves — a record the server refuses (a
full stream with ``discard: new``, a wrong expected sequence) would hold its whole batch up
until the timeout and then look like an outage (nats-io/nats.py#985, open with its fix in
PR #994 as of 2026-12).  :class:`PublishAcks` resolves each publish from its reply, the
server's refusal included, on one reply subscription per client.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import TYPE_CHECKING, Any

import nats.js.errors  # noqa: TID253 (backend-internal module)

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg

__all__ = ["PublishAcks"]

_NO_RESPONDERS = "503"


def api_error(error: dict[str, Any]) -> Exception:
    """nats-py's exception for a JetStream API error reply (its ``from_error`` raises it)."""
    try:
        nats.js.errors.APIError.from_error(error)
    except nats.js.errors.APIError as made:
        return made
    return nats.js.errors.APIError(**error)  # pragma: no cover - from_error always raises


class PublishAcks:
    """The acks of JetStream publishes sent with a reply subject of :meth:`expect`."""

    def __init__(self, nc: Client) -> None:
        self._nc = nc
        self._prefix = f"{nc.new_inbox()}."
        self._futures: dict[str, asyncio.Future[int]] = {}
        self._tokens = itertools.count()

    async def start(self) -> None:
        await self._nc.subscribe(f"{self._prefix}*", cb=self._reply)

    def expect(self) -> tuple[str, asyncio.Future[int]]:
        """A reply subject to publish with, and the future its ack (the stream sequence)
        resolves."""
        token = str(next(self._tokens))
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._futures[token] = future
        return self._prefix + token, future

    def forget(self, subjects: list[str]) -> None:
        """Stop waiting for the acks of ``subjects`` (a batch that failed or timed out)."""
        cut = len(self._prefix)
        for subject in subjects:
            future = self._futures.pop(subject[cut:], None)
            if future is not None and not future.done():
                future.cancel()

    async def _reply(self, msg: Msg) -> None:
        future = self._futures.pop(msg.subject[len(self._prefix) :], None)
        if future is None or future.done():
            return
        if msg.headers and msg.headers.get("Status") == _NO_RESPONDERS:
            future.set_exception(nats.js.errors.NoStreamResponseError())
            return
        try:
            answer = json.loads(msg.data)
            error = answer.get("error")
            if error:
                future.set_exception(api_error(error))
            else:
                future.set_result(int(answer["seq"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            future.set_exception(
                nats.js.errors.Error(f"unreadable JetStream publish ack ({type(exc).__name__})")
            )
