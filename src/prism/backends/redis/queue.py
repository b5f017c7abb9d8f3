# Generated from src/prism/backends/redis/_async/queue.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""redis queue: all five interfaces, built from sorted sets, hashes and Lua scripts.

Every queue of a namespace shares a handful of Redis keys (``<root>:{<ns>}:queue:<part>``), so
every script declares the keys it works on up front (a lapse or a dead-lettering can move a
message into any queue of the namespace) and one namespace is one hash slot::

    queue:ready      zset, score 0, member <queue> NUL <8 hex: 2**31-1-priority> <16 hex: seq> <id>:
                     one lexicographic range per queue, ordered by priority (highest first),
                     then by seq (enqueue order; dead-lettering and redrive take a new seq)
    queue:delayed    zset, score = due time (µs), member = id
    queue:leased     zset, score = lease deadline (µs), member = id
    queue:dead       zset, score 0, member <source queue> NUL <16 hex: seq> <id>, per source
                     queue in the order its messages were dead-lettered
    queue:msg        hash: m<id> → the message's metadata (MessagePack array: queue, priority,
                     seq, attempts, enqueued at, state, receipt, deadline, dead-letter source,
                     its seq, headers JSON); b<id> → the payload
    queue:seq        counter: message ids, seqs
    queue:rules      hash: <queue> → "<max_attempts>:<dead-letter queue>"
    queue:scheduled  hash: <queue> → how many messages wait for their time
    queue.wake:<q>   list: a wake-up token for callers waiting on queue <q> (expires after 60 s)

Every operation is one script, atomic on the server.  Time is the server's (``TIME`` inside the
scripts), so every client agrees on deadlines and due times.  Nothing runs on a timer: each
script first moves the namespace's due delayed messages to ready and hands back its lapsed leases
(to ready in their old place, or to the dead-letter queue once ``max_attempts`` deliveries
failed) — ``tick`` below.

A waiting ``dequeue``/``receive`` runs the script, and when nothing is ready BLPOPs the queue's
wake list until the deadline, the next due time or lease deadline the script reported, or one
second at most (and half the socket timeout), whichever comes first, less ``BLOCK_SLACK`` (the
last stretch is naps of ``POLL``); then it runs the script again.  Scripts push a token whenever they make a message ready in a queue (at most one token
waits), and a caller that takes a message while more are ready passes the token on.  The wake
keys of other queues (a dead-letter queue, a queue whose lease lapsed) are built inside the
scripts from the namespace's prefix, so they are in the same slot.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, cast

from prism._compat import sleep
from prism._validate import Duration, Timestamp
from prism.backends.redis._facet import RedisFacet, Script, run_script
from prism.errors import InvalidArgumentError, LeaseLostError
from prism.interfaces.queue import (
    QueueBasic,
    QueueDeadLetter,
    QueueDelayed,
    QueuePriority,
    QueueVisibility,
)
from prism.types import Lease, QueueMessage

__all__ = ["RedisQueue"]

_PARTS = (b"ready", b"delayed", b"leased", b"dead", b"msg", b"seq", b"rules", b"scheduled")
MAX_NAP = 1.0
"""Longest BLPOP of a waiting dequeue/receive before it looks again (a lost token costs this)."""
BLOCK_SLACK = 0.1
"""How late Redis may end a BLPOP: it checks blocked clients' timeouts on its 100 ms timer
(``hz 10``).  Waits end this much early and the last stretch looks again every ``POLL`` seconds,
so a call never waits longer than its timeout."""
POLL = 0.05
_MAX_US = 2**53 - 1
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})

_PRELUDE = r"""
local READY, DELAYED, LEASED, DEAD, MSG, SEQ, RULES, SCHED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local WAKE = ARGV[1]
local Q, PRIO, SEQN, ATT, ENQ, STATE, RCPT, DUE, ORIGIN, DSEQ, HDRS = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

local function num(x) return string.format('%d', x) end
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function load(id)
  local raw = redis.call('HGET', MSG, 'm' .. id)
  if raw then return cmsgpack.unpack(raw) end
  return nil
end
local function save(id, m) redis.call('HSET', MSG, 'm' .. id, cmsgpack.pack(m)) end
local function lo(q) return '[' .. q .. '\0' end
local function hi(q) return '(' .. q .. '\1' end
local function rmember(id, m)
  return m[Q] .. '\0' .. string.format('%08x%016x', 2147483647 - m[PRIO], m[SEQN]) .. id
end
local function dmember(id, m) return m[ORIGIN] .. '\0' .. string.format('%016x', m[DSEQ]) .. id end
local function row(id, m, body)
  return {id, m[Q], body or '', m[HDRS], m[ATT], m[ENQ], m[PRIO], m[RCPT], m[DUE]}
end

local function notify(q)
  local w = WAKE .. q
  if redis.call('LLEN', w) == 0 then
    redis.call('RPUSH', w, '1')
    redis.call('PEXPIRE', w, 60000)
  end
end
local function make_ready(id, m)
  m[STATE] = 'r' m[RCPT] = '' m[DUE] = 0
  redis.call('ZADD', READY, 0, rmember(id, m))
  save(id, m)
  notify(m[Q])
end
local function forget_dead(id, m)
  if m[ORIGIN] ~= '' then
    redis.call('ZREM', DEAD, dmember(id, m))
    m[ORIGIN] = '' m[DSEQ] = 0
  end
end
-- a delivery failed (released, or its lease lapsed): dead-letter or back in its old place
local function fail(id, m)
  local rule = redis.call('HGET', RULES, m[Q])
  if rule then
    local sep = string.find(rule, ':', 1, true)
    if m[ATT] >= tonumber(string.sub(rule, 1, sep - 1)) then
      forget_dead(id, m)
      m[ORIGIN] = m[Q]
      m[Q] = string.sub(rule, sep + 1)
      m[SEQN] = redis.call('INCR', SEQ)
      m[DSEQ] = m[SEQN]
      redis.call('ZADD', DEAD, 0, dmember(id, m))
    end
  end
  make_ready(id, m)
end
-- bring the namespace up to `now`: due delayed messages become ready, lapsed leases fail
local function tick(now)
  local limit = num(now)
  while true do
    local due = redis.call('ZRANGEBYSCORE', DELAYED, '-inf', limit, 'LIMIT', 0, 100)
    for _, id in ipairs(due) do
      redis.call('ZREM', DELAYED, id)
      local m = load(id)
      if m then
        if redis.call('HINCRBY', SCHED, m[Q], -1) <= 0 then redis.call('HDEL', SCHED, m[Q]) end
        make_ready(id, m)
      end
    end
    if #due < 100 then break end
  end
  while true do
    local lapsed = redis.call('ZRANGEBYSCORE', LEASED, '-inf', limit, 'LIMIT', 0, 100)
    for _, id in ipairs(lapsed) do
      redis.call('ZREM', LEASED, id)
      local m = load(id)
      if m and m[STATE] == 'l' then fail(id, m) end
    end
    if #lapsed < 100 then break end
  end
end
-- microseconds until the next due time or lease deadline (-1: none)
local function next_event(now)
  local best = -1
  for _, z in ipairs({DELAYED, LEASED}) do
    local first = redis.call('ZRANGE', z, 0, 0, 'WITHSCORES')
    if first[2] then
      local wait = math.max(tonumber(first[2]) - now, 0)
      if best < 0 or wait < best then best = wait end
    end
  end
  return best
end
-- the ready dead letters of source queue q, oldest first: {{id, m}, ...}; limit < 0: all
local function dead_of(q, limit)
  local found = {}
  local offset = 0
  while limit < 0 or #found < limit do
    local page = redis.call('ZRANGEBYLEX', DEAD, lo(q), hi(q), 'LIMIT', offset, 100)
    for _, member in ipairs(page) do
      local id = string.sub(member, #q + 18)
      local m = load(id)
      if m and m[STATE] == 'r' then
        found[#found + 1] = {id, m}
        if #found == limit then break end
      end
    end
    if #page < 100 then break end
    offset = offset + 100
  end
  return found
end
"""

# ARGV: wake, queue, payload, headers, priority, delay µs or '', not_before µs or ''.
_ENQUEUE = Script.of(
    _PRELUDE
    + r"""
local q = ARGV[2]
local now = now_us()
local seq = redis.call('INCR', SEQ)
local id = num(seq)
local m = {q, tonumber(ARGV[5]), seq, 0, now, 'r', '', 0, '', 0, ARGV[4]}
local due = now
if ARGV[6] ~= '' then due = now + tonumber(ARGV[6])
elseif ARGV[7] ~= '' then due = tonumber(ARGV[7]) end
if due > 9007199254740991 then due = 9007199254740991 end
redis.call('HSET', MSG, 'b' .. id, ARGV[3])
if due > now then
  m[STATE] = 's' m[DUE] = due
  redis.call('ZADD', DELAYED, num(due), id)
  redis.call('HINCRBY', SCHED, q, 1)
  save(id, m)
else
  make_ready(id, m)
end
return id
"""
)

# ARGV: wake, queue, 'd' (dequeue) or 'r' (receive), visibility µs, receipt.
# Returns the message row, or the µs until the next due time / lease deadline (-1: none).
_TAKE = Script.of(
    _PRELUDE
    + r"""
local q = ARGV[2]
local now = now_us()
tick(now)
local heads = redis.call('ZRANGEBYLEX', READY, lo(q), hi(q), 'LIMIT', 0, 2)
if #heads == 0 then return next_event(now) end
redis.call('ZREM', READY, heads[1])
local id = string.sub(heads[1], #q + 26)
local m = load(id)
if not m then return redis.error_reply('ERR prism queue: message ' .. id .. ' has no metadata') end
local body = redis.call('HGET', MSG, 'b' .. id)
m[ATT] = m[ATT] + 1
if ARGV[3] == 'd' then
  forget_dead(id, m)
  redis.call('HDEL', MSG, 'm' .. id, 'b' .. id)
else
  m[STATE] = 'l' m[RCPT] = ARGV[5] m[DUE] = now + tonumber(ARGV[4])
  redis.call('ZADD', LEASED, num(m[DUE]), id)
  save(id, m)
end
if #heads > 1 then notify(q) end
return row(id, m, body)
"""
)

# ARGV: wake, 'a' (ack) / 'r' (release) / 'e' (extend), id, receipt, visibility µs.
# Returns 1 (settled) or the new deadline (extend); 0 when the lease was settled or lapsed,
# -1 when the message was delivered again since.
_SETTLE = Script.of(
    _PRELUDE
    + r"""
local now = now_us()
tick(now)
local id = ARGV[3]
local m = load(id)
if not m or m[STATE] ~= 'l' then return 0 end
if m[RCPT] ~= ARGV[4] then return -1 end
if ARGV[2] == 'e' then
  m[DUE] = now + tonumber(ARGV[5])
  redis.call('ZADD', LEASED, num(m[DUE]), id)
  save(id, m)
  return m[DUE]
end
redis.call('ZREM', LEASED, id)
if ARGV[2] == 'a' then
  forget_dead(id, m)
  redis.call('HDEL', MSG, 'm' .. id, 'b' .. id)
else
  fail(id, m)
end
return 1
"""
)

# ARGV: wake, queue, 'p' (peek) / 'l' (length) / 's' (scheduled count) / 'd' (dead letters) /
# 'r' (redrive), limit (-1: none).
_INSPECT = Script.of(
    _PRELUDE
    + r"""
local q, op = ARGV[2], ARGV[3]
tick(now_us())
if op == 'l' then return redis.call('ZLEXCOUNT', READY, lo(q), hi(q)) end
if op == 's' then return tonumber(redis.call('HGET', SCHED, q) or '0') end
if op == 'p' then
  local head = redis.call('ZRANGEBYLEX', READY, lo(q), hi(q), 'LIMIT', 0, 1)[1]
  if not head then return false end
  local id = string.sub(head, #q + 26)
  return row(id, load(id), redis.call('HGET', MSG, 'b' .. id))
end
local found = dead_of(q, tonumber(ARGV[4]))
if op == 'd' then
  local rows = {}
  for i, e in ipairs(found) do rows[i] = row(e[1], e[2], redis.call('HGET', MSG, 'b' .. e[1])) end
  return rows
end
for _, e in ipairs(found) do
  local id, m = e[1], e[2]
  redis.call('ZREM', READY, rmember(id, m))
  forget_dead(id, m)
  m[Q] = q
  m[SEQN] = redis.call('INCR', SEQ)
  m[ATT] = 0
  make_ready(id, m)
end
return #found
"""
)


def _micros_up(value: float) -> int:
    """Seconds → whole microseconds, rounded up (a deadline or due time is never early),
    clamped to what a double holds exactly."""
    return min(math.ceil(value * 1_000_000), _MAX_US)


def _message(row: Any) -> QueueMessage:
    msg_id, queue, body, headers, attempts, enqueued, priority = row[:7]
    return QueueMessage(
        id=msg_id.decode(),
        queue=queue.decode(),
        payload=body,
        headers=MappingProxyType(json.loads(headers)) if headers else _NO_HEADERS,
        attempts=int(attempts),
        enqueued_at=int(enqueued) / 1_000_000,
        priority=int(priority),
    )


class RedisQueue(
    RedisFacet,
    QueueBasic,
    QueueVisibility,
    QueueDeadLetter,
    QueuePriority,
    QueueDelayed,
):
    _model = "queue"

    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._keys = [self._p + part for part in _PARTS]
        self._rules = self._keys[6]
        self._wake = self._tag + b":queue.wake:"
        limit = backend.config.socket_timeout
        self._nap = MAX_NAP if limit is None else min(MAX_NAP, max(0.001, limit / 2))

    def _run(self, script: Script, args: list[Any], operation: str) -> Any:
        try:
            return run_script(self._c, script, self._keys, [self._wake, *args])
        except Exception as exc:
            raise self._fail(exc, operation) from exc

    def _lost(self, lease: Lease, code: int, operation: str) -> LeaseLostError:
        why = "it was settled or lapsed" if code == 0 else "the message was delivered again since"
        text = f"the lease on message {lease.id!r} is no longer held: {why}"
        return LeaseLostError(text, backend=self._name, operation=operation)

    # queue_basic / queue_priority / queue_delayed ------------------------------------------------
    def enqueue(
        self,
        queue: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        priority: int = 0,
        delay: Duration | None = None,
        not_before: Timestamp | None = None,
    ) -> str:
        wait = "" if delay is None else _micros_up(cast("float", delay))
        when = "" if not_before is None else max(0, _micros_up(cast("float", not_before)))
        text = (
            json.dumps(dict(headers), separators=(",", ":"), ensure_ascii=False) if headers else ""
        )
        msg_id: bytes = self._run(
            _ENQUEUE, [queue.encode(), payload, text, priority, wait, when], "enqueue"
        )
        return msg_id.decode()

    def _take(
        self, queue: str, mode: bytes, hold_us: int, timeout: Duration | None, operation: str
    ) -> Any:
        """Run the take script; while nothing is ready and time is left, wait on the queue's
        wake list (see the module docstring) and run it again."""
        name = queue.encode()
        receipt = os.urandom(8).hex() if mode == b"r" else ""
        found = self._run(_TAKE, [name, mode, hold_us, receipt], operation)
        if not isinstance(found, int):
            return found
        budget = 0.0 if timeout is None else cast("float", timeout)
        if budget == 0:
            return None
        deadline = time.monotonic() + budget
        wake = self._wake + name
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            nap = min(left, self._nap)
            if found >= 0:
                nap = min(nap, found / 1_000_000)
            if nap > 2 * BLOCK_SLACK:
                try:
                    self._c.blpop([wake], timeout=round(nap - BLOCK_SLACK, 3))
                except Exception as exc:
                    raise self._fail(exc, operation) from exc
            else:
                sleep(min(nap, POLL))
            found = self._run(_TAKE, [name, mode, hold_us, receipt], operation)
            if not isinstance(found, int):
                return found

    def dequeue(self, queue: str, *, timeout: Duration | None = None) -> QueueMessage | None:
        row = self._take(queue, b"d", 0, timeout, "dequeue")
        return None if row is None else _message(row)

    def peek(self, queue: str) -> QueueMessage | None:
        row = self._run(_INSPECT, [queue.encode(), b"p", -1], "peek")
        return _message(row) if row else None

    def length(self, queue: str) -> int:
        return int(self._run(_INSPECT, [queue.encode(), b"l", -1], "length"))

    def scheduled_count(self, queue: str) -> int:
        return int(self._run(_INSPECT, [queue.encode(), b"s", -1], "scheduled_count"))

    # queue_visibility ----------------------------------------------------------------------------
    def receive(
        self,
        queue: str,
        *,
        visibility_timeout: Duration = 30.0,
        timeout: Duration | None = None,
    ) -> Lease | None:
        hold = _micros_up(cast("float", visibility_timeout))
        row = self._take(queue, b"r", hold, timeout, "receive")
        if row is None:
            return None
        return Lease(message=_message(row), receipt=row[7].decode(), deadline=int(row[8]) / 1e6)

    def _settle(self, lease: Lease, op: bytes, hold_us: int, operation: str) -> int:
        code = int(self._run(_SETTLE, [op, lease.id, lease.receipt, hold_us], operation))
        if code <= 0:
            raise self._lost(lease, code, operation)
        return code

    def ack(self, lease: Lease) -> None:
        self._settle(lease, b"a", 0, "ack")

    def extend_visibility(self, lease: Lease, visibility_timeout: Duration) -> Lease:
        hold = _micros_up(cast("float", visibility_timeout))
        deadline = self._settle(lease, b"e", hold, "extend_visibility")
        return Lease(message=lease.message, receipt=lease.receipt, deadline=deadline / 1e6)

    def release(self, lease: Lease) -> None:
        self._settle(lease, b"r", 0, "release")

    # queue_dead_letter ---------------------------------------------------------------------------
    def configure_dead_letter(
        self, queue: str, *, max_attempts: int, dead_letter_queue: str
    ) -> None:
        if dead_letter_queue == queue:
            msg = f"queue {queue!r} cannot be its own dead-letter queue; name another queue"
            raise InvalidArgumentError(msg, backend=self._name, operation="configure_dead_letter")
        rule = b"%d:%s" % (max_attempts, dead_letter_queue.encode())
        try:
            self._c.hset(self._rules, queue.encode(), rule)
        except Exception as exc:
            raise self._fail(exc, "configure_dead_letter") from exc

    def dead_letters(self, queue: str, *, limit: int | None = None) -> list[QueueMessage]:
        rows = self._run(
            _INSPECT, [queue.encode(), b"d", -1 if limit is None else limit], "dead_letters"
        )
        return [_message(row) for row in rows]

    def redrive(self, queue: str, *, limit: int | None = None) -> int:
        return int(
            self._run(_INSPECT, [queue.encode(), b"r", -1 if limit is None else limit], "redrive")
        )
