# Generated from src/prism/backends/redis/_async/stream.py by tools/async_to_sync.py: do not edit.
# Edit the async source and run `python tools/async_to_sync.py`.
"""redis stream: all five interfaces over Redis Streams.

Keys (``<root>:{<ns>}:`` first, so every key of a namespace shares one hash slot)::

    stream:<name>         the Redis stream of partition 0 (the one stream_basic writes)
    stream.<p>:<name>     the Redis stream of partition p >= 1
    stream.meta:<name>    a hash: max_age, max_length, partitions, g:<group> (a group's start)

Offsets.  A Redis stream id is ``<ms>-<seq>`` (two unsigned 64-bit numbers, ordered as a pair).
The offset of an id is ``ms * 2**20 + seq``, and the id of an offset is
``(offset >> 20)-(offset & (2**20 - 1))``: exact and order-preserving as long as ``seq < 2**20``.
Appends are a Lua script that XADDs with ``*`` and, in the one case that would break the rule (a
2**20th entry within one millisecond, i.e. more than a million appends in one ms, or a server
clock that stepped back while appends kept coming), deletes that entry again and re-adds it at
``<ms + 1>-0`` inside the same script, so such an id is never seen.  A record's timestamp is the
ms part of its id (the server's clock at the append, never decreasing within a stream), so time
seeks are XRANGE from ``<ms>-0`` and age trims are XTRIM MINID.

Consumer groups are Redis consumer groups on partition 0: ``consume`` runs one script that first
XAUTOCLAIMs entries idle for at least the claim timeout (walking the group's whole pending list,
in id order) and then XREADGROUPs new ones with ``>``; when that delivers nothing and ``block``
is given, it waits with XREADGROUP BLOCK.  ``ack`` is one XACK; only when that counts 0 (which
XACK also answers for a missing group) does an XPENDING tell a missing group (NOGROUP, raised as
NotFoundError) from offsets that were not pending.  ``group_info`` reads XINFO GROUPS / CONSUMERS; its
lag counts the retained records after the group's cursor (Redis's own lag also counts records
trimmed before the group read them, and is unknown after an XDEL or a start at an arbitrary id;
then the records are counted).  Retention limits live in the meta hash; ``trim`` applies them
with exact XTRIM MAXLEN / MINID on every partition and drops pending entries whose record went.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, cast

from prism import types
from prism._compat import sleep
from prism._partition import partition_for
from prism._validate import Duration, Timestamp
from prism.backends.redis._errors import response_text
from prism.backends.redis._facet import RedisFacet, Script, run_script
from prism.errors import InvalidArgumentError, NotFoundError, PrismError
from prism.interfaces.stream import (
    StreamBasic,
    StreamConsumerGroups,
    StreamPartitioning,
    StreamReplay,
    StreamRetention,
)
from prism.types import GroupInfo, PartitionOffset, StartPosition, StreamRecord, _plain_twin

__all__ = ["SEQ_BITS", "RedisStream", "id_of", "offset_of"]

SEQ_BITS = 20
"""Bits of an offset that hold the sequence part of a Redis stream id."""
SEQ_LIMIT = 1 << SEQ_BITS
_SEQ_MASK = SEQ_LIMIT - 1
_MAX_MS = 2**64 - 1
PAGE = 100
"""Records per XRANGE of ``replay_range``."""
BLOCK_SLACK = 0.1
"""How late Redis may end an XREADGROUP BLOCK: it checks blocked clients' timeouts on its 100 ms
timer (``hz 10``).  A blocking consume stops blocking this much early and looks again every
``POLL`` seconds for the rest."""
POLL = 0.05

_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
_PLAIN_RECORD = _plain_twin(StreamRecord)
_new_object = object.__new__


def offset_of(entry_id: bytes) -> int:
    """The offset of a Redis stream id ``b"<ms>-<seq>"``."""
    ms, _, seq = entry_id.partition(b"-")
    number = int(seq)
    if number >= SEQ_LIMIT:
        msg = (
            f"stream entry {entry_id!r} has a sequence number >= 2**{SEQ_BITS}; it was not "
            "written by prism and has no offset"
        )
        raise PrismError(msg)
    return int(ms) << SEQ_BITS | number


def id_of(offset: int) -> bytes | None:
    """The Redis stream id of ``offset`` (None when it is beyond every possible id)."""
    ms = offset >> SEQ_BITS
    if ms > _MAX_MS:
        return None
    return b"%d-%d" % (ms, offset & _SEQ_MASK)


def _first_ms_at_or_after(when: float) -> int | None:
    """The smallest whole millisecond ``m >= 0`` whose timestamp ``m / 1000`` is >= ``when``
    (computed the way record timestamps are, so a record's own timestamp finds it); None past
    any millisecond a double counts exactly."""
    if when <= 0:
        return 0
    if when >= 2**53 / 1000:
        return None
    ms = math.ceil(when * 1000)
    while ms > 0 and (ms - 1) / 1000 >= when:
        ms -= 1
    while ms / 1000 < when:
        ms += 1
    return ms


# ----- Lua ------------------------------------------------------------------------------------

_ADD = r"""
local function add(key, fields)
  local id = redis.call('XADD', key, '*', unpack(fields))
  local dash = string.find(id, '-', 1, true)
  if tonumber(string.sub(id, dash + 1)) >= 1048576 then
    -- the sequence part would not fit an offset: move the entry to the next millisecond
    redis.call('XDEL', key, id)
    local ms = tonumber(string.sub(id, 1, dash - 1)) + 1
    id = redis.call('XADD', key, string.format('%d-0', ms), unpack(fields))
  end
  return id
end
local function fields(payload, headers, key)
  local f = {'p', payload}
  if headers ~= '' then f[#f + 1] = 'h' f[#f + 1] = headers end
  if key ~= '' then f[#f + 1] = 'k' f[#f + 1] = key end
  return f
end
"""

_APPEND = Script.of(_ADD + "return add(KEYS[1], fields(ARGV[1], ARGV[2], ''))")

# KEYS: stream.  ARGV: headers, then the payloads.  Returns their ids, in order.
_APPEND_MANY = Script.of(
    _ADD
    + r"""
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = add(KEYS[1], fields(ARGV[i], ARGV[1], '')) end
return ids
"""
)
_APPEND_CHUNK = 1000
"""Payloads per script call of ``append_many``: one round trip each, and a script short
enough not to hold the server up (a 100,000-payload batch is 100 calls)."""

# KEYS: partition stream, meta.  ARGV: payload, headers, partition, expected count or '', key.
# Returns the new id, or the partition count (an integer) when the partition is out of range or
# the count is not the expected one.
_APPEND_PARTITION = Script.of(
    _ADD
    + r"""
local n = tonumber(redis.call('HGET', KEYS[2], 'partitions') or '1')
if ARGV[4] ~= '' then
  if tonumber(ARGV[4]) ~= n then return n end
elseif tonumber(ARGV[3]) >= n then
  return n
end
return add(KEYS[1], fields(ARGV[1], ARGV[2], ARGV[5]))
"""
)

# KEYS: partition stream, meta.  ARGV: partition, start id, count.
_READ_PARTITION = Script.of(
    r"""
local n = tonumber(redis.call('HGET', KEYS[2], 'partitions') or '1')
if tonumber(ARGV[1]) >= n then return n end
return redis.call('XRANGE', KEYS[1], ARGV[2], '+', 'COUNT', ARGV[3])
"""
)

# KEYS: meta.  ARGV: count.  Returns 0, or the current count when asked to shrink.
_SET_PARTITIONS = Script.of(
    r"""
local n = tonumber(redis.call('HGET', KEYS[1], 'partitions') or '1')
local want = tonumber(ARGV[1])
if want < n then return n end
if want > n then redis.call('HSET', KEYS[1], 'partitions', ARGV[1]) end
return 0
"""
)

# KEYS: stream, meta.  ARGV: group, start id ('$' for the newest).  1 created, 0 existed.
_CREATE_GROUP = Script.of(
    r"""
local ok = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM')
if type(ok) == 'table' and ok.err then
  if string.sub(ok.err, 1, 9) == 'BUSYGROUP' then return 0 end
  return redis.error_reply(ok.err)
end
local start = ARGV[2]
if start == '$' then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then start = info[i + 1] end
  end
end
redis.call('HSET', KEYS[2], 'g:' .. ARGV[1], start)
return 1
"""
)

# KEYS: stream.  ARGV: group, consumer, count, min idle ms.
# Returns {{{id, {field, value, ...}}, ...}, {position, delivery count, ...}}: the entries,
# reclaimed ones first, then new ones; then, flat, the 1-based position and delivery count of
# each entry delivered before (every other entry is delivered for the first time).
_CONSUME = Script.of(
    r"""
local key, group, consumer = KEYS[1], ARGV[1], ARGV[2]
local want = tonumber(ARGV[3])
local out, again = {}, {}
local cursor = '0-0'
repeat
  local r = redis.call('XAUTOCLAIM', key, group, consumer, ARGV[4], cursor, 'COUNT', want - #out)
  cursor = r[1]
  for _, e in ipairs(r[2]) do
    if e then
      local p = redis.call('XPENDING', key, group, e[1], e[1], 1)[1]
      out[#out + 1] = {e[1], e[2]}
      if p and p[4] ~= 1 then
        again[#again + 1] = #out
        again[#again + 1] = p[4]
      end
    end
  end
until cursor == '0-0' or #out >= want
if #out < want then
  local r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', want - #out,
                       'STREAMS', key, '>')
  if r then
    for _, e in ipairs(r[1][2]) do out[#out + 1] = {e[1], e[2]} end
  end
end
return {out, again}
"""
)

_IDS = r"""
local function kv(list)
  local t = {}
  for i = 1, #list, 2 do t[list[i]] = list[i + 1] end
  return t
end
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function cmp(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end
"""

# KEYS: stream, meta.  ARGV: group.
# Returns false (no such group), else {{consumer, pending, ...}, pending, lag, last id or ''}.
_GROUP_INFO = Script.of(
    _IDS
    + r"""
local key, name = KEYS[1], ARGV[1]
local groups = redis.pcall('XINFO', 'GROUPS', key)
if groups.err then
  if string.find(groups.err, 'no such key', 1, true) then return false end
  return redis.error_reply(groups.err)
end
local g
for _, raw in ipairs(groups) do
  local t = kv(raw)
  if t['name'] == name then g = t break end
end
if not g then return false end
local consumers = {}
for _, raw in ipairs(redis.call('XINFO', 'CONSUMERS', key, name)) do
  local c = kv(raw)
  consumers[#consumers + 1] = c['name']
  consumers[#consumers + 1] = c['pending']
end
local last = g['last-delivered-id']
local len = redis.call('XLEN', key)
local lag = 0
if len > 0 then
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1][1]
  local newest = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1][1]
  if cmp(last, first) < 0 then
    lag = len
  elseif cmp(last, newest) >= 0 then
    lag = 0
  elseif g['lag'] then
    -- every trimmed record is older than the cursor, so Redis's count is exact here
    lag = g['lag']
  else
    local cursor = '(' .. last
    while true do
      local page = redis.call('XRANGE', key, cursor, '+', 'COUNT', 1000)
      lag = lag + #page
      if #page < 1000 then break end
      cursor = '(' .. page[#page][1]
    end
  end
end
local start = redis.call('HGET', KEYS[2], 'g:' .. name)
if last == '0-0' or (start and cmp(last, start) <= 0) then last = '' end
return {consumers, g['pending'], lag, last}
"""
)

# KEYS: meta, partition 0, partition 1, ...  ARGV: none.
# Returns the number of records removed, or -n when the stream has n partitions (not the keys').
_TRIM = Script.of(
    r"""
local n = tonumber(redis.call('HGET', KEYS[1], 'partitions') or '1')
if n ~= #KEYS - 1 then return -n end
local limits = redis.call('HMGET', KEYS[1], 'max_age', 'max_length')
local age, len = limits[1], limits[2]
if not age and not len then return 0 end
local min_ms
if age then
  local t = redis.call('TIME')
  local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local limit_us = now_us - math.floor(tonumber(age) * 1000000 + 0.5)
  min_ms = math.floor((limit_us + 999) / 1000)
end
local removed, head = 0, 0
for i = 2, #KEYS do
  local r = 0
  if len then r = r + redis.call('XTRIM', KEYS[i], 'MAXLEN', '=', len) end
  if min_ms and min_ms > 0 then
    r = r + redis.call('XTRIM', KEYS[i], 'MINID', '=', string.format('%d-0', min_ms))
  end
  removed = removed + r
  if i == 2 then head = r end
end
if head > 0 then
  -- forget pending entries whose record is gone (partition 0 carries the groups)
  local key = KEYS[2]
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1]
  local upto = first and ('(' .. first[1]) or '+'
  for _, raw in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    local name
    for j = 1, #raw, 2 do
      if raw[j] == 'name' then name = raw[j + 1] end
    end
    while true do
      local pending = redis.call('XPENDING', key, name, '-', upto, 1000)
      if #pending == 0 then break end
      local ids = {}
      for j, p in ipairs(pending) do ids[j] = p[1] end
      redis.call('XACK', key, name, unpack(ids))
      if #pending < 1000 then break end
    end
  end
end
return removed
"""
)

# KEYS: meta.  ARGV: max_age or '', max_length or ''.
_SET_RETENTION = Script.of(
    r"""
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'max_age')
else redis.call('HSET', KEYS[1], 'max_age', ARGV[1]) end
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], 'max_length')
else redis.call('HSET', KEYS[1], 'max_length', ARGV[2]) end
return 1
"""
)


# ----- helpers -------------------------------------------------------------------------------


def _headers_arg(headers: Mapping[str, str] | None) -> str:
    if not headers:
        return ""
    return json.dumps(dict(headers), separators=(",", ":"), ensure_ascii=False)


def _ack_ids(offsets: int | Iterable[int]) -> list[bytes]:
    """The stream ids of the offsets to acknowledge (already checked by the interface's
    ``OFFSETS`` check); offsets past every possible id are left out: they cannot be pending."""
    ids = []
    for offset in [offsets] if isinstance(offsets, int) else offsets:
        ms = offset >> SEQ_BITS
        if ms <= _MAX_MS:
            ids.append(b"%d-%d" % (ms, offset & _SEQ_MASK))
    return ids


def _entries(reply: Any) -> list[Any]:
    """The ``(id, fields)`` entries of an XREADGROUP reply for one stream, in any of the shapes
    redis-py gives (``[[stream, entries]]``, ``{stream: entries}``, ``{stream: [entries]}``)."""
    if not reply:
        return []
    value = next(iter(reply.values())) if isinstance(reply, Mapping) else reply[0][1]
    if value and isinstance(value[0], list) and (not value[0] or isinstance(value[0][0], tuple)):
        value = value[0]
    return list(value or [])


def _fields(raw: Any) -> Mapping[bytes, bytes]:
    if isinstance(raw, Mapping):
        return raw
    return dict(zip(raw[::2], raw[1::2], strict=True))


def _block_ms(wait: float) -> int:
    return max(1, round(wait * 1000))


class RedisStream(
    RedisFacet,
    StreamBasic,
    StreamConsumerGroups,
    StreamReplay,
    StreamRetention,
    StreamPartitioning,
):
    _model = "stream"

    def __init__(self, backend: Any, namespace: str) -> None:
        super().__init__(backend, namespace)
        self._meta_p = self._tag + b":stream.meta:"
        self._counts: dict[str, int] = {}
        """Partition counts this facet saw (a hint for keyed appends; the script checks it)."""

    # keys and records -------------------------------------------------------------------------
    def _key(self, stream: str, partition: int = 0) -> bytes:
        if partition == 0:
            return self._p + stream.encode()
        return self._tag + b":stream.%d:" % partition + stream.encode()

    def _meta(self, stream: str) -> bytes:
        return self._meta_p + stream.encode()

    def _records(self, stream: str, partition: int, entries: Any) -> list[StreamRecord]:
        """The records of ``(id, fields)`` entries, each delivered once (a caller whose
        entries were delivered before sets their counts).  ``fields`` is flat (the Lua
        scripts, and XRANGE on a standalone server: see ``_core._replies_as_sent``) or a dict
        (redis-py's parse: XREADGROUP, and XRANGE on a cluster).

        The usual entry, a payload and nothing else, is built in this frame as the record's
        plain twin (see ``prism.types._plain_twin``): no Python call per record, about
        0.38 µs a record against 0.68 µs (flat) or 1.0 µs (a dict) through the constructor,
        which builds every other entry (headers, a key).  Entries of one millisecond (a batch
        appended at once) share its parsed time.  The entries are taken as the reply holds
        them: making each a triple with its delivery count first cost 5 % of a replay of
        1,000 records (``benchmarks/bench_redis.py``)."""
        records: list[StreamRecord] = []
        append = records.append
        last: bytes | None = None
        for entry_id, raw in entries:
            ms, _, seq = entry_id.partition(b"-")
            number = int(seq)
            if number >= SEQ_LIMIT:
                offset_of(entry_id)  # raises: an id prism never writes
            if ms != last:  # entries appended in the same millisecond share these
                last = ms
                millis = int(ms)
                base = millis << SEQ_BITS
                when = millis / 1000
            kind = type(raw)
            if kind is list:
                payload = raw[1] if len(raw) == 2 and raw[0] == b"p" else None
            elif kind is dict and len(raw) == 1:
                payload = raw.get(b"p")
            else:
                payload = None
            if payload is None:
                fields = _fields(raw)
                headers, key = fields.get(b"h"), fields.get(b"k")
                append(
                    StreamRecord(
                        stream,
                        base | number,
                        fields.get(b"p", b""),
                        MappingProxyType(json.loads(headers)) if headers else _NO_HEADERS,
                        when,
                        partition,
                        None if key is None else key.decode(),
                    )
                )
                continue
            record: Any = _new_object(_PLAIN_RECORD)
            record.stream = stream
            record.offset = base | number
            record.payload = payload
            record.headers = _NO_HEADERS
            record.timestamp = when
            record.partition = partition
            record.key = None
            record.delivery_count = 1
            record.__class__ = StreamRecord
            append(record)
        return records

    def _no_group(self, exc: BaseException, stream: str, group: str, operation: str) -> PrismError:
        if "NOGROUP" in response_text(exc):
            msg = f"stream {stream!r} has no consumer group {group!r}"
            return NotFoundError(msg, backend=self._name, operation=operation)
        return self._fail(exc, operation)

    def _bad_partition(self, stream: str, count: int, operation: str) -> InvalidArgumentError:
        msg = f"stream {stream!r} has {count} partition(s); partition must be < {count}"
        return InvalidArgumentError(msg, backend=self._name, operation=operation)

    # stream_basic ------------------------------------------------------------------------------
    def append(
        self, stream: str, payload: bytes, *, headers: Mapping[str, str] | None = None
    ) -> int:
        try:
            entry_id = run_script(
                self._c, _APPEND, [self._p + stream.encode()], [payload, _headers_arg(headers)]
            )
        except Exception as exc:
            raise self._fail(exc, "append") from exc
        return offset_of(entry_id)

    def append_many(
        self,
        stream: str,
        payloads: Iterable[bytes],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> list[int]:
        batch = cast("list[bytes]", payloads)  # the check hands over a fresh list
        keys = [self._p + stream.encode()]
        header_arg = _headers_arg(headers)
        offsets: list[int] = []
        try:
            for start in range(0, len(batch), _APPEND_CHUNK):
                chunk = batch[start : start + _APPEND_CHUNK]
                ids = run_script(self._c, _APPEND_MANY, keys, [header_arg, *chunk])
                offsets += map(offset_of, ids)
        except Exception as exc:
            raise self._fail(exc, "append_many") from exc
        return offsets

    def read(
        self, stream: str, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        start = id_of(from_offset)
        if start is None:
            return []
        try:
            entries = self._c.xrange(self._p + stream.encode(), start, b"+", max_count)
        except Exception as exc:
            raise self._fail(exc, "read") from exc
        return self._records(stream, 0, entries)

    def latest_offset(self, stream: str) -> int | None:
        try:
            entries = self._c.xrevrange(self._p + stream.encode(), b"+", b"-", 1)
        except Exception as exc:
            raise self._fail(exc, "latest_offset") from exc
        return offset_of(entries[0][0]) if entries else None

    # stream_consumer_groups --------------------------------------------------------------------
    def create_group(
        self, stream: str, group: str, *, start: StartPosition | int = "latest"
    ) -> bool:
        position: bytes | None
        if start == "earliest":
            position = b"0-0"
        elif start == "latest":
            position = b"$"
        else:  # an offset >= 0 (the interface's START_POSITION check)
            position = b"0-0" if start == 0 else id_of(start - 1)
            if position is None:
                position = b"%d-%d" % (_MAX_MS, _MAX_MS)
        keys = [self._key(stream), self._meta(stream)]
        try:
            created = run_script(self._c, _CREATE_GROUP, keys, [group.encode(), position])
        except Exception as exc:
            raise self._fail(exc, "create_group") from exc
        return bool(created)

    def consume(
        self,
        stream: str,
        group: str,
        consumer: str,
        *,
        max_count: int = 10,
        block: Duration | None = None,
        claim_timeout: Duration = 30.0,
    ) -> list[StreamRecord]:
        key = self._key(stream)
        idle_ms = math.ceil(cast("float", claim_timeout) * 1000)
        gname, cname = group.encode(), consumer.encode()
        args = [gname, cname, max_count, idle_ms]
        records = self._consume_now(stream, group, key, args)
        wait = cast("float | None", block)  # float seconds after the checks
        if records or not wait:
            return records
        limit = self._b.config.socket_timeout
        step = wait if limit is None else max(0.001, limit / 2)
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            if left <= 2 * BLOCK_SLACK:
                # the last stretch: a BLOCK could end up to BLOCK_SLACK late, so look in short naps
                sleep(min(left, POLL))
                records = self._consume_now(stream, group, key, args)
                if records:
                    return records
                continue
            try:
                got = self._c.xreadgroup(
                    gname,
                    cname,
                    {key: b">"},
                    count=max_count,
                    block=_block_ms(min(left - BLOCK_SLACK, step)),
                )
            except Exception as exc:
                raise self._no_group(exc, stream, group, "consume") from exc
            entries = _entries(got)
            if entries:
                return self._records(stream, 0, entries)

    def _consume_now(
        self, stream: str, group: str, key: bytes, args: list[Any]
    ) -> list[StreamRecord]:
        """One run of the consume script: reclaimed records, then new ones (no waiting)."""
        try:
            reply = run_script(self._c, _CONSUME, [key], args)
        except Exception as exc:
            raise self._no_group(exc, stream, group, "consume") from exc
        entries, again = reply
        records = self._records(stream, 0, entries)
        for i in range(0, len(again), 2):  # entries delivered before: rare
            at = again[i] - 1
            records[at] = replace(records[at], delivery_count=again[i + 1])
        return records

    def ack(self, stream: str, group: str, offsets: int | Iterable[int]) -> int:
        key, gname = self._key(stream), group.encode()
        ids = _ack_ids(offsets)
        try:
            acked = int(self._c.xack(key, gname, *ids)) if ids else 0
        except Exception as exc:
            raise self._fail(exc, "ack") from exc
        if acked:
            return acked
        # XACK counts 0 for a missing group too: only then ask whether the group exists
        # (XPENDING answers NOGROUP).  Groups are never deleted, so a group seen now existed
        # when XACK ran, or the ack can be ordered after its creation: 0 either way.
        try:
            self._c.xpending(key, gname)
        except Exception as exc:
            raise self._no_group(exc, stream, group, "ack") from exc
        return 0

    def group_info(self, stream: str, group: str) -> GroupInfo:
        keys = [self._key(stream), self._meta(stream)]
        try:
            reply = run_script(self._c, _GROUP_INFO, keys, [group.encode()])
        except Exception as exc:
            raise self._fail(exc, "group_info") from exc
        if not reply:
            msg = f"stream {stream!r} has no consumer group {group!r}"
            raise NotFoundError(msg, backend=self._name, operation="group_info")
        flat, pending, lag, last = reply
        consumers = {flat[i].decode(): int(flat[i + 1]) for i in range(0, len(flat), 2)}
        return GroupInfo(
            stream=stream,
            group=group,
            consumers=consumers,
            pending=int(pending),
            lag=int(lag),
            last_delivered=offset_of(last) if last else None,
        )

    # stream_replay -----------------------------------------------------------------------------
    def _first_from(self, stream: str, start: bytes, operation: str) -> int | None:
        try:
            entries = self._c.xrange(self._p + stream.encode(), start, b"+", 1)
        except Exception as exc:
            raise self._fail(exc, operation) from exc
        return offset_of(entries[0][0]) if entries else None

    def seek_to_offset(self, stream: str, offset: int) -> int | None:
        start = id_of(offset)
        return None if start is None else self._first_from(stream, start, "seek_to_offset")

    def seek_to_timestamp(self, stream: str, timestamp: Timestamp) -> int | None:
        ms = _first_ms_at_or_after(cast("float", timestamp))
        if ms is None:
            return None
        return self._first_from(stream, b"%d-0" % ms, "seek_to_timestamp")

    def replay_range(self, stream: str, start: int, end: int) -> Iterator[StreamRecord]:
        low, high = id_of(start), id_of(end) or b"+"
        if low is None or start > end:
            return
        key = self._p + stream.encode()
        while True:
            try:
                entries = self._c.xrange(key, low, high, PAGE)
            except Exception as exc:
                raise self._fail(exc, "replay_range") from exc
            yield from self._records(stream, 0, entries)
            # a short page is the last; so is one ending at ``end`` (no round trip to learn it)
            if len(entries) < PAGE or offset_of(entries[-1][0]) >= end:
                return
            low = b"(" + entries[-1][0]

    # stream_retention --------------------------------------------------------------------------
    def set_retention(
        self, stream: str, *, max_age: Duration | None = None, max_length: int | None = None
    ) -> None:
        age = cast("float | None", max_age)  # float seconds after the checks
        length = max_length
        args = ["" if age is None else repr(age), "" if length is None else str(length)]
        try:
            run_script(self._c, _SET_RETENTION, [self._meta(stream)], args)
        except Exception as exc:
            raise self._fail(exc, "set_retention") from exc

    def get_retention(self, stream: str) -> types.RetentionLimits:
        try:
            age, length = self._c.hmget(self._meta(stream), [b"max_age", b"max_length"])
        except Exception as exc:
            raise self._fail(exc, "get_retention") from exc
        return types.RetentionLimits(
            max_age=None if age is None else float(age),
            max_length=None if length is None else int(length),
        )

    def trim(self, stream: str) -> int:
        count = self._partition_count(stream, "trim")
        while True:
            keys = [self._meta(stream), *(self._key(stream, p) for p in range(count))]
            try:
                removed = int(run_script(self._c, _TRIM, keys, []))
            except Exception as exc:
                raise self._fail(exc, "trim") from exc
            if removed >= 0:
                return removed
            count = -removed  # partitions were added meanwhile: trim them too

    # stream_partitioning -----------------------------------------------------------------------
    def _partition_count(self, stream: str, operation: str) -> int:
        try:
            raw = self._c.hget(self._meta(stream), b"partitions")
        except Exception as exc:
            raise self._fail(exc, operation) from exc
        count = 1 if raw is None else int(raw)
        self._counts[stream] = count
        return count

    def set_partitions(self, stream: str, count: int) -> None:
        try:
            have = int(run_script(self._c, _SET_PARTITIONS, [self._meta(stream)], [count]))
        except Exception as exc:
            raise self._fail(exc, "set_partitions") from exc
        if have:
            msg = (
                f"stream {stream!r} has {have} partitions; the count may grow but never shrink "
                f"(asked for {count})"
            )
            raise InvalidArgumentError(msg, backend=self._name, operation="set_partitions")
        self._counts[stream] = count

    def partitions(self, stream: str) -> int:
        return self._partition_count(stream, "partitions")

    def _append_to(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        headers: Mapping[str, str] | None,
        expected: int | None,
        key: str | None,
        operation: str,
    ) -> bytes | int:
        args = [
            payload,
            _headers_arg(headers),
            partition,
            "" if expected is None else expected,
            "" if key is None else key,
        ]
        keys = [self._key(stream, partition), self._meta(stream)]
        try:
            reply: bytes | int = run_script(self._c, _APPEND_PARTITION, keys, args)
        except Exception as exc:
            raise self._fail(exc, operation) from exc
        return reply

    def append_to_partition(
        self,
        stream: str,
        partition: int,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> int:
        reply = self._append_to(
            stream, partition, payload, headers, None, None, "append_to_partition"
        )
        if isinstance(reply, int):
            self._counts[stream] = reply
            raise self._bad_partition(stream, reply, "append_to_partition")
        return offset_of(reply)

    def append_with_key(
        self,
        stream: str,
        key: str,
        payload: bytes,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> PartitionOffset:
        count = self._counts.get(stream, 1)
        while True:
            partition = partition_for(key, count)
            reply = self._append_to(
                stream, partition, payload, headers, count, key, "append_with_key"
            )
            if not isinstance(reply, int):
                return PartitionOffset(partition=partition, offset=offset_of(reply))
            count = self._counts[stream] = reply  # the count changed: map the key again

    def read_partition(
        self, stream: str, partition: int, from_offset: int = 0, *, max_count: int = 100
    ) -> list[StreamRecord]:
        if partition == 0:
            return self.read(stream, from_offset, max_count=max_count)
        start = id_of(from_offset) or b"+"
        keys = [self._key(stream, partition), self._meta(stream)]
        try:
            reply = run_script(self._c, _READ_PARTITION, keys, [partition, start, max_count])
        except Exception as exc:
            raise self._fail(exc, "read_partition") from exc
        if isinstance(reply, int):
            self._counts[stream] = reply
            raise self._bad_partition(stream, reply, "read_partition")
        if start == b"+":
            return []
        return self._records(stream, partition, reply)
