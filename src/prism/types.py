"""Small frozen value types shared by the sync and async interfaces."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "Edge",
    "GroupInfo",
    "IndexInfo",
    "Lease",
    "Message",
    "Node",
    "PartitionOffset",
    "Point",
    "QueueMessage",
    "RetentionLimits",
    "StreamRecord",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _no_items() -> Any:
    return field(default_factory=lambda: _EMPTY)


StartPosition = Literal["earliest", "latest"]
Direction = Literal["out", "in", "both"]
Aggregate = Literal["sum", "min", "max"]
SeriesFunction = Literal["count", "sum", "min", "max", "avg", "first", "last"]
InterpolationMethod = Literal["linear", "step"]


@dataclass(frozen=True, slots=True)
class Message:
    """A pub/sub message as a subscriber receives it.

    ``id`` is set for persistent messages (pubsub_persistent); ``attributes`` carries the
    filterable attributes of pubsub_filtering; ``ordering_key`` is set by pubsub_ordering.
    """

    topic: str
    payload: bytes
    headers: Mapping[str, str] = _no_items()
    id: str | None = None
    attributes: Mapping[str, Any] = _no_items()
    ordering_key: str | None = None
    timestamp: float | None = None
    delivery_count: int = 1


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One record of a stream: its offset within its partition, payload, headers and time."""

    stream: str
    offset: int
    payload: bytes
    headers: Mapping[str, str] = _no_items()
    timestamp: float = 0.0
    partition: int = 0
    key: str | None = None
    delivery_count: int = 1


@dataclass(frozen=True, slots=True)
class PartitionOffset:
    """Where an appended record landed."""

    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class RetentionLimits:
    """A stream's retention: records older than ``max_age`` seconds or beyond the newest
    ``max_length`` records may be removed by :meth:`trim`.  ``None`` means no limit."""

    max_age: float | None = None
    max_length: int | None = None


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A consumer group's state.

    ``consumers`` maps each consumer name to its count of pending (delivered, unacknowledged)
    records; ``pending`` is their sum; ``lag`` counts records not yet delivered to the group;
    ``last_delivered`` is the highest offset delivered to the group, or None.
    """

    stream: str
    group: str
    consumers: Mapping[str, int] = _no_items()
    pending: int = 0
    lag: int = 0
    last_delivered: int | None = None


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """A message in a queue.  ``attempts`` counts deliveries so far, this one included."""

    id: str
    queue: str
    payload: bytes
    headers: Mapping[str, str] = _no_items()
    attempts: int = 0
    enqueued_at: float = 0.0
    priority: int = 0


@dataclass(frozen=True, slots=True)
class Lease:
    """A received message and the right to settle it until ``deadline`` (epoch seconds)."""

    message: QueueMessage
    receipt: str
    deadline: float

    @property
    def id(self) -> str:
        return self.message.id

    @property
    def payload(self) -> bytes:
        return self.message.payload


@dataclass(frozen=True, slots=True)
class Point:
    """A time-series point: epoch seconds, a float value and its labels."""

    timestamp: float
    value: float
    labels: Mapping[str, str] = _no_items()


@dataclass(frozen=True, slots=True)
class Node:
    """A graph node: a string id, a label and JSON-compatible properties."""

    id: str
    label: str
    properties: Mapping[str, Any] = _no_items()


@dataclass(frozen=True, slots=True)
class Edge:
    """A directed graph edge from ``source`` to ``target``."""

    id: str
    source: str
    target: str
    label: str
    properties: Mapping[str, Any] = _no_items()


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """A document index: its name, the fields it covers (in order) and whether it is unique."""

    name: str
    fields: tuple[str, ...]
    unique: bool = False


class _Factory:
    """The default of a field made by a factory, shown as the dataclass shows it."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


_TWINS: dict[type, type] = {}


def _plain_twin(cls: type) -> type:
    """A plain class with the very slots of the frozen value type ``cls`` (made once).

    A hot loop that builds many values of ``cls`` may make an instance of it with
    ``object.__new__``, store every field as an ordinary attribute write, then set its
    ``__class__`` to ``cls``: no Python call per value.  ``__class__`` assignment checks that
    the layouts match.  Every field must be stored: one left unset reads as AttributeError."""
    twin = _TWINS.get(cls)
    if twin is None:
        slots = cls.__slots__  # type: ignore[attr-defined]
        twin = _TWINS[cls] = type(f"_Plain{cls.__name__}", (), {"__slots__": slots})
    return twin


def _quick_init(cls: type) -> None:
    """Give the frozen, slotted value type ``cls`` a faster ``__init__``: the same parameters,
    defaults and resulting object as the dataclass's own, in about 0.25 µs against 0.57 µs
    for eight fields.  Backends build one of these per record or message they read, so this
    is on every read path.

    A frozen dataclass's ``__init__`` stores each field through ``object.__setattr__``.  This
    one turns the new object, for the length of the call, into an instance of a plain class
    with the very same slots (``__class__`` assignment checks that the layouts match), stores
    the fields as ordinary attribute writes, and turns it back.  An instance of a subclass
    (which may add slots of its own) stores through the slot descriptors instead."""
    if hasattr(cls, "__post_init__"):  # pragma: no cover - none of ours has one
        return
    env: dict[str, Any] = {
        "_MISSING": _FACTORY,
        "_cls": cls,
        "_type": type,
        "_swap": object.__setattr__,
        "_Plain": _plain_twin(cls),
    }
    params: list[str] = []
    made: list[str] = []
    plain: list[str] = []
    slow: list[str] = []
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.kw_only or not f.init:  # pragma: no cover - none of ours
            return
        env[f"_set{i}"] = cls.__dict__[f.name].__set__
        if f.default is not dataclasses.MISSING:
            env[f"_d{i}"] = f.default
            params.append(f"{f.name}=_d{i}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_f{i}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            made.append(f"    if {f.name} is _MISSING:\n        {f.name} = _f{i}()")
        else:
            params.append(f.name)
        plain.append(f"    self.{f.name} = {f.name}")
        slow.append(f"        _set{i}(self, {f.name})")
    source = (
        f"def __init__(self, {', '.join(params)}):\n"
        + "".join(line + "\n" for line in made)
        + "    if _type(self) is not _cls:\n"
        + "\n".join(slow)
        + "\n        return\n"
        + "    _swap(self, '__class__', _Plain)\n"
        + "\n".join(plain)
        + "\n    self.__class__ = _cls\n"
    )
    exec(compile(source, f"<prism quick init of {cls.__qualname__}>", "exec"), env)  # noqa: S102
    init = env["__init__"]
    own = cls.__dict__["__init__"]
    for attr in ("__module__", "__qualname__", "__doc__", "__annotations__"):
        setattr(init, attr, getattr(own, attr))
    setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses assigning to __init__)


for _cls in (
    Message,
    StreamRecord,
    PartitionOffset,
    RetentionLimits,
    GroupInfo,
    QueueMessage,
    Lease,
    Point,
    Node,
    Edge,
    IndexInfo,
):
    _quick_init(_cls)
del _cls
