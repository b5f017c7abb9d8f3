"""Argument checks shared by every backend, run before any I/O.

The interface ABCs attach these checks to their methods (see ``interfaces/_base.py``), so a
backend's own code only ever sees arguments that passed them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from prism.errors import InvalidArgumentError, ValueTooLargeError

MAX_NAME_BYTES = 1024

Duration = float | int | timedelta
"""Seconds as a number, or a :class:`datetime.timedelta`."""

Timestamp = float | int | datetime
"""Seconds since the epoch as a number, or an aware or naive-UTC :class:`datetime.datetime`."""


def name(value: object, what: str = "key") -> str:
    """Check a key / topic / stream / queue / collection / series name."""
    if type(value) is not str:
        if isinstance(value, str):
            return name(str(value), what)
        msg = f"{what} must be a str, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    if not value:
        msg = f"{what} must not be empty"
        raise InvalidArgumentError(msg)
    if len(value) > 256 or "\x00" in value or not value.isascii():
        _name_slow(value, what)
    return value


def _name_slow(value: str, what: str) -> None:
    if "\x00" in value:
        msg = f"{what} must not contain NUL characters"
        raise InvalidArgumentError(msg)
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError as exc:
        msg = f"{what} must be valid unicode text (no lone surrogates)"
        raise InvalidArgumentError(msg) from exc
    if size > MAX_NAME_BYTES:
        msg = f"{what} is {size} UTF-8 bytes; at most {MAX_NAME_BYTES} are allowed"
        raise InvalidArgumentError(msg)


def names(values: object, what: str = "keys") -> list[str]:
    """Check an iterable of names (not a bare str); returns them as a list."""
    if isinstance(values, str | bytes):
        msg = f"{what} must be an iterable of str, not a single {type(values).__name__}"
        raise InvalidArgumentError(msg)
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError as exc:
        msg = f"{what} must be an iterable of str, got {type(values).__name__}"
        raise InvalidArgumentError(msg) from exc
    single = what.removesuffix("s")
    for item in items:
        if (
            type(item) is str
            and item
            and len(item) <= 256
            and item.isascii()
            and "\x00" not in item
        ):
            continue
        name(item, single)
    return cast("list[str]", items)


def prefix(value: object, what: str = "prefix") -> str:
    """A prefix may be empty; otherwise it follows the name rules."""
    if value == "" and type(value) is str:
        return ""
    return name(value, what)


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


def payload_map(value: object, limit: int | None, what: str = "items") -> Mapping[str, bytes]:
    if not isinstance(value, Mapping):
        msg = f"{what} must be a mapping of str to bytes, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    for k, v in value.items():
        if not (type(k) is str and k and len(k) <= 256 and k.isascii() and "\x00" not in k):
            name(k, "key")
        if type(v) is not bytes or (limit is not None and len(v) > limit):
            payload(v, limit)
    return value


def headers(value: object, what: str = "headers") -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        msg = f"{what} must be a mapping of str to str, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    for k, v in value.items():
        if type(k) is not str or not k or type(v) is not str:
            msg = (
                f"{what} must map non-empty str names to str values; got {k!r}: {type(v).__name__}"
            )
            raise InvalidArgumentError(msg)
    return value


def seconds(value: object, what: str = "duration", *, allow_zero: bool = False) -> float:
    """A duration in seconds (number or timedelta), finite and positive (or zero if allowed)."""
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = float(value)
    else:
        msg = f"{what} must be seconds (int or float) or a timedelta, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    if not math.isfinite(result) or result < 0 or (result == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"{what} must be finite and {bound}, got {result!r}"
        raise InvalidArgumentError(msg)
    return result


def optional_seconds(
    value: object, what: str = "duration", *, allow_zero: bool = True
) -> float | None:
    return None if value is None else seconds(value, what, allow_zero=allow_zero)


def timestamp(value: object, what: str = "timestamp") -> float:
    """A point in time: epoch seconds, or a datetime (naive datetimes are taken as UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    msg = f"{what} must be epoch seconds (int or float) or a datetime, got {value!r}"
    raise InvalidArgumentError(msg)


def count(value: object, what: str = "count", *, minimum: int = 0) -> int:
    if type(value) is not int:
        msg = f"{what} must be an int, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    if value < minimum:
        msg = f"{what} must be >= {minimum}, got {value}"
        raise InvalidArgumentError(msg)
    return value


def optional_count(value: object, what: str = "limit", *, minimum: int = 0) -> int | None:
    return None if value is None else count(value, what, minimum=minimum)


def index(value: object, what: str = "index") -> int:
    if type(value) is not int:
        msg = f"{what} must be an int, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    return value


def number(value: object, what: str = "value", *, allow_inf: bool = False) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        result = float(value)
        if math.isnan(result) or (math.isinf(result) and not allow_inf):
            msg = f"{what} must be a finite number, got {value!r}"
            raise InvalidArgumentError(msg)
        return result
    msg = f"{what} must be a number, got {type(value).__name__}"
    raise InvalidArgumentError(msg)


def choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed or type(value) is not str:
        msg = f"{what} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
        raise InvalidArgumentError(msg)
    return value


def json_value(value: object, what: str = "value", _depth: int = 0) -> Any:
    """Check a JSON-compatible value: dict (str keys), list, str, int, float (finite), bool, None."""
    if _depth > 100:
        msg = f"{what} is nested more than 100 levels deep"
        raise InvalidArgumentError(msg)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"{what} contains {value!r}; JSON allows only finite numbers"
            raise InvalidArgumentError(msg)
        return value
    if isinstance(value, Mapping):
        for k, v in value.items():
            if type(k) is not str:
                msg = f"{what} has a non-str object key {k!r}; JSON object keys are str"
                raise InvalidArgumentError(msg)
            json_value(v, f"{what}.{k}", _depth + 1)
        return value
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            json_value(v, f"{what}[{i}]", _depth + 1)
        return value
    msg = f"{what} contains a {type(value).__name__}, which is not JSON-compatible"
    raise InvalidArgumentError(msg)


def json_object(value: object, what: str = "document") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        msg = f"{what} must be a JSON object (a mapping with str keys), got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    json_value(value, what)
    return value
