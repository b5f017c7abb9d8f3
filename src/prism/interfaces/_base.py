"""The root of every interface ABC and the machinery that runs argument checks before I/O.

An interface method declared with :func:`checks` names a check for some of its parameters.
When a backend class overrides that method, ``Interface.__init_subclass__`` wraps the override
in a small generated function that runs the checks first and then calls the backend's code.
Every backend, built-in or third-party, therefore validates arguments in exactly one shared
place and can never be reached with a malformed key or payload.
"""

from __future__ import annotations

import abc
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from prism import _validate as v
from prism.errors import InvalidArgumentError

__all__ = ["Check", "Checked", "Interface", "checks", "registered_interfaces"]

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[Any, Any], Any]
"""A check: called as ``check(facet, value)``; raises a PrismError or returns nothing useful."""

_SPEC_ATTR = "__prism_checks__"
_TOGETHER = "__together__"
_WRAPPED_ATTR = "__prism_checked__"
_REGISTRY: dict[tuple[str, bool], type[Interface]] = {}


def checks(*together: Callable[..., None], **spec: Check) -> Callable[[F], F]:
    """Declare the argument checks of an interface method.

    Keyword checks take one parameter each, by name.  Positional ones check several parameters
    together (``delay`` and ``not_before`` are exclusive, ``weights`` matches ``keys``): each is
    called as ``check(facet, name=value, ...)`` with the parameters its signature names after
    the first, once the per-parameter checks have run.
    """

    def decorate(func: F) -> F:
        full = dict(spec)
        for i, check in enumerate(together):
            full[f"{_TOGETHER}{i}"] = check
        setattr(func, _SPEC_ATTR, full)
        return func

    return decorate


def _install_checks(cls: type) -> None:
    for attr, func in list(cls.__dict__.items()):
        if not inspect.isfunction(func) or getattr(func, "__isabstractmethod__", False):
            continue
        if getattr(func, _WRAPPED_ATTR, False):
            continue
        spec: dict[str, Check] = {}
        for base in reversed(cls.__mro__[1:]):
            declared = base.__dict__.get(attr)
            spec.update(getattr(declared, _SPEC_ATTR, None) or {})
        if spec:
            setattr(cls, attr, _wrap(func, spec))


def _wrap(func: Callable[..., Any], spec: dict[str, Check]) -> Callable[..., Any]:
    """Generate ``def f(self, <same params>): <checks>; return impl(self, <params>)``."""
    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    env: dict[str, Any] = {"_impl": func}
    head: list[str] = []
    call: list[str] = []
    body: list[str] = []
    seen_star = False
    for i, p in enumerate(params):
        pname = p.name
        if p.default is not inspect.Parameter.empty:
            env[f"_d{i}"] = p.default
            default = f"=_d{i}"
        else:
            default = ""
        if p.kind is p.VAR_POSITIONAL:
            head.append(f"*{pname}")
            call.append(f"*{pname}")
            seen_star = True
        elif p.kind is p.VAR_KEYWORD:
            head.append(f"**{pname}")
            call.append(f"**{pname}")
        elif p.kind is p.KEYWORD_ONLY:
            if not seen_star:
                head.append("*")
                seen_star = True
            head.append(f"{pname}{default}")
            call.append(f"{pname}={pname}")
        elif p.kind is p.POSITIONAL_ONLY:
            head.append(f"{pname}{default}")
            call.append(pname)
        else:
            head.append(f"{pname}{default}")
            call.append(pname)
        if pname in spec:
            env[f"_c_{pname}"] = spec[pname]
            if getattr(spec[pname], "normalizes", False):
                # the check returns the value to use (e.g. a one-shot iterable made a list)
                body.append(f"    {pname} = _c_{pname}({params[0].name}, {pname})")
            else:
                body.append(f"    _c_{pname}({params[0].name}, {pname})")
    names = {p.name for p in params}
    for key, check in spec.items():
        if key.startswith(_TOGETHER):
            wanted = list(inspect.signature(check).parameters)[1:]
            missing = [w for w in wanted if w not in names]
            if missing:
                msg = f"{func.__qualname__} has no parameter {missing} for check {check.__name__}"
                raise TypeError(msg)
            env[f"_t_{key}"] = check
            args = ", ".join(f"{w}={w}" for w in wanted)
            body.append(f"    _t_{key}({params[0].name}, {args})")
    if inspect.iscoroutinefunction(func):
        src = f"async def {func.__name__}({', '.join(head)}):\n"
        src += "\n".join(body) + "\n" if body else ""
        src += f"    return await _impl({', '.join(call)})\n"
    else:
        src = f"def {func.__name__}({', '.join(head)}):\n"
        src += "\n".join(body) + "\n" if body else ""
        src += f"    return _impl({', '.join(call)})\n"
    exec(compile(src, f"<prism checks for {func.__qualname__}>", "exec"), env)  # noqa: S102
    wrapper = env[func.__name__]
    functools.update_wrapper(wrapper, func)
    setattr(wrapper, _WRAPPED_ATTR, True)
    return wrapper  # type: ignore[no-any-return]


class Checked(abc.ABC):  # noqa: B024 (abstract methods live in subclasses)
    """Base of every class whose methods carry :func:`checks`: overrides get them installed."""

    __slots__ = ()

    max_value_bytes: int | None = None
    """The backend's largest accepted payload, in bytes; ``None`` for no limit."""

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        _install_checks(cls)


class Interface(Checked):
    """Base of every catalog interface.

    Subclasses that are catalog interfaces pass ``name`` (the registry name) and ``model`` (the
    data model) in the class statement.  Backend classes subclass the interfaces they implement;
    doing so *is* the declaration.
    """

    __slots__ = ()

    registry_name: ClassVar[str] = ""
    model: ClassVar[str] = ""

    def __init_subclass__(cls, *, name: str | None = None, model: str | None = None, **kw: Any):
        super().__init_subclass__(**kw)
        if name is not None:
            if model is None:
                msg = f"interface {cls.__name__} names registry entry {name!r} but no model"
                raise TypeError(msg)
            cls.registry_name = name
            cls.model = model
            key = (name, cls.__name__.startswith("Async"))
            if key in _REGISTRY and _REGISTRY[key].__qualname__ != cls.__qualname__:
                msg = f"two interfaces claim the registry name {name!r}"
                raise TypeError(msg)
            _REGISTRY[key] = cls
            cls.__prism_interface__ = True  # type: ignore[attr-defined]

    @classmethod
    def implemented_interfaces(cls) -> frozenset[str]:
        """Registry names of every catalog interface this class subclasses."""
        return frozenset(
            getattr(base, "registry_name", "")
            for base in cls.__mro__
            if base.__dict__.get("__prism_interface__")
        )


def registered_interfaces() -> dict[tuple[str, bool], type[Interface]]:
    """Every interface class defined so far, keyed by ``(registry name, is_async)``."""
    return dict(_REGISTRY)


# ----- the checks interface modules use ---------------------------------------------------------


def _named(what: str) -> Check:
    name = v.name

    def check(_: Any, value: Any) -> None:
        # fast path for the common case: short ASCII text without NUL
        if (
            type(value) is str
            and value
            and len(value) <= 256
            and value.isascii()
            and "\x00" not in value
        ):
            return
        name(value, what)

    return check


KEY = _named("key")
TOPIC = _named("topic")
PATTERN = _named("pattern")
STREAM = _named("stream")
GROUP = _named("group")
CONSUMER = _named("consumer")
QUEUE = _named("queue")
COLLECTION = _named("collection")
SERIES = _named("series")
NODE_ID = _named("node id")
EDGE_ID = _named("edge id")
LABEL = _named("label")
DOC_ID = _named("document id")
SUBSCRIPTION_NAME = _named("subscription name")
ORDERING_KEY = _named("ordering_key")


def KEYS(_: Any, value: Any) -> list[str]:
    return v.names(value, "keys")


KEYS.normalizes = True  # type: ignore[attr-defined]


def VAR_KEYS(_: Any, value: Any) -> None:
    if not value:
        msg = "at least one key is required"
        raise InvalidArgumentError(msg)
    for item in value:
        v.name(item, "key")


def KEY_OR_KEYS(_: Any, value: Any) -> str | list[str]:
    if isinstance(value, str):
        return v.name(value, "key")
    keys = v.names(value, "keys")
    if not keys:
        msg = "at least one key is required"
        raise InvalidArgumentError(msg)
    return keys


KEY_OR_KEYS.normalizes = True  # type: ignore[attr-defined]


def OFFSETS(_: Any, value: Any) -> list[int]:
    """One offset or an iterable of them: non-negative ints; returns them as a list."""
    if isinstance(value, str | bytes) or not isinstance(value, int | Iterable):
        msg = f"offsets must be an int or an iterable of ints, got {type(value).__name__}"
        raise InvalidArgumentError(msg)
    items = [value] if isinstance(value, int) else list(value)
    for offset in items:
        if type(offset) is not int or offset < 0:
            msg = f"offsets must be non-negative ints, got {offset!r}"
            raise InvalidArgumentError(msg)
    return items


OFFSETS.normalizes = True  # type: ignore[attr-defined]


def START_POSITION(_: Any, value: Any) -> None:
    """Where a consumer group starts: ``"earliest"``, ``"latest"`` or an offset >= 0."""
    if isinstance(value, str):
        valid = value in ("earliest", "latest")
    else:
        valid = type(value) is int and value >= 0
    if not valid:
        msg = f"start must be 'earliest', 'latest' or a non-negative offset, got {value!r}"
        raise InvalidArgumentError(msg)


def PREFIX(_: Any, value: Any) -> None:
    v.prefix(value)


def PAYLOAD(facet: Any, value: Any) -> None:
    v.payload(value, facet.max_value_bytes)


def OPT_PAYLOAD(facet: Any, value: Any) -> None:
    v.optional_payload(value, facet.max_value_bytes, "expected")


def PAYLOADS(facet: Any, values: Any) -> None:
    if not values:
        msg = "at least one value is required"
        raise InvalidArgumentError(msg)
    for item in values:
        v.payload(item, facet.max_value_bytes)


def MEMBER(facet: Any, value: Any) -> None:
    v.payload(value, facet.max_value_bytes, "member")


def PAYLOAD_MAP(facet: Any, value: Any) -> None:
    v.payload_map(value, facet.max_value_bytes)


def HEADERS(_: Any, value: Any) -> None:
    v.headers(value)


def TTL(_: Any, value: Any) -> None:
    v.seconds(value, "ttl")


def OPT_TTL(_: Any, value: Any) -> None:
    if value is not None:
        v.seconds(value, "ttl")


def DURATION(_: Any, value: Any) -> None:
    v.seconds(value, "duration", allow_zero=True)


def OPT_DURATION(_: Any, value: Any) -> None:
    v.optional_seconds(value, "duration")


def POSITIVE_DURATION(_: Any, value: Any) -> None:
    v.seconds(value, "duration")


def TIMESTAMP(_: Any, value: Any) -> None:
    v.timestamp(value)


def OPT_TIMESTAMP(_: Any, value: Any) -> None:
    if value is not None:
        v.timestamp(value)


def COUNT(_: Any, value: Any) -> None:
    v.count(value, "count", minimum=1)


def OPT_LIMIT(_: Any, value: Any) -> None:
    v.optional_count(value, "limit")


def NON_NEGATIVE(_: Any, value: Any) -> None:
    v.count(value, "value")


def INDEX(_: Any, value: Any) -> None:
    v.index(value)


def NUMBER(_: Any, value: Any) -> None:
    v.number(value)


def BOUND(_: Any, value: Any) -> None:
    v.number(value, "bound", allow_inf=True)


def JSON_OBJECT(_: Any, value: Any) -> None:
    v.json_object(value)


def OPT_JSON_OBJECT(_: Any, value: Any) -> None:
    if value is not None:
        v.json_object(value, "properties")


def STR_MAP(_: Any, value: Any) -> None:
    v.headers(value, "labels")


def ONE_SCHEDULE(_: Any, delay: Any, not_before: Any) -> None:
    """``delay`` and ``not_before`` exclude each other."""
    if delay is not None and not_before is not None:
        msg = "give delay or not_before, not both"
        raise InvalidArgumentError(msg)


def WEIGHTS_MATCH_KEYS(_: Any, keys: Any, weights: Any) -> None:
    """At least one key, and one weight per key when weights are given."""
    if not keys:
        msg = "at least one key is required"
        raise InvalidArgumentError(msg)
    if weights is not None and len(weights) != len(keys):
        msg = f"weights has {len(weights)} entries for {len(keys)} keys; give one per key"
        raise InvalidArgumentError(msg)
