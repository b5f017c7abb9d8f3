"""Argument checks shared by every backend, run before any I/O.

The interface ABCs attach these checks to their methods (see ``interfaces/_base.py``), so a
backend's own code only ever sees arguments that passed them.  The checks also *normalise*:
what reaches a backend is always an exact builtin type (``str``, ``int``, ``float``, ``dict``),
never a subclass with its own ``__str__`` / ``__index__`` / ``__eq__``, and always within the
bounds below, which every backend (in-process, SQLite and Redis today; PostgreSQL, Kafka, NATS
and S3 to come) can represent:

=====================================  =========================================================
what                                   allowed
=====================================  =========================================================
names (keys, topics, queues, ...)      1 to :data:`MAX_NAME_BYTES` UTF-8 bytes, no NUL, no lone
                                       surrogates
counts, limits, sizes, offsets         ints from 0 (or 1) to :data:`MAX_INT` = 2**63 - 1
indexes (list / rank positions)        ints from :data:`MIN_INT` = -2**63 to :data:`MAX_INT`
partition counts                       1 to :data:`MAX_PARTITIONS`; partition numbers below it
durations and timeouts                 0 (or > 0) to :data:`MAX_SECONDS` seconds (100 years)
timestamps                             :data:`MIN_TIMESTAMP` (1970-01-01) to
                                       :data:`MAX_TIMESTAMP` (10000-01-01), epoch seconds
numbers (scores, values)               finite floats (``inf`` only where documented)
JSON integers                          :data:`MIN_INT` to :data:`MAX_INT`
=====================================  =========================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from operator import countOf
from typing import Any, cast

from prism.errors import InvalidArgumentError, ValueTooLargeError

MAX_NAME_BYTES = 1024
"""Longest name (key, topic, stream, queue, collection, series, id), in UTF-8 bytes."""

MAX_INT = 2**63 - 1
"""Largest count, limit, size, offset or index: the largest signed 64-bit integer."""

MIN_INT = -(2**63)
"""Smallest index (negative indexes count from the end) and smallest JSON integer."""

MAX_PARTITIONS = 4096
"""Most partitions a stream may have (``set_partitions``)."""

MAX_SECONDS = 100 * 365 * 86_400
"""Longest duration or timeout: 100 years of 365 days (3,153,600,000 seconds)."""

MIN_TIMESTAMP = 0
"""Earliest timestamp: the epoch, 1970-01-01T00:00:00Z."""

MAX_TIMESTAMP = 253_402_300_800
"""Latest timestamp: 10000-01-01T00:00:00Z, so every instant of year 9999 is fine (in float
seconds ``datetime.max`` rounds to exactly this)."""

MAX_BATCH = 100_000
"""Most items in one call: keys of a ``get_many``, entries of a ``set_many``, values of a push,
members of an ``add``.  Larger batches are split by the caller; a backend then never has to
hold more than this in one request (a PostgreSQL array, a Redis command, a SQLite statement)."""

MAX_JSON_DEPTH = 100
"""Deepest nesting of a JSON value (documents, properties, attributes)."""

Duration = float | int | timedelta
"""Seconds as a number, or a :class:`datetime.timedelta`."""

Timestamp = float | int | datetime
"""Seconds since the epoch as a number, or an aware or naive-UTC :class:`datetime.datetime`."""


def show(value: object) -> str:
    """A short, safe rendering of a refused value for an error message."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = int.__index__(value)
        if number.bit_length() > 128:
            return f"an int of {number.bit_length()} bits"
        return str(number)
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, str):
        text = str.__str__(value)
        return repr(text if len(text) <= 60 else text[:57] + "...")
    if isinstance(value, bytes | bytearray | memoryview | timedelta | datetime | bool):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__name__}"


# ----- text ---------------------------------------------------------------------------------


def text(value: object, what: str) -> str:
    """Any str (subclasses by their plain value, never a custom ``__str__``) with no lone
    surrogates; returns an exact ``str``.  Empty text and NUL are the caller's to judge."""
    if type(value) is not str:
        if not isinstance(value, str):
            msg = f"{what} must be a str, got {show(value)}"
            raise InvalidArgumentError(msg)
        value = str.__str__(value)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            msg = f"{what} must be valid unicode text (no lone surrogates), got {show(value)}"
            raise InvalidArgumentError(msg) from exc
    return value


def name(value: object, what: str = "key") -> str:
    """Check a key / topic / stream / queue / collection / series name; returns an exact str."""
    if type(value) is not str:
        if isinstance(value, str):
            return name(str.__str__(value), what)
        msg = f"{what} must be a str, got {show(value)}"
        raise InvalidArgumentError(msg)
    if not value:
        msg = f"{what} must not be empty"
        raise InvalidArgumentError(msg)
    if len(value) > 256 or "\x00" in value or not value.isascii():
        _name_slow(value, what)
    return value


def _name_slow(value: str, what: str) -> None:
    if "\x00" in value:
        msg = f"{what} must not contain NUL characters, got {show(value)}"
        raise InvalidArgumentError(msg)
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError as exc:
        msg = f"{what} must be valid unicode text (no lone surrogates), got {show(value)}"
        raise InvalidArgumentError(msg) from exc
    if size > MAX_NAME_BYTES:
        msg = f"{what} is {size} UTF-8 bytes; at most {MAX_NAME_BYTES} are allowed"
        raise InvalidArgumentError(msg)


def batch(size: int, what: str) -> None:
    """Refuse a batch of more than :data:`MAX_BATCH` items."""
    if size > MAX_BATCH:
        msg = f"{what} has {size} items; one call takes at most {MAX_BATCH:,} (split the batch)"
        raise InvalidArgumentError(msg)


def _plain_names(items: list[Any]) -> bool:
    """Whether every item is an exact, non-empty ASCII str without NUL, short enough to be
    surely a valid name: the common batch, checked in C loops (no Python-level loop per key).
    Short enough is at most :data:`MAX_NAME_BYTES` characters for the whole batch together (no
    length is read), or else at most 255 each.  False sends the batch to the item-by-item
    check, which takes any valid name."""
    if not items or countOf(map(type, items), str) != len(items):  # identity, no hashing
        return False
    joined = "".join(items)
    if not joined.isascii() or "\x00" in joined or not all(items):  # all(): no empty name
        return False
    if len(joined) <= MAX_NAME_BYTES:  # all of them together fit one name's limit (ASCII)
        return True
    try:  # every length as one byte: bytes() refuses any over 255 (the slow path takes those)
        bytes(map(len, items))
    except ValueError:
        return False
    return True


def names(values: object, what: str = "keys") -> list[str]:
    """Check an iterable of names (not a bare str); returns them as a list of exact str."""
    if type(values) is list:  # the common case: a list of short ASCII keys
        items: list[Any] = values.copy()
        if len(items) <= MAX_BATCH and (not items or _plain_names(items)):
            return items
        return _names(items, what)
    return _names(_listed(values, what, "str"), what)


def _listed(values: object, what: str, kind: str) -> list[Any]:
    """A batch that is not a list, as a fresh list: any iterable but a single str, bytes-like
    value or mapping (each of which is one value, not a batch of ``kind``)."""
    if isinstance(values, str | bytes | bytearray | memoryview | Mapping):
        msg = f"{what} must be an iterable of {kind}, not a single {type(values).__name__}"
        raise InvalidArgumentError(msg)
    try:
        items: list[Any] = list(values)  # type: ignore[call-overload]
    except TypeError as exc:
        msg = f"{what} must be an iterable of {kind}, got {type(values).__name__}"
        raise InvalidArgumentError(msg) from exc
    return items


def _names(items: list[Any], what: str) -> list[str]:
    batch(len(items), what)
    single = f"each of {what}"
    for i, item in enumerate(items):
        if (
            type(item) is str
            and item
            and len(item) <= 256
            and item.isascii()
            and "\x00" not in item
        ):
            continue
        items[i] = name(item, single)
    return cast("list[str]", items)


def prefix(value: object, what: str = "prefix") -> str:
    """A prefix may be empty; otherwise it follows the name rules."""
    if isinstance(value, str) and not value:
        return ""
    return name(value, what)


def choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    """One of ``allowed`` (compared as plain str); returns it as an exact str."""
    if isinstance(value, str):
        plain = str.__str__(value)
        if plain in allowed:
            return plain
    msg = f"{what} must be one of {', '.join(map(repr, allowed))}, got {show(value)}"
    raise InvalidArgumentError(msg)


# ----- bytes --------------------------------------------------------------------------------


def payload(value: object, limit: int | None, what: str = "value") -> bytes:
    """Check a bytes payload against the backend's ``max_value_bytes``."""
    if type(value) is not bytes:
        msg = f"{what} must be bytes, got {type(value).__name__}"
        if isinstance(value, str):
            msg += " (encode text first, e.g. value.encode())"
        raise InvalidArgumentError(msg)
    if limit is not None and len(value) > limit:
        msg = f"{what} is {len(value)} bytes; this backend stores at most {limit}"
        raise ValueTooLargeError(msg)
    return value


def optional_payload(value: object, limit: int | None, what: str = "value") -> bytes | None:
    return None if value is None else payload(value, limit, what)


def mapping_items(value: object, what: str, kind: str) -> list[tuple[Any, Any]]:
    if type(value) is dict:  # the usual mapping: no ABC isinstance for it
        return list(value.items())
    if not isinstance(value, Mapping):
        msg = f"{what} must be a mapping of {kind}, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    try:
        return list(value.items())
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        msg = f"{what} must be a mapping of {kind}; reading its items failed ({type(exc).__name__})"
        raise InvalidArgumentError(msg) from exc


def _plain_payloads(values: list[Any], limit: int | None) -> bool:
    """Whether every value is exact ``bytes`` within ``limit`` (C loops, as ``_plain_names``)."""
    if not values or countOf(map(type, values), bytes) != len(values):
        return False
    # the total within the limit settles it without a per-value pass (the usual case)
    return limit is None or len(b"".join(values)) <= limit or len(max(values, key=len)) <= limit


def payload_list(values: object, limit: int | None, what: str = "payloads") -> list[bytes]:
    """An iterable of payloads (not a bare bytes or str) as a fresh list, each one exact
    ``bytes`` within ``limit``; may be empty.  The whole batch is checked before the caller
    writes anything."""
    if type(values) is list:  # the common case, in C loops
        items: list[Any] = values.copy()
        if len(items) <= MAX_BATCH and (not items or _plain_payloads(items, limit)):
            return items
    else:
        items = _listed(values, what, "bytes")
    batch(len(items), what)
    for i, item in enumerate(items):
        if type(item) is not bytes or (limit is not None and len(item) > limit):
            payload(item, limit, f"{what}[{i}]")
    return items


def payload_map(value: object, limit: int | None, what: str = "items") -> dict[str, bytes]:
    """A mapping of names to payloads; returns a plain dict of exact str keys."""
    if type(value) is dict and 0 < len(value) <= MAX_BATCH:  # the common case, in C loops
        fresh = value.copy()
        if _plain_names(list(fresh)) and _plain_payloads(list(fresh.values()), limit):
            return fresh
    out: dict[str, bytes] = {}
    items = mapping_items(value, what, "str to bytes")
    batch(len(items), what)
    for raw_key, v in items:
        k = raw_key
        if not (type(k) is str and k and len(k) <= 256 and k.isascii() and "\x00" not in k):
            k = name(k, f"key in {what}")
        if type(v) is not bytes or (limit is not None and len(v) > limit):
            payload(v, limit, f"{what}[{k!r}]")
        out[k] = v
    return out


def headers(value: object, what: str = "headers") -> dict[str, str] | None:
    """A mapping of non-empty str names to str values, without NUL or lone surrogates;
    returns a plain dict of exact str (or None for None)."""
    if value is None:
        return None
    out: dict[str, str] = {}
    for raw_key, raw_value in mapping_items(value, what, "str to str"):
        k, v = raw_key, raw_value
        if not (type(k) is str and k and k.isascii() and "\x00" not in k):
            k = text(k, f"a name in {what}")
            if not k or "\x00" in k:
                msg = f"names in {what} must be non-empty str without NUL, got {show(k)}"
                raise InvalidArgumentError(msg)
        if not (type(v) is str and v.isascii() and "\x00" not in v):
            v = text(v, f"{what}[{k!r}]")
            if "\x00" in v:
                msg = f"{what}[{k!r}] must not contain NUL characters"
                raise InvalidArgumentError(msg)
        out[k] = v
    return out


# ----- numbers ------------------------------------------------------------------------------


def _exact_int(value: object) -> int | None:
    """``value`` as an exact int (int subclasses by their int value, never a custom
    ``__index__``); None for anything else, bool included."""
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__index__(value)
    return None


def integer(value: object, what: str, minimum: int = MIN_INT, maximum: int = MAX_INT) -> int:
    """An int (not bool) from ``minimum`` to ``maximum``; returns an exact int."""
    number = _exact_int(value)
    if number is None:
        msg = f"{what} must be an int from {minimum} to {maximum}, got {show(value)}"
        raise InvalidArgumentError(msg)
    if not minimum <= number <= maximum:
        msg = f"{what} must be an int from {minimum} to {maximum}, got {show(number)}"
        raise InvalidArgumentError(msg)
    return number


def count(value: object, what: str = "count", *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """A count, limit, size or offset: an int from ``minimum`` to ``maximum`` (2**63 - 1)."""
    return integer(value, what, minimum, maximum)


def _plain_counts(items: list[Any]) -> bool:
    """Whether every item is an exact int from 0 to ``MAX_INT`` (C loops, as ``_plain_names``)."""
    return not items or (
        countOf(map(type, items), int) == len(items) and min(items) >= 0 and max(items) <= MAX_INT
    )


def counts(values: Iterable[object], what: str) -> list[int]:
    """Check an iterable of counts or offsets; returns them as a list of exact ints (a bad one
    is refused as ``each of <what>``)."""
    if type(values) is list:  # the common case: a list of plain ints, checked whole
        items: list[Any] = values.copy()
        if _plain_counts(items):
            return items
        values = items
    return [count(item, f"each of {what}") for item in values]


def optional_count(
    value: object, what: str = "limit", *, minimum: int = 0, maximum: int = MAX_INT
) -> int | None:
    return None if value is None else integer(value, what, minimum, maximum)


def index(value: object, what: str = "index") -> int:
    """A position, negative from the end: an int from -2**63 to 2**63 - 1."""
    return integer(value, what)


def _exact_float(value: object) -> float | None:
    """``value`` (int or float, not bool) as an exact float; inf for ints too large for one."""
    if type(value) is float:
        return value
    if isinstance(value, float):
        return float.__float__(value)
    number = _exact_int(value)
    if number is None:
        return None
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def number(value: object, what: str = "value", *, allow_inf: bool = False) -> float:
    """A finite number (or +-inf where allowed; never NaN); returns an exact float."""
    result = _exact_float(value)
    if result is None:
        msg = f"{what} must be a number (int or float), got {show(value)}"
        raise InvalidArgumentError(msg)
    if math.isnan(result) or (math.isinf(result) and not allow_inf):
        msg = f"{what} must be a finite number, got {show(value)}"
        raise InvalidArgumentError(msg)
    return result


def seconds(value: object, what: str = "duration", *, allow_zero: bool = False) -> float:
    """A duration in seconds (number or timedelta), finite, positive (or zero if allowed) and
    at most :data:`MAX_SECONDS`; returns float seconds."""
    if isinstance(value, timedelta):
        result: float | None = timedelta.total_seconds(value)
    else:
        result = _exact_float(value)
    if result is None:
        msg = f"{what} must be seconds (int or float) or a timedelta, got {show(value)}"
        raise InvalidArgumentError(msg)
    if not (0 < result <= MAX_SECONDS or (result == 0 and allow_zero)):
        low = "0" if allow_zero else "above 0"
        msg = f"{what} must be seconds from {low} to {MAX_SECONDS} (100 years), got {show(value)}"
        raise InvalidArgumentError(msg)
    return result


def optional_seconds(
    value: object, what: str = "duration", *, allow_zero: bool = True
) -> float | None:
    return None if value is None else seconds(value, what, allow_zero=allow_zero)


def timestamp(value: object, what: str = "timestamp") -> float:
    """A point in time: epoch seconds, or a datetime (naive datetimes are taken as UTC), from
    1970-01-01 to 10000-01-01; returns float epoch seconds."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        try:
            result: float | None = datetime.timestamp(moment)
        except (OverflowError, ValueError, OSError) as exc:
            msg = f"{what} {show(value)} is not a representable point in time"
            raise InvalidArgumentError(msg) from exc
    else:
        result = _exact_float(value)
    if result is None:
        msg = f"{what} must be epoch seconds (int or float) or a datetime, got {show(value)}"
        raise InvalidArgumentError(msg)
    if not MIN_TIMESTAMP <= result <= MAX_TIMESTAMP:
        msg = (
            f"{what} must be from {MIN_TIMESTAMP} (1970-01-01) to {MAX_TIMESTAMP} "
            f"(10000-01-01) epoch seconds, got {show(value)}"
        )
        raise InvalidArgumentError(msg)
    return result


# ----- JSON ---------------------------------------------------------------------------------


def json_value(value: object, what: str = "value", _depth: int = 0) -> Any:
    """Check a JSON-compatible value: dict (str keys), list, str, int, float (finite), bool,
    None.  Returns a copy made of exact builtin types (tuples become lists, mappings dicts)."""
    if _depth > MAX_JSON_DEPTH:
        msg = f"{what} is nested more than {MAX_JSON_DEPTH} levels deep"
        raise InvalidArgumentError(msg)
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is str:
        return value if value.isascii() else text(value, what)  # type: ignore[attr-defined]
    if kind is int:
        if not MIN_INT <= value <= MAX_INT:  # type: ignore[operator]
            msg = f"{what} is {show(value)}; JSON integers must be from {MIN_INT} to {MAX_INT}"
            raise InvalidArgumentError(msg)
        return value
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            msg = f"{what} contains {value!r}; JSON allows only finite numbers"
            raise InvalidArgumentError(msg)
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for raw_key, item in mapping_items(value, what, "str keys to JSON values"):
            k = raw_key
            if type(k) is not str:
                if not isinstance(k, str):
                    msg = f"{what} has a non-str object key {show(k)}; JSON object keys are str"
                    raise InvalidArgumentError(msg)
                k = str.__str__(k)
            if not k.isascii():
                k = text(k, f"a key in {what}")
            out[k] = json_value(item, f"{what}.{k}", _depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [json_value(item, f"{what}[{i}]", _depth + 1) for i, item in enumerate(value)]
    if isinstance(value, str):
        return json_value(str.__str__(value), what, _depth)
    if isinstance(value, float):
        return json_value(float.__float__(value), what, _depth)
    if isinstance(value, int) and not isinstance(value, bool):
        return json_value(int.__index__(value), what, _depth)
    msg = f"{what} contains a {type(value).__name__}, which is not JSON-compatible"
    raise InvalidArgumentError(msg)


def json_object(value: object, what: str = "document") -> dict[str, Any]:
    """A JSON object: a mapping with str keys; returns a plain-dict copy (see json_value)."""
    if not isinstance(value, Mapping):
        msg = f"{what} must be a JSON object (a mapping with str keys), got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    return cast("dict[str, Any]", json_value(value, what))
