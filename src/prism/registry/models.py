"""Pydantic models of the three kinds of YAML: backend declarations, pattern declarations and
the application's ``prism.yaml``."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from prism._redact import redact
from prism.credentials import CredentialsConfig
from prism.policy import ResiliencePolicy

__all__ = [
    "BackendConnection",
    "BackendDeclaration",
    "KnownGap",
    "Limits",
    "NamespaceConfig",
    "PatternDeclaration",
    "PrismConfig",
    "SlotBinding",
    "SlotDeclaration",
]

_NAME = r"^[a-z0-9][a-z0-9_-]*$"
_TARGET = r"[a-z][a-z0-9-]*"


def _catalog() -> frozenset[str]:
    from prism.interfaces import CATALOG

    return frozenset(CATALOG)


def _check_interfaces(values: list[str]) -> list[str]:
    known = _catalog()
    for name in values:
        if name not in known:
            close = min(known, key=lambda k: _distance(k, name))
            msg = f"{name!r} is not a catalog interface (did you mean {close!r}?)"
            raise ValueError(msg)
    if len(set(values)) != len(values):
        dupes = sorted({n for n in values if values.count(n) > 1})
        msg = f"interfaces listed twice: {', '.join(dupes)}"
        raise ValueError(msg)
    return values


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Limits(_Strict):
    max_value_bytes: int | None = Field(default=None, gt=0)
    max_message_bytes: int | None = Field(
        default=None, gt=0, description="pubsub payloads, when their limit is below the values'"
    )


class Native(_Strict):
    sync: bool = True
    async_: bool = Field(default=True, alias="async")


class KnownGap(_Strict):
    """A strict expected failure of the compliance suites on one backend."""

    test: str = Field(description="'<interface>' or '<interface>::<test name>' (fnmatch globs)")
    kind: Literal["notimpl", "notyet", "never"]
    raises: str = Field(default="PrismError", description="the exception class name expected")
    reason: str
    targets: list[str] | None = Field(
        default=None,
        min_length=1,
        description="the kinds of test server the gap holds on (as the backend's test harness "
        "reports them, e.g. 'mock'); without it the gap holds whatever the suites run against",
    )

    @field_validator("targets")
    @classmethod
    def _check_targets(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        bad = [t for t in value if not isinstance(t, str) or not re.fullmatch(_TARGET, t)]
        if bad:
            msg = (
                f"targets {bad!r}: a target is the name of a kind of test server, lower-case "
                "letters, digits and '-' (e.g. 'mock', 'real')"
            )
            raise ValueError(msg)
        if len(set(value)) != len(value):
            msg = f"targets {value!r} names a target twice"
            raise ValueError(msg)
        return value

    def holds_on(self, target: str) -> bool:
        """Whether the gap applies when the suites run against a server of kind ``target``."""
        return self.targets is None or target in self.targets

    def exception(self) -> type[BaseException]:
        """The class ``raises`` names: a ``prism.errors`` class or a builtin exception.  An
        unknown name is a ``ValueError`` (never silently widened to ``Exception``)."""
        import builtins

        from prism import errors

        found = getattr(errors, self.raises, None) or getattr(builtins, self.raises, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
        known = [n for n in errors.__all__ if n.endswith("Error")]
        close = min(known, key=lambda k: _distance(k, self.raises))
        msg = (
            f"raises {self.raises!r} is not an exception class of prism.errors or a builtin "
            f"exception (did you mean {close!r}?)"
        )
        raise ValueError(msg)


class BackendDeclaration(_Strict):
    """``registry/backends/<backend>.yaml``: the single source of truth for a backend."""

    backend: str = Field(pattern=_NAME)
    description: str = ""
    connection_string_format: str = ""
    implements: list[str]
    limits: Limits = Limits()
    native: Native = Native()
    extra: str | None = None
    query_languages: list[str] = []
    known_gaps: list[KnownGap] = []

    _v_implements = field_validator("implements")(_check_interfaces)


class SlotDeclaration(_Strict):
    required_interfaces: list[str] = []
    alternative_interfaces: list[str] = []
    optional_interfaces: list[str] = []
    optional: bool = False

    _v1 = field_validator("required_interfaces")(_check_interfaces)
    _v2 = field_validator("alternative_interfaces")(_check_interfaces)
    _v3 = field_validator("optional_interfaces")(_check_interfaces)


class OptionDeclaration(_Strict):
    type: Literal["int", "float", "str", "bool", "duration", "size"]
    default: Any = None
    description: str = ""


class PatternDeclaration(_Strict):
    """``registry/patterns/<pattern>.yaml``."""

    pattern: str = Field(pattern=_NAME)
    version: str = "v1"
    description: str = ""
    slots: dict[str, SlotDeclaration]
    options: dict[str, OptionDeclaration] = {}


class BackendConnection(_Strict):
    """A named connection in ``prism.yaml``: ``{type: redis, connection: "redis://..."}``.

    The connection string may hold a password: it is excluded from ``repr`` and shown only
    through :attr:`redacted`.
    """

    type: str = Field(pattern=_NAME)
    connection: str | None = Field(default=None, repr=False)
    options: dict[str, Any] = Field(default_factory=dict, repr=False)
    resilience: ResiliencePolicy | None = None
    """Call deadline, retries and circuit breaker of this connection (docs/operations.md)."""
    credentials: CredentialsConfig | None = Field(default=None, repr=False)
    """Where the connection's user name and secret come from (``prism.credentials``); when
    given, they replace any in the connection string."""

    @property
    def redacted(self) -> str | None:
        return None if self.connection is None else redact(self.connection)

    def __repr_args__(self) -> Any:
        yield "type", self.type
        yield "connection", self.redacted


class SlotBinding(_Strict):
    """What fills a pattern slot: a backend, or another namespace (patterns compose)."""

    backend: str | None = None
    namespace: str | None = None

    @model_validator(mode="after")
    def _one(self) -> SlotBinding:
        if (self.backend is None) == (self.namespace is None):
            msg = "a slot names exactly one of backend or namespace"
            raise ValueError(msg)
        return self


QUALITIES: dict[str, tuple[str, ...]] = {
    "ttl": ("keyvalue_ttl",),
    "transactions": ("keyvalue_transactional",),
    "cas": ("keyvalue_cas",),
    "batch": ("keyvalue_batch",),
    "scan": ("keyvalue_scan",),
    "wildcards": ("pubsub_wildcards",),
    "durable": ("pubsub_persistent",),
    "ordered": ("pubsub_ordering",),
    "filtering": ("pubsub_filtering",),
    "consumer_groups": ("stream_consumer_groups",),
    "replay": ("stream_replay",),
    "at_least_once": ("queue_visibility",),
    "dead_letter": ("queue_dead_letter",),
    "priority": ("queue_priority",),
    "delayed": ("queue_delayed",),
}
"""Boolean qualities a namespace may ask for, and the interfaces each one means."""

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def parse_size(value: int | str) -> int:
    """``5GB`` → 5_000_000_000, ``1MiB`` → 1_048_576, ``1024`` → 1024."""
    if isinstance(value, int):
        return value
    match = _SIZE.match(value)
    if not match:
        msg = f"{value!r} is not a size (use e.g. 512KB, 5GB, 1MiB or a byte count)"
        raise ValueError(msg)
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])


class Qualities(_Strict):
    """Needs stated as qualities; :data:`QUALITIES` maps each to interfaces.

    ``max_message_size`` larger than the chosen backend's ``max_value_bytes`` calls for the
    claim-check pattern; ``consistency: strong`` with messaging calls for the outbox pattern.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ttl: bool = False
    transactions: bool = False
    cas: bool = False
    batch: bool = False
    scan: bool = False
    wildcards: bool = False
    durable: bool = False
    ordered: bool = False
    filtering: bool = False
    consumer_groups: bool = False
    replay: bool = False
    at_least_once: bool = False
    dead_letter: bool = False
    priority: bool = False
    delayed: bool = False
    max_message_size: int | None = None
    consistency: Literal["eventual", "strong"] = "eventual"

    @field_validator("max_message_size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> Any:
        return None if value is None else parse_size(value)

    def interfaces(self) -> list[str]:
        out: list[str] = []
        for quality, names in QUALITIES.items():
            if getattr(self, quality):
                out.extend(n for n in names if n not in out)
        return out


class NamespaceConfig(_Strict):
    """One namespace of ``prism.yaml``: a backend (or a pattern with slots) and its needs."""

    needs: list[str] = []
    qualities: Qualities = Qualities()
    backend: str | None = None
    pattern: str | None = None
    slots: dict[str, SlotBinding] = {}
    options: dict[str, Any] = {}
    resilience: ResiliencePolicy | None = None
    """Overrides of the backend entry's policy for this namespace (docs/operations.md)."""
    credentials: CredentialsConfig | None = Field(default=None, repr=False)
    """This namespace's own credentials for its backend (a connection of its own), overriding
    the backend entry's: one server user per tenant."""

    _v_needs = field_validator("needs")(_check_interfaces)

    @model_validator(mode="after")
    def _one_kind(self) -> NamespaceConfig:
        if self.pattern is None and self.slots:
            msg = "slots are only for a namespace with a pattern"
            raise ValueError(msg)
        if self.pattern is not None and self.backend is not None:
            msg = "give either backend or pattern (with slots), not both"
            raise ValueError(msg)
        return self


class PrismConfig(_Strict):
    """The application's ``prism.yaml``."""

    backends: dict[str, BackendConnection] = {}
    namespaces: dict[str, NamespaceConfig] = {}
    default_backend: str | None = None

    @model_validator(mode="after")
    def _references(self) -> PrismConfig:
        if self.default_backend is not None and self.default_backend not in self.backends:
            msg = f"default_backend {self.default_backend!r} is not one of the backends defined"
            raise ValueError(msg)
        for name, ns in self.namespaces.items():
            refs = [ns.backend] if ns.backend else []
            refs += [slot.backend for slot in ns.slots.values() if slot.backend]
            for slot in ns.slots.values():
                if slot.namespace is not None and slot.namespace not in self.namespaces:
                    msg = f"namespace {name!r} fills a slot with undefined namespace {slot.namespace!r}"
                    raise ValueError(msg)
            for ref in refs:
                if ref not in self.backends:
                    known = ", ".join(sorted(self.backends)) or "none"
                    msg = (
                        f"namespace {name!r} uses backend {ref!r}, which is not defined under "
                        f"backends (defined: {known})"
                    )
                    raise ValueError(msg)
        return self
