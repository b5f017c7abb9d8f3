"""Fuzz every checked facet method with hostile arguments, on memstore and sqlite side by side.

Each example calls one method of one facet with sane arguments except one, which gets a hostile
value: huge ints, int / str / float subclasses that lie in ``__index__`` / ``__str__`` /
``__float__``, NaN and infinities, ``1e16``, lone surrogates, NUL, bools, bytes where text is due
(and the reverse), odd mappings.  The outcome must be success or a *specific* PrismError
subclass, never ``OverflowError`` / ``TypeError`` / a generic "unexpected" ``PrismError``, and
memstore, sqlite and (when a redis-server is at hand) redis must agree on the outcome class
for the same call.
"""

from __future__ import annotations

import inspect
import itertools
import math
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import prism
from prism import _validate

# ----- hostile values -------------------------------------------------------------------------


class LyingStr(str):
    def __str__(self) -> str:
        return "../lie"

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class LyingInt(int):
    def __index__(self) -> int:
        return 2**80

    def __int__(self) -> int:
        return -(2**80)

    def __str__(self) -> str:
        return "lie"


class LyingFloat(float):
    def __float__(self) -> float:
        return math.nan

    def __str__(self) -> str:
        return "lie"


class OddMapping(Mapping[Any, Any]):
    """A mapping whose iteration and lookup disagree."""

    def __init__(self, items: dict[Any, Any]) -> None:
        self._items = items

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


SPECIAL: list[Any] = [
    2**63,
    2**63 - 1,
    -(2**63) - 1,
    2**64,
    10**400,
    -1,
    0,
    1e16,
    1e10,
    -0.0,
    5e-324,
    math.nan,
    math.inf,
    -math.inf,
    True,
    False,
    None,
    "",
    "\ud800",
    "a\x00b",
    "a.*",
    "a.>",
    "x" * 1025,
    b"",
    b"\xff",
    bytearray(b"x"),
    timedelta.max,
    timedelta(seconds=-1),
    datetime.max,
    datetime(1, 1, 1),
    datetime(1969, 12, 31, tzinfo=UTC),
    [],
    [["deep"] * 2] * 2,
    {},
    {"a": {"b": [1, 2**63]}},
    {1: "v"},
    {"h": "\udfff"},
    MappingProxyType({"k": "v"}),
    OddMapping({"k": "v"}),
    object(),
]

scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.binary(max_size=6),
    st.booleans(),
)

hostile = st.one_of(
    st.sampled_from(SPECIAL),
    scalars,
    st.builds(LyingStr, st.text(min_size=1, max_size=4)),
    st.builds(LyingInt, st.integers(min_value=-(2**64), max_value=2**64)),
    st.builds(LyingFloat, st.floats(allow_nan=True)),
    st.dictionaries(st.one_of(st.text(max_size=3), st.binary(max_size=2)), scalars, max_size=3),
    st.lists(scalars, max_size=3),
    st.tuples(scalars, scalars),
)

# ----- sane arguments by parameter name -------------------------------------------------------

T0 = 1_700_000_000.0
SANE: dict[str, Any] = {
    "key": "k",
    "keys": ["k", "k2"],
    "value": b"v",
    "values": (b"v",),
    "items": {"k": b"v"},
    "expected": b"v",
    "new": b"v",
    "ttl": 5.0,
    "prefix": "",
    "limit": 3,
    "stream": "s",
    "payload": b"p",
    "headers": {"h": "v"},
    "from_offset": 0,
    "max_count": 3,
    "group": "g",
    "consumer": "c",
    "start": 0,
    "end": 5,
    "block": 0,
    "claim_timeout": 30.0,
    "offsets": [0],
    "offset": 0,
    "timestamp": T0,
    "max_age": 60.0,
    "max_length": 10,
    "count": 2,
    "partition": 0,
    "queue": "q",
    "timeout": 0,
    "visibility_timeout": 30.0,
    "max_attempts": 3,
    "dead_letter_queue": "dlq",
    "priority": 1,
    "delay": 0.0,
    "not_before": T0,
    "index": 0,
    "pivot": b"v",
    "stop": -1,
    "member": b"m",
    "members": {b"m": 1.0},
    "amount": 1.0,
    "min": 0.0,
    "max": 10.0,
    "weights": None,
    "aggregate": "sum",
    "destination": "d",
    "series": "t",
    "labels": {"l": "v"},
    "points": [(T0, 1.0)],
    "bucket": 60.0,
    "fn": "sum",
    "timestamps": [T0],
    "method": "linear",
    "collection": "c",
    "document": {"a": 1},
    "id": "i",
    "patch": {"a": 2},
    "filter": {"a": 1},
    "fields": ["a"],
    "label": "L",
    "properties": {"p": 1},
    "source": "n1",
    "target": "n2",
    "direction": "out",
    "max_depth": 2,
    "order": "bfs",
    "skip": 0,
    "sort": None,
    "name": "ix",
    "unique": False,
    "topic": "news.x",
    "ordering_key": "o",
    "attributes": {"a": 1},
}

MODELS = [
    "keyvalue",
    "stream",
    "queue",
    "timeseries",
    "document",
    "graph",
    "set",
    "list",
    "sortedset",
    "pubsub",
]
SKIP = {
    "begin",  # returns a transaction object; its methods share the keyvalue checks
    "subscribe",
    "subscribe_pattern",
    "subscribe_durable",
    "subscribe_filtered",  # subscriptions would stay open; covered in test_validation.py
    "query",  # graph query languages differ by design
    "query_languages",
}
VALIDATION = {"InvalidArgumentError", "ValueTooLargeError"}
FORBIDDEN = (OverflowError, TypeError, ValueError, KeyError, AttributeError, RecursionError)


def _methods(facet: Any) -> list[tuple[str, inspect.Signature]]:
    found = []
    for attr in sorted(dir(type(facet))):
        if attr.startswith("_") or attr in SKIP:
            continue
        func = getattr(type(facet), attr)
        if not callable(func) or not getattr(func, "__prism_checked__", False):
            continue
        sig = inspect.signature(func)
        params = [p for p in sig.parameters.values() if p.name != "self"]
        if all(p.name in SANE or p.default is not p.empty for p in params):
            found.append((attr, sig))
    return found


def _call(facet: Any, method: str, target: str, value: Any) -> str:
    """Call ``facet.method`` with sane arguments except ``target``; return the outcome class."""
    sig = inspect.signature(getattr(type(facet), method))
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.name == target:
            arg = value
        elif p.name in SANE:
            arg = SANE[p.name]
        else:
            continue
        if p.kind is p.VAR_POSITIONAL:
            args.extend(arg if p.name != target else (arg,))
        elif p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = arg
        else:
            args.append(arg)
    try:
        result = getattr(facet, method)(*args, **kwargs)
        if inspect.isgenerator(result) or isinstance(result, Iterator):
            list(itertools.islice(result, 5))
    except prism.PrismError as exc:
        if type(exc) is prism.PrismError:  # the generic "unexpected ..." error: a bug
            pytest.fail(f"{method}({target}={value!r}) raised a generic PrismError: {exc}")
        return type(exc).__name__
    except FORBIDDEN as exc:
        pytest.fail(f"{method}({target}={value!r}) raised {type(exc).__name__}: {exc}")
    return "ok"


def _params(facet: Any, method: str) -> set[str]:
    func = getattr(type(facet), method, None)
    return set() if func is None else set(inspect.signature(func).parameters)


def _would_block(name: str, value: Any) -> bool:
    """A wait that the fuzzer must not start (a valid positive timeout, or None: forever)."""
    if name not in ("timeout", "block"):
        return False
    if value is None:
        return True
    try:
        return _validate.seconds(value, allow_zero=True) > 0.01
    except prism.InvalidArgumentError:
        return False


@pytest.fixture(scope="module")
def namespaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """memstore and sqlite always; redis too when a redis-server binary is at hand."""
    from prism.backends.redis._testing import redis_binary, start_redis

    db = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
    store = f"memory://fuzz-{uuid.uuid4().hex}"
    backends: dict[str, Any] = {
        "memstore": {"type": "memstore", "connection": store},
        "sqlite": {"type": "sqlite", "connection": f"sqlite:///{db}"},
    }
    server = None
    if redis_binary() is not None:
        server = start_redis(Path(tmp_path_factory.mktemp("fuzz-redis")))
        backends["redis"] = {"type": "redis", "connection": server.url}
    config = {
        "backends": backends,
        "namespaces": {f"fuzz-{name}": {"backend": name} for name in backends},
    }
    opened = {name: prism.open(f"fuzz-{name}", config=config) for name in backends}
    try:
        yield opened
    finally:
        for ns in opened.values():
            ns.close()
        if server is not None:
            server.stop()


def _plans(ns: Any, facets: list[str]) -> list[tuple[str, str, str]]:
    plans = []
    for model in facets:
        for method, sig in _methods(getattr(ns, model)):
            plans += [(model, method, p) for p in sig.parameters if p != "self"]
    return plans


FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_the_fuzzer_reaches_every_model(namespaces: dict[str, Any]) -> None:
    plans = _plans(namespaces["memstore"], MODELS)
    assert {model for model, _, _ in plans} == set(MODELS)
    assert len(plans) > 150


@FUZZ
@given(data=st.data(), value=hostile)
def test_backends_agree_on_hostile_arguments(
    namespaces: dict[str, Any], data: st.DataObject, value: Any
) -> None:
    """Each backend serving the model gets the same call; all must end the same way."""
    model, method, param = data.draw(st.sampled_from(_plans(namespaces["memstore"], MODELS)))
    if _would_block(param, value):
        return
    outcomes = {
        name: _call(getattr(ns, model), method, param, value)
        for name, ns in namespaces.items()
        if model in ns.models and param in _params(getattr(ns, model), method)
    }
    call = f"{model}.{method}({param}={value!r}): {outcomes}"
    # memstore and sqlite agree on every outcome; redis on whether (and how) validation refused
    # the call (its other outcomes are the suites' business: e.g. stream.ack on a missing group)
    embedded = {outcomes[name] for name in ("memstore", "sqlite") if name in outcomes}
    assert len(embedded) == 1, call
    refused = {outcome if outcome in VALIDATION else "passed" for outcome in outcomes.values()}
    assert len(refused) == 1, call
