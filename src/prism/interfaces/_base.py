"""The root of every interface ABC and the machinery that runs argument checks before I/O.

An interface method declared with :func:`checks` names a check for some of its parameters.
When a backend class overrides that method, ``Interface.__init_subclass__`` wraps the override
in a small generated function that runs the checks first and then calls the backend's code.
Every backend, built-in or third-party, therefore validates arguments in exactly one shared
place and can never be reached with a malformed key or payload.

The checks also convert, once, at this boundary (as httpx turns every timeout form into one
``Timeout``).  After them a backend method receives:

* names (keys, topics, streams, queues, ids, ...) as exact ``str``, key lists as ``list[str]``;
* counts, limits, offsets, indexes and partition numbers as exact ``int`` within the bounds of
  :mod:`prism._validate` (below 2**63; partitions below ``MAX_PARTITIONS``);
* durations and timeouts (``ttl``, ``timeout``, ``block``, ``visibility_timeout``, ``delay``,
  ``bucket``, ``max_age``, ...) as ``float`` seconds (or None where optional), never a
  ``timedelta``, at most ``MAX_SECONDS``;
* timestamps (``timestamp``, ``start``/``end`` of a series, ``not_before``) as ``float`` epoch
  seconds from 1970 to 10000-01-01, never a ``datetime``;
* numbers (scores, values, bounds) as ``float``; headers and labels as a fresh
  ``dict[str, str]``; JSON documents and properties as a fresh copy of plain dicts and lists.

So a backend never calls the converters of :mod:`prism._validate` on its arguments; its
parameter annotations stay those of the interface, and uses ``typing.cast`` where the type checker
needs the narrower type.
"""

from __future__ import annotations
import __future__

import abc
import ast
import functools
import inspect
import textwrap
import types
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from prism import _validate as v
from prism.errors import InvalidArgumentError

__all__ = ["Check", "Checked", "Interface", "checks", "registered_interfaces"]

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[Any, Any], Any]
"""A check: called as ``check(facet, value)``; raises a PrismError, or (when it has
``normalizes = True``) returns the value the backend receives.  A check with a ``for_param``
attribute is a factory: ``check.for_param(name)`` builds the check of parameter ``name``."""

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
        # the class itself too: an interface's own default method (``append_many``) is checked
        for base in reversed(cls.__mro__):
            declared = base.__dict__.get(attr)
            if isinstance(declared, _Lazy):  # an interface's checked default, not built yet
                declared = declared.func
            spec.update(getattr(declared, _SPEC_ATTR, None) or {})
        if spec:
            _check_together(func, spec)
            setattr(cls, attr, _Lazy(cls, attr, func, spec))


class _Lazy:
    """A checked method not built yet: built (fused) on its first access through the class or
    an instance, which then replaces this descriptor in the class.

    Compiling every checked method of every backend class at import cost about 0.2 s of CPU at
    each process start; built lazily, a process pays only for the methods it uses.  Two threads
    racing on the first access both build the method, and one of the two equal results stays.
    While a class is still being created (``abc`` looks each abstract name up before the class
    is complete), the lookup answers this descriptor itself, which is not abstract.
    """

    __slots__ = ("after", "attr", "cls", "func", "spec")

    def __init__(self, cls: type, attr: str, func: Callable[..., Any], spec: dict[str, Check]):
        self.cls, self.attr, self.func, self.spec = cls, attr, func, spec
        self.after: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = []

    def build(self) -> Callable[..., Any]:
        after = self.after
        make_around = getattr(after[0], _AROUND_ATTR, None) if after else None
        around = None if make_around is None else make_around(self.func)
        method = _wrap(self.func, self.spec, around)
        if around is not None:
            after = after[1:]  # _wrap fused it, or ran its code round the method
        for decorate in after:
            method = decorate(method)
        if self.cls.__dict__.get(self.attr) is self:
            setattr(self.cls, self.attr, method)
        return method

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            if owner is not None and "__abstractmethods__" not in owner.__dict__:
                return self  # ``abc`` computing the abstract methods of ``owner``
            return self.build()
        return self.build().__get__(obj, owner)


class Around:
    """Code a decorator of a checked ``async`` method asks to have fused into the method's own
    body, instead of wrapping it in a coroutine of its own (see :func:`decorate_checked`).

    ``before`` runs first, before the checks; ``after_return`` (None: nothing) runs at every
    ``return`` of the method's own body (nested functions left alone) and where the body ends,
    with the value about to be returned in ``_prism_r``; the method then returns ``_prism_r``.
    Both are source text that may ``await``; ``env`` gives the names they use (each beginning
    with ``_prism_``).  Where a method cannot be fused (see :func:`_fuse`), :meth:`wrap` runs
    the same code round it."""

    __slots__ = ("after_return", "before", "env")

    def __init__(self, before: str, after_return: str | None, env: dict[str, Any]) -> None:
        self.before = before
        self.after_return = after_return
        self.env = env

    def wrap(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` (a coroutine function) in a coroutine of its own running the same code:
        ``before``, then ``func``, then ``after_return`` with its result."""
        lines = [f"async def {func.__name__}(*args, **kwargs):"]
        lines += ["    " + line for line in textwrap.dedent(self.before).splitlines()]
        lines.append(f"    {_RESULT} = await _prism_func(*args, **kwargs)")
        after = textwrap.dedent(self.after_return or "")
        lines += ["    " + line for line in after.splitlines()]
        lines.append(f"    return {_RESULT}")
        env = {**self.env, "_prism_func": func}
        source = "\n".join(lines) + "\n"
        exec(compile(source, f"<prism around {func.__qualname__}>", "exec"), env)  # noqa: S102
        wrapper = env[func.__name__]
        functools.update_wrapper(wrapper, func)
        return wrapper  # type: ignore[no-any-return]


_AROUND_ATTR = "__prism_around__"


def decorate_checked(cls: type, attr: str, decorator: Callable[[Any], Any]) -> bool:
    """Decorate the checked method ``cls.attr`` (its checks included) without building it now:
    applied when it is built, or at once when it is.  False when ``cls`` defines no checked
    method ``attr`` (then nothing is done).

    A decorator with an ``__prism_around__`` attribute, called with the backend's function,
    returns an :class:`Around`: when it is the first decorator of a method not built yet, its
    code is fused into the method (one coroutine a call instead of two) wherever the method
    can be fused, and run round it by :meth:`Around.wrap` elsewhere."""
    found = cls.__dict__.get(attr)
    if isinstance(found, _Lazy):
        found.after.append(decorator)
        return True
    if getattr(found, _WRAPPED_ATTR, False):
        setattr(cls, attr, decorator(found))
        return True
    return False


def is_checked(value: Any) -> bool:
    """Whether ``value``, found in a class, is a checked method (built or not)."""
    return isinstance(value, _Lazy) or bool(getattr(value, _WRAPPED_ATTR, False))


def unbuilt(value: Any) -> Callable[..., Any] | None:
    """The backend's own function behind a checked method not built yet, else None."""
    return value.func if isinstance(value, _Lazy) else None


def _check_together(func: Callable[..., Any], spec: dict[str, Check]) -> None:
    """Refuse, at class creation, a check on parameters together that ``func`` lacks."""
    together = [check for key, check in spec.items() if key.startswith(_TOGETHER)]
    if not together:
        return
    names = set(inspect.signature(func).parameters)
    for check in together:
        wanted = list(inspect.signature(check).parameters)[1:]
        missing = [w for w in wanted if w not in names]
        if missing:
            msg = f"{func.__qualname__} has no parameter {missing} for check {check.__name__}"
            raise TypeError(msg)


def _wrap(
    func: Callable[..., Any], spec: dict[str, Check], around: Around | None = None
) -> Callable[..., Any]:
    """Generate ``def f(self, <same params>): <checks>; return impl(self, <params>)``, or the
    method fused with its checks (and ``around``) when it can be (see :func:`_fuse`)."""
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
            check = spec[pname]
            bind = getattr(check, "for_param", None)
            if bind is not None:  # a per-parameter check: its messages name ``pname``
                check = bind(pname)
            env[f"_c_{pname}"] = check
            if getattr(check, "normalizes", False):
                # the check returns the value to use (e.g. a one-shot iterable made a list)
                line = f"{pname} = _c_{pname}({params[0].name}, {pname})"
            else:
                line = f"_c_{pname}({params[0].name}, {pname})"
            fast = getattr(check, "inline", None)
            if fast is not None:
                # the common, valid case is decided inline (no call); the check runs otherwise
                cond = fast.format(v=pname, s=params[0].name)
                body.append(f"    if not ({cond}):\n        {line}")
            else:
                body.append(f"    {line}")
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
    fused = _fuse(func, body, env, around)
    if fused is not None:
        return fused
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
    if around is not None:
        return around.wrap(wrapper)
    return wrapper  # type: ignore[no-any-return]


_FUSE_FLAGS = __future__.annotations.compiler_flag
_RESULT = "_prism_r"


def _placed(new: Any, like: ast.AST, *, deep: bool = True) -> Any:
    """``new`` (a node made here) at the position of ``like``: every node in it, or only
    ``new`` itself (``deep=False``: its children keep theirs)."""
    for sub in ast.walk(new) if deep else (new,):
        if "lineno" in sub._attributes:
            ast.copy_location(sub, like)
    return new


class _ReturnsOut(ast.NodeTransformer):
    """Makes each ``return X`` of a function's own body ``_prism_r = X`` and a ``break`` out of
    a ``while True:`` that the caller puts round the body: the ``break`` leaves every ``try``
    and ``with`` of the body as the ``return`` did (their ``finally`` and ``__exit__`` run), and
    code after the loop sees the result.  Functions, lambdas and classes nested in the body are
    left alone.  A ``return`` inside a loop of the body cannot be made a ``break`` (it would
    leave only that loop): ``inside_loop`` then says so."""

    def __init__(self) -> None:
        self.loops = 0
        self.inside_loop = False

    def visit_Return(self, node: ast.Return) -> Any:
        if self.loops:
            self.inside_loop = True
            return node
        value = node.value if node.value is not None else _placed(ast.Constant(None), node)
        target = _placed(ast.Name(_RESULT, ast.Store()), node)
        keep = _placed(ast.Assign(targets=[target], value=value), node, deep=False)
        return [keep, _placed(ast.Break(), node)]

    def statements(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """``stmts``, each visited (a ``return`` becomes two statements)."""
        out: list[ast.stmt] = []
        for stmt in stmts:
            done = self.visit(stmt)
            out += done if isinstance(done, list) else [done]
        return out

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While) -> Any:
        self.loops += 1
        node.body = self.statements(node.body)
        self.loops -= 1
        # a ``break`` in the loop's ``else`` leaves the loop round it: not this one's
        node.orelse = self.statements(node.orelse)
        return node

    visit_For = visit_AsyncFor = visit_While = _loop

    def _leave(self, node: ast.AST) -> ast.AST:
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = _leave


def _fuse(
    func: Callable[..., Any],
    checks: list[str],
    env: dict[str, Any],
    around: Around | None = None,
) -> Callable[..., Any] | None:
    """The checked method as ONE function: the check lines, then the backend method's own body.

    A wrapper that calls the backend method costs a second frame (a second coroutine for
    ``async def``) and a keyword call per call: most of prism's overhead over a plain dict.  So
    the method's source is compiled again with the checks in front, in the method's own module
    globals, file and line numbers (tracebacks and coverage point at the backend's code).  The
    checks run first, exactly as in the wrapper, and the body receives what they return.

    ``around`` (an :class:`Around`) adds its ``before`` lines in front of the checks and its
    ``after_return`` lines at each ``return`` of the body; it needs an ``async def``.

    Returns None (the caller then builds the two-frame wrapper) whenever the result could differ
    from the method: no source; a source that does not compile to the method's own bytecode (a
    file edited since import, names the class statement mangled); decorators; closures
    (``super()``); generators, whose checks must run at the call, not at the first ``next``.
    """
    code = func.__code__
    if (
        not checks
        or code.co_freevars
        or code.co_flags & (inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR)
    ):
        return None
    try:
        lines, first = inspect.getsourcelines(func)
    except (OSError, TypeError):
        return None
    # blank lines in front keep the line numbers of the file
    source = "\n" * (first - 1) + textwrap.dedent("".join(lines))
    filename = code.co_filename
    try:
        alone = compile(source, filename, "exec", flags=_FUSE_FLAGS, dont_inherit=True)
        tree = ast.parse(source)
    except SyntaxError:
        return None
    twin = next((c for c in alone.co_consts if isinstance(c, types.CodeType)), None)
    fdef = tree.body[0] if len(tree.body) == 1 else None
    if (
        twin is None
        or (twin.co_code, twin.co_names, twin.co_varnames)
        != (code.co_code, code.co_names, code.co_varnames)
        or not isinstance(fdef, ast.FunctionDef | ast.AsyncFunctionDef)
        or fdef.name != func.__name__
        or fdef.decorator_list
    ):
        return None
    line = fdef.lineno

    def at(node: ast.AST) -> Any:
        for sub in ast.walk(node):
            if "lineno" in sub._attributes:
                sub.lineno = sub.end_lineno = line  # type: ignore[attr-defined]
                sub.col_offset = sub.end_col_offset = 0  # type: ignore[attr-defined]
        return node

    # the parameters get the method's very default objects (no re-evaluation) and no
    # annotations (the method's own stay in ``__annotations__``)
    env = {k: value for k, value in env.items() if k != "_impl" and not k.startswith("_d")}
    args = fdef.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None:
            arg.annotation = None
    fdef.returns = None
    positional = [*args.posonlyargs, *args.args]
    pos_defaults = func.__defaults__ or ()
    offset = len(positional) - len(pos_defaults)
    args.defaults = []
    for i, default in enumerate(pos_defaults, offset):
        env[f"_fd_{i}"] = default
        args.defaults.append(at(ast.Name(f"_fd_{i}", ast.Load())))
    kw_defaults = func.__kwdefaults__ or {}
    args.kw_defaults = []
    for a in args.kwonlyargs:
        if a.arg in kw_defaults:
            env[f"_fk_{a.arg}"] = kw_defaults[a.arg]
            args.kw_defaults.append(at(ast.Name(f"_fk_{a.arg}", ast.Load())))
        else:
            args.kw_defaults.append(None)
    front = [at(stmt) for stmt in ast.parse(textwrap.dedent("\n".join(checks))).body]
    body = fdef.body
    doc = int(isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant))
    body = body[doc:]
    if around is not None:
        if not isinstance(fdef, ast.AsyncFunctionDef):
            return None
        env.update(around.env)  # checked against the method's names below, with _prism_r
        front = [at(stmt) for stmt in ast.parse(textwrap.dedent(around.before)).body] + front
        if around.after_return is not None:
            # while True: <body, each return a break with _prism_r set>; then <after>
            last = body[-1]
            body = [*body, _placed(ast.Return(ast.Constant(None)), last)]  # the body's end
            returns = _ReturnsOut()
            body = returns.statements(body)
            if returns.inside_loop:
                return None
            after = ast.parse(textwrap.dedent(around.after_return)).body
            done = _placed(ast.Return(ast.Name(_RESULT, ast.Load())), last)
            loop = _placed(
                ast.While(test=_placed(ast.Constant(True), last), body=body, orelse=[]),
                last,
                deep=False,
            )
            body = [loop, *(_placed(stmt, last) for stmt in after), done]
    reserved = set(env) if around is None else {*env, _RESULT}
    if reserved & set(code.co_varnames + code.co_names):  # pragma: no cover - never clash
        return None
    fdef.body = [*fdef.body[:doc], *front, *body]
    maker = at(
        ast.FunctionDef(
            name="_prism_fused",
            args=ast.arguments(
                posonlyargs=[],
                args=[ast.arg(name) for name in env],
                kwonlyargs=[],
                kw_defaults=[],
                defaults=[],
            ),
            body=[ast.Return(ast.Name(fdef.name, ast.Load()))],
            decorator_list=[],
        )
    )
    maker.body.insert(0, fdef)  # after ``at``: the method keeps its own line numbers
    module = compile(
        ast.Module(body=[maker], type_ignores=[]),
        filename,
        "exec",
        flags=_FUSE_FLAGS,
        dont_inherit=True,
    )
    make_code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    fused: Callable[..., Any] = types.FunctionType(make_code, func.__globals__, "_prism_fused")(
        *env.values()
    )
    functools.update_wrapper(fused, func)
    setattr(fused, _WRAPPED_ATTR, True)
    return fused


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
#
# Most checks are *per parameter*: ``check.for_param(name)`` builds the check of one parameter,
# so its messages name that parameter (``visibility_timeout must be ...``, not ``duration``).
# ``_wrap`` binds them when it wraps a backend method.  A check marked ``normalizes`` returns the
# value the backend receives (an exact str / int / float / dict; float seconds for durations and
# timestamps), so backends never convert arguments themselves.


def _inline(check: Check, condition: str) -> Check:
    """Mark ``check`` with a fast-path condition the generated wrapper evaluates inline.

    ``condition`` is a Python expression over ``{v}`` (the parameter) and ``{s}`` (the facet);
    when it is true the value is already what the check would return (or accept), so the check
    is not called.  It must be exactly as strict as the check for the values it admits: exact
    types first, nothing allocated.
    """
    check.inline = condition  # type: ignore[attr-defined]
    return check


def _per_param(factory: Callable[[str], Check]) -> Check:
    """A check whose messages name the parameter it checks (``what`` is the parameter name)."""
    check = factory("value")
    check.for_param = factory  # type: ignore[attr-defined]
    return check


def _normalizing(check: Check) -> Check:
    check.normalizes = True  # type: ignore[attr-defined]
    return check


def _named(factory_what: str | None = None) -> Check:
    name = v.name

    def factory(what: str) -> Check:
        what = factory_what or what

        def check(_: Any, value: Any) -> str:
            # fast path for the common case: short ASCII text without NUL
            if (
                type(value) is str
                and value
                and len(value) <= 256
                and value.isascii()
                and "\x00" not in value
            ):
                return value
            return name(value, what)

        return _inline(_normalizing(check), _NAME_FAST)

    return _per_param(factory)


_NAME_FAST = 'type({v}) is str and {v} and len({v}) <= 256 and {v}.isascii() and "\\x00" not in {v}'
"""The inline fast path of a name: short ASCII text without NUL (see ``_named``)."""

KEY = _named()
TOPIC = _named()
PATTERN = _named()
STREAM = _named()
GROUP = _named()
CONSUMER = _named()
QUEUE = _named()
COLLECTION = _named()
SERIES = _named()
NODE_ID = _named()
EDGE_ID = _named()
LABEL = _named()
DOC_ID = _named()
SUBSCRIPTION_NAME = _named()
ORDERING_KEY = _named()


def _exact_topic(what: str) -> Check:
    """An exact topic for a subscription: a name without the pattern characters ``*`` / ``>``."""
    name = v.name

    def check(_: Any, value: Any) -> str:
        topic = name(value, what)
        if "*" in topic or ">" in topic:
            wildcard = "*" if "*" in topic else ">"
            msg = (
                f"{what} {topic!r} contains the pattern character {wildcard!r}; this method "
                f"subscribes to one exact topic: use subscribe_pattern() (pubsub_wildcards) for "
                f"wildcard subscriptions"
            )
            raise InvalidArgumentError(msg)
        return topic

    return _normalizing(check)


EXACT_TOPIC = _per_param(_exact_topic)
"""A topic to subscribe to exactly: ``*`` and ``>`` are refused, pointing to subscribe_pattern."""


def _keys(what: str) -> Check:
    def check(_: Any, value: Any) -> list[str]:
        return v.names(value, what)

    return _normalizing(check)


KEYS = _per_param(_keys)


def _var_keys(what: str) -> Check:
    def check(_: Any, value: Any) -> tuple[str, ...]:
        if not value:
            msg = f"{what}: at least one key is required"
            raise InvalidArgumentError(msg)
        v.batch(len(value), what)
        return tuple(v.name(item, f"each of {what}") for item in value)

    return _normalizing(check)


VAR_KEYS = _per_param(_var_keys)


def _key_or_keys(what: str) -> Check:
    def check(_: Any, value: Any) -> str | list[str]:
        if isinstance(value, str):
            return v.name(value, what)
        keys = v.names(value, what)
        if not keys:
            msg = f"{what}: at least one key is required"
            raise InvalidArgumentError(msg)
        return keys

    return _normalizing(check)


KEY_OR_KEYS = _per_param(_key_or_keys)


def _offsets(what: str) -> Check:
    def check(_: Any, value: Any) -> list[int]:
        """One offset or an iterable of them: ints from 0 to 2**63 - 1; returns a list."""
        if type(value) is list:  # the usual ack: no ABC isinstance (0.4 µs) for it
            return v.counts(value, what)
        if isinstance(value, str | bytes | bool) or not isinstance(value, int | Iterable):
            msg = f"{what} must be an int or an iterable of ints, got {v.show(value)}"
            raise InvalidArgumentError(msg)
        if isinstance(value, int):
            return [v.count(value, what)]
        return v.counts(value, what)

    return _normalizing(check)


OFFSETS = _per_param(_offsets)


def _start_position(what: str) -> Check:
    def check(_: Any, value: Any) -> str | int:
        """Where a consumer group starts: ``"earliest"``, ``"latest"`` or an offset >= 0."""
        if isinstance(value, str):
            return v.choice(value, ("earliest", "latest"), what)
        if isinstance(value, int) and not isinstance(value, bool):
            return v.count(value, what)
        msg = (
            f"{what} must be 'earliest', 'latest' or an offset from 0 to {v.MAX_INT}, "
            f"got {v.show(value)}"
        )
        raise InvalidArgumentError(msg)

    return _normalizing(check)


START_POSITION = _per_param(_start_position)


def _choice(*allowed: str) -> Check:
    def factory(what: str) -> Check:
        def check(_: Any, value: Any) -> str:
            return v.choice(value, allowed, what)

        return _normalizing(check)

    return _per_param(factory)


EARLIEST_OR_LATEST = _choice("earliest", "latest")


def _prefix(what: str) -> Check:
    def check(_: Any, value: Any) -> str:
        return v.prefix(value, what)

    return _normalizing(check)


PREFIX = _per_param(_prefix)


def _payload(what: str) -> Check:
    payload = v.payload

    def check(facet: Any, value: Any) -> None:
        limit = facet.max_value_bytes
        if type(value) is not bytes or (limit is not None and len(value) > limit):
            payload(value, limit, what)

    return _inline(check, _PAYLOAD_FAST)


_PAYLOAD_FAST = "type({v}) is bytes and ((_pm_ := {s}.max_value_bytes) is None or len({v}) <= _pm_)"
PAYLOAD = _per_param(_payload)
MEMBER = PAYLOAD


def _opt_payload(what: str) -> Check:
    def check(facet: Any, value: Any) -> None:
        v.optional_payload(value, facet.max_value_bytes, what)

    return _inline(check, "{v} is None or (" + _PAYLOAD_FAST + ")")


OPT_PAYLOAD = _per_param(_opt_payload)


def _payloads(what: str) -> Check:
    def check(facet: Any, values: Any) -> None:
        if not values:
            msg = f"{what}: at least one value is required"
            raise InvalidArgumentError(msg)
        v.batch(len(values), what)
        for item in values:
            v.payload(item, facet.max_value_bytes, f"each of {what}")

    return check


PAYLOADS = _per_param(_payloads)


def _payload_list(what: str) -> Check:
    def check(facet: Any, values: Any) -> list[bytes]:
        return v.payload_list(values, facet.max_value_bytes, what)

    return _normalizing(check)


PAYLOAD_LIST = _per_param(_payload_list)
"""Any iterable of payloads, possibly empty, as a fresh list (``append_many``)."""


def _payload_map(what: str) -> Check:
    def check(facet: Any, value: Any) -> dict[str, bytes]:
        return v.payload_map(value, facet.max_value_bytes, what)

    return _normalizing(check)


PAYLOAD_MAP = _per_param(_payload_map)


def _headers(what: str) -> Check:
    headers = v.headers

    def check(_: Any, value: Any) -> dict[str, str] | None:
        return None if value is None else headers(value, what)

    return _inline(_normalizing(check), "{v} is None")


HEADERS = _per_param(_headers)
"""None, or str names (non-empty) to str values, without NUL or lone surrogates; a dict."""

STR_MAP = HEADERS
"""Labels: the same rules as headers."""


def _seconds(*, optional: bool, allow_zero: bool) -> Check:
    seconds = v.seconds
    top = v.MAX_SECONDS

    def factory(what: str) -> Check:
        if optional:

            def check(_: Any, value: Any) -> float | None:
                if value is None:
                    return None
                if type(value) is float and 0 < value <= top:
                    return value
                return seconds(value, what, allow_zero=allow_zero)

        else:

            def check(_: Any, value: Any) -> float | None:
                if type(value) is float and 0 < value <= top:
                    return value
                return seconds(value, what, allow_zero=allow_zero)

        fast = f"type({{v}}) is float and 0 < {{v}} <= {top}"
        if optional:
            fast = f"{{v}} is None or ({fast})"
        return _inline(_normalizing(check), fast)

    return _per_param(factory)


TTL = _seconds(optional=False, allow_zero=False)
"""Seconds > 0 up to ``MAX_SECONDS`` (or a timedelta); the backend receives float seconds."""
OPT_TTL = _seconds(optional=True, allow_zero=False)
DURATION = _seconds(optional=False, allow_zero=True)
"""Seconds >= 0 up to ``MAX_SECONDS``; the backend receives float seconds."""
OPT_DURATION = _seconds(optional=True, allow_zero=True)
POSITIVE_DURATION = TTL
OPT_POSITIVE_DURATION = OPT_TTL


def _timestamp(*, optional: bool) -> Check:
    timestamp = v.timestamp

    def factory(what: str) -> Check:
        def check(_: Any, value: Any) -> float | None:
            if value is None and optional:
                return None
            return timestamp(value, what)

        fast = f"type({{v}}) is float and {v.MIN_TIMESTAMP} <= {{v}} <= {v.MAX_TIMESTAMP}"
        if optional:
            fast = f"{{v}} is None or ({fast})"
        return _inline(_normalizing(check), fast)

    return _per_param(factory)


TIMESTAMP = _timestamp(optional=False)
"""Epoch seconds or a datetime, 1970 to year 9999; the backend receives float epoch seconds."""
OPT_TIMESTAMP = _timestamp(optional=True)


def _integer(minimum: int, maximum: int, *, optional: bool = False) -> Check:
    integer = v.integer

    def factory(what: str) -> Check:
        def check(_: Any, value: Any) -> int | None:
            if type(value) is int and minimum <= value <= maximum:
                return value
            if value is None and optional:
                return None
            return integer(value, what, minimum, maximum)

        fast = f"type({{v}}) is int and {minimum} <= {{v}} <= {maximum}"
        if optional:
            fast = f"{{v}} is None or ({fast})"
        return _inline(_normalizing(check), fast)

    return _per_param(factory)


COUNT = _integer(1, v.MAX_INT)
"""An int from 1 to 2**63 - 1 (``max_count``, ``count``, ``max_attempts``)."""
OPT_COUNT = _integer(1, v.MAX_INT, optional=True)
OPT_LIMIT = _integer(0, v.MAX_INT, optional=True)
"""None, or an int from 0 to 2**63 - 1."""
NON_NEGATIVE = _integer(0, v.MAX_INT)
"""An offset, skip or position: an int from 0 to 2**63 - 1."""
OFFSET = NON_NEGATIVE
INDEX = _integer(v.MIN_INT, v.MAX_INT)
"""An index (negative counts from the end): an int from -2**63 to 2**63 - 1."""
PARTITION_COUNT = _integer(1, v.MAX_PARTITIONS)
"""A number of partitions: an int from 1 to ``MAX_PARTITIONS`` (4096)."""
PARTITION = _integer(0, v.MAX_PARTITIONS - 1)
"""A partition number: an int from 0 to ``MAX_PARTITIONS - 1`` (the stream's count is the
backend's to check)."""


def _number(*, allow_inf: bool) -> Check:
    number = v.number

    def factory(what: str) -> Check:
        def check(_: Any, value: Any) -> float:
            return number(value, what, allow_inf=allow_inf)

        # a float that is not NaN (x == x), and finite unless allowed (x - x is NaN for inf)
        fast = "type({v}) is float and " + ("{v} == {v}" if allow_inf else "{v} - {v} == 0.0")
        return _inline(_normalizing(check), fast)

    return _per_param(factory)


NUMBER = _number(allow_inf=False)
"""A finite int or float; the backend receives a float."""
BOUND = _number(allow_inf=True)
"""A number or +-inf (a score bound); the backend receives a float."""


def _json_object(*, optional: bool) -> Check:
    def factory(what: str) -> Check:
        def check(_: Any, value: Any) -> dict[str, Any] | None:
            if value is None and optional:
                return None
            return v.json_object(value, what)

        return _normalizing(check)

    return _per_param(factory)


JSON_OBJECT = _json_object(optional=False)
"""A JSON object; the backend receives a plain-dict copy of exact builtin types."""
OPT_JSON_OBJECT = _json_object(optional=True)


def ONE_SCHEDULE(_: Any, delay: Any, not_before: Any) -> None:
    """``delay`` and ``not_before`` exclude each other."""
    if delay is not None and not_before is not None:
        msg = "give delay or not_before, not both"
        raise InvalidArgumentError(msg)


def WEIGHTS_MATCH_KEYS(_: Any, keys: Any, weights: Any) -> None:
    """At least one key, and one weight per key when weights are given."""
    if not keys:
        msg = "keys: at least one key is required"
        raise InvalidArgumentError(msg)
    if weights is not None and len(weights) != len(keys):
        msg = f"weights has {len(weights)} entries for {len(keys)} keys; give one per key"
        raise InvalidArgumentError(msg)
