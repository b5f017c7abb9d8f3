"""OpenTelemetry for prism: a span and a duration per operation, errors by type, breaker state,
and trace context carried in message headers (extra ``prism[otel]``).

Like the OpenTelemetry instrumentations, it is switched on in code::

    import prism.telemetry
    prism.telemetry.enable()            # the global tracer / meter providers
    ns = prism.open("orders")           # namespaces opened from now on are instrumented

Nothing is imported from ``opentelemetry`` before :func:`enable`, and namespaces opened while
telemetry is off carry no wrapper at all.  Attributes follow the current semantic conventions
for database clients (``db.system.name``, ``db.operation.name``, ``db.namespace``,
``db.collection.name``) and messaging clients (``messaging.system``,
``messaging.operation.name``, ``messaging.operation.type``, ``messaging.destination.name``);
keys, values, payloads, headers and connection strings are never recorded.
"""

from __future__ import annotations

import inspect
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["disable", "enable", "enabled", "watch"]

_lock = threading.Lock()
_state: _Telemetry | None = None

SYSTEMS = {"postgres": "postgresql", "redis-cluster": "redis", "memstore": "prism.memstore"}
"""prism backend name → the ``db.system.name`` / ``messaging.system`` value (others: same)."""

MESSAGING = {"pubsub", "queue", "stream"}
SEND = {
    "publish",
    "publish_persistent",
    "publish_ordered",
    "enqueue",
    "append",
    "append_many",
    "append_to_partition",
    "append_with_key",
}
RECEIVE = {"receive", "dequeue", "read", "read_partition", "consume", "replay_range"}
BATCH_SEND = {"append_many": "payloads"}
"""Batch sends and the parameter holding their messages: their spans carry
``messaging.batch.message_count`` when that parameter is sized (a list or tuple; an iterator
is not read ahead of the call)."""
COLLECTION_PARAMS = ("collection", "topic", "queue", "stream", "series")

STATE_VALUES = {"closed": 0, "half_open": 1, "open": 2}


class _Telemetry:
    def __init__(self, tracer_provider: Any, meter_provider: Any) -> None:
        from opentelemetry import context, metrics, propagate, trace

        self.trace = trace
        self.context = context
        self.propagate = propagate
        self.tracer = trace.get_tracer("prism", tracer_provider=tracer_provider)
        meter = metrics.get_meter("prism", meter_provider=meter_provider)
        self.db_duration = meter.create_histogram(
            "db.client.operation.duration", unit="s", description="prism operation duration"
        )
        self.msg_duration = meter.create_histogram(
            "messaging.client.operation.duration", unit="s", description="prism operation duration"
        )
        self.errors = meter.create_counter(
            "prism.client.errors", unit="{error}", description="failed operations by error.type"
        )
        self._noop_tracer = trace.NoOpTracer
        self.breakers: weakref.WeakSet[Any] = weakref.WeakSet()
        meter.create_observable_gauge(
            "prism.circuit_breaker.state",
            callbacks=[self._breaker_states],
            description="0 closed, 1 half-open, 2 open",
        )

        # (facet ref, namespace, system, destination, group or None) watched for lag
        self.watched: list[tuple[Any, str, str, str, str | None]] = []
        meter.create_observable_gauge(
            "prism.queue.length",
            callbacks=[self._queue_lengths],
            unit="{message}",
            description="messages waiting in a watched queue",
        )
        meter.create_observable_gauge(
            "prism.stream.group.lag",
            callbacks=[self._group_lags],
            unit="{record}",
            description="records not yet delivered to a watched consumer group",
        )
        meter.create_observable_gauge(
            "prism.stream.group.pending",
            callbacks=[self._group_pending],
            unit="{record}",
            description="records delivered to a watched consumer group and not acknowledged",
        )

    def _observe(self, grouped: bool, read: Callable[[Any, str, str | None], int]) -> Any:
        from opentelemetry.metrics import Observation

        from prism.errors import PrismError

        out = []
        for ref, namespace, system, dest, group in list(self.watched):
            facet = ref()
            if facet is None or (group is not None) is not grouped:
                continue
            attrs = {
                "messaging.system": system,
                "messaging.destination.name": dest,
                "prism.namespace": namespace,
            }
            if group is not None:
                attrs["messaging.consumer.group.name"] = group
            try:
                value = read(facet, dest, group)
            except PrismError:
                continue  # down or closed: no observation rather than a wrong one
            out.append(Observation(value, attrs))
        return out

    def _queue_lengths(self, _options: Any) -> Any:
        # the class's method: the observation itself gets no span and no policy
        return self._observe(False, lambda f, q, _g: type(f).length(f, q))

    def _group_lags(self, _options: Any) -> Any:
        return self._observe(True, lambda f, s, g: type(f).group_info(f, s, g).lag)

    def _group_pending(self, _options: Any) -> Any:
        return self._observe(True, lambda f, s, g: type(f).group_info(f, s, g).pending)

    def spans_off(self) -> bool:
        """Whether spans would be a no-op tracer's (no provider set, or a no-op one): then
        only the metrics are recorded.  A proxy tracer is asked each time, since a provider
        may be set after :func:`enable`."""
        tracer = self.tracer
        real = getattr(tracer, "_tracer", tracer)  # ProxyTracer: its delegate so far
        return isinstance(real, self._noop_tracer)

    def _breaker_states(self, _options: Any) -> Any:
        from opentelemetry.metrics import Observation

        return [
            Observation(STATE_VALUES[b.state], {"prism.backend": b.name})
            for b in list(self.breakers)
        ]


def enable(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Instrument namespaces opened from now on (``None``: the global providers)."""
    global _state
    try:
        state = _Telemetry(tracer_provider, meter_provider)
    except ImportError as exc:
        from prism.errors import ConfigurationError

        msg = "prism.telemetry needs opentelemetry-api: install prism[otel]"
        raise ConfigurationError(msg) from exc
    with _lock:
        _state = state


def disable() -> None:
    """Namespaces opened from now on are not instrumented (open ones keep their wrappers)."""
    global _state
    with _lock:
        _state = None


def enabled() -> _Telemetry | None:
    return _state


def watch(
    namespace: Any,
    *,
    queues: Iterable[str] = (),
    groups: Iterable[tuple[str, str]] = (),
) -> None:
    """Report the lag of ``queues`` (``prism.queue.length``) and of consumer ``groups``, given
    as ``(stream, group)`` (``prism.stream.group.lag`` and ``prism.stream.group.pending``), of
    an open sync namespace as observable gauges, read from the backend (``length``,
    ``group_info``) each time the meter collects.  Watching stops when the namespace's facet
    is gone; a backend that is down gives no observation."""
    from prism.errors import ConfigurationError

    tel = _state
    if tel is None:
        msg = "prism.telemetry.watch needs prism.telemetry.enable() first"
        raise ConfigurationError(msg)
    backend = SYSTEMS.get(namespace.backend_name, namespace.backend_name)
    entries: list[tuple[Any, str, str, str, str | None]] = []
    for model, wanted in (("queue", [(q, None) for q in queues]), ("stream", list(groups))):
        if not wanted:
            continue
        facet = namespace.facet(model)
        probe = "length" if model == "queue" else "group_info"
        if inspect.iscoroutinefunction(getattr(type(facet), probe, None)):
            msg = f"namespace {namespace.name!r}: watch a sync namespace (the meter reads it)"
            raise ConfigurationError(msg)
        try:
            ref: Any = weakref.ref(facet)
        except TypeError:  # a facet class with slots and no __weakref__: held
            ref = lambda facet=facet: facet
        entries += [(ref, namespace.name, backend, dest, group) for dest, group in wanted]
    with _lock:
        tel.watched.extend(entries)


def _destination(params: list[str], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    for name in COLLECTION_PARAMS:
        if name in kwargs:
            value = kwargs[name]
            return value if isinstance(value, str) else None
        if name in params:
            i = params.index(name)
            if i < len(args):
                value = args[i]
                return value if isinstance(value, str) else None
    return None


def _headers_of(result: Any) -> list[tuple[dict[str, str], str | None]]:
    """The trace-carrying headers of what a receive returned (a lease, a message, records or a
    list of them), each with its destination (topic, queue or stream) when it names one."""
    if result is None:
        return []
    items = result if isinstance(result, list | tuple) else [result]
    out = []
    for item in items:
        holder = getattr(item, "message", item)
        headers = getattr(holder, "headers", None)
        if isinstance(headers, Mapping) and "traceparent" in headers:
            dest = None
            for attr in ("topic", "queue", "stream"):
                value = getattr(holder, attr, None)
                if isinstance(value, str):
                    dest = value
                    break
            out.append((dict(headers), dest))
    return out


class _Op:
    """Per wrapped method: names and attributes built once."""

    def __init__(
        self, tel: _Telemetry, backend: str, namespace: str, model: str, operation: str, func: Any
    ) -> None:
        import inspect

        self.tel = tel
        self.operation = operation
        self.messaging = model in MESSAGING
        self.send = self.messaging and operation in SEND
        self.receive = self.messaging and operation in RECEIVE
        system = SYSTEMS.get(backend, backend)
        self.params = list(inspect.signature(func).parameters)
        batch = BATCH_SEND.get(operation) if self.send else None
        self.batch: tuple[str, int] | None = (
            (batch, self.params.index(batch)) if batch in self.params else None
        )
        kind = tel.trace.SpanKind
        if self.messaging:
            op_type = "send" if self.send else "receive" if self.receive else "settle"
            self.attrs: dict[str, Any] = {
                "messaging.system": system,
                "messaging.operation.name": operation,
                "messaging.operation.type": op_type,
                "prism.namespace": namespace,
                "prism.model": model,
            }
            self.kind = (
                kind.PRODUCER if self.send else kind.CONSUMER if self.receive else kind.CLIENT
            )
            self.histogram = tel.msg_duration
        else:
            self.attrs = {
                "db.system.name": system,
                "db.operation.name": f"{model}.{operation}",
                "db.namespace": namespace,
                "prism.model": model,
            }
            self.kind = kind.CLIENT
            self.histogram = tel.db_duration
        self.metric_attrs = dict(self.attrs)
        self.name = f"{operation} {namespace}"
        self.start_span = tel.tracer.start_span

    def start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        attrs = self.attrs
        name = self.name
        if self.messaging:
            dest = _destination(self.params, args, kwargs)
            if dest is not None:
                attrs = {**attrs, "messaging.destination.name": dest}
                name = f"{self.operation} {dest}"
            if self.batch is not None:
                param, i = self.batch
                sent = kwargs[param] if param in kwargs else args[i] if i < len(args) else None
                if isinstance(sent, list | tuple):
                    attrs = {**attrs, "messaging.batch.message_count": len(sent)}
        return self.start_span(name, kind=self.kind, attributes=attrs), attrs

    def inject(self, span: Any, kwargs: dict[str, Any]) -> None:
        headers = dict(kwargs.get("headers") or {})
        ctx = self.tel.trace.set_span_in_context(span)
        self.tel.propagate.inject(headers, context=ctx)
        kwargs["headers"] = headers

    def received(self, result: Any, start_ns: int, attrs: dict[str, Any], span: Any = None) -> None:
        """A receive span per delivered message, child of the trace its headers carry; a
        receive that returned a list counts it on its own ``span`` (when it has one)."""
        if span is not None and type(result) is list:
            span.set_attribute("messaging.batch.message_count", len(result))
        for headers, dest in _headers_of(result):
            parent = self.tel.propagate.extract(headers)
            where = dest or attrs.get("messaging.destination.name")
            extra = {"messaging.operation.type": "process"}
            if where is not None:
                extra["messaging.destination.name"] = where
            span = self.tel.tracer.start_span(
                f"process {where or self.operation}",
                context=parent,
                kind=self.tel.trace.SpanKind.CONSUMER,
                attributes={**attrs, **extra},
                start_time=start_ns,
            )
            span.end()

    def finish(self, span: Any, start: float, exc: BaseException | None) -> None:
        elapsed = time.perf_counter() - start
        if exc is None:
            self.histogram.record(elapsed, self.metric_attrs)
        else:
            error = {**self.metric_attrs, "error.type": type(exc).__qualname__}
            if span is not None:
                span.set_attribute("error.type", type(exc).__qualname__)
                span.set_status(self.tel.trace.Status(self.tel.trace.StatusCode.ERROR))
            self.histogram.record(elapsed, error)
            self.errors_add(error)
        if span is not None:
            span.end()

    def errors_add(self, attrs: dict[str, Any]) -> None:
        self.tel.errors.add(1, attrs)


def wrap_method(
    tel: _Telemetry,
    func: Callable[..., Any],
    *,
    backend: str,
    namespace: str,
    model: str,
    operation: str,
    is_async: bool,
) -> Callable[..., Any]:
    """``func`` (a bound facet method, perhaps already under a policy) with a span."""
    import functools

    op = _Op(tel, backend, namespace, model, operation, func)
    attach, detach = tel.context.attach, tel.context.detach
    set_in = tel.trace.set_span_in_context
    spans_off = tel.spans_off

    if is_async:

        @functools.wraps(func)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            if spans_off():
                start = time.perf_counter()
                try:
                    result = await func(*args, **kwargs)
                except BaseException as exc:
                    op.finish(None, start, exc)
                    raise
                op.finish(None, start, None)
                return result
            span, attrs = op.start(args, kwargs)
            # a no-op tracer's span has no context: nothing to make current or to inject
            live = span.get_span_context().is_valid
            if live and op.send:
                op.inject(span, kwargs)
            token = attach(set_in(span)) if live else None
            start_ns = time.time_ns() if op.receive else 0
            start = time.perf_counter()
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                op.finish(span, start, exc)
                raise
            finally:
                if token is not None:
                    detach(token)
            if op.receive:
                op.received(result, start_ns, attrs, span)
            op.finish(span, start, None)
            return result

        return acall

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        if spans_off():
            start = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                op.finish(None, start, exc)
                raise
            op.finish(None, start, None)
            return result
        span, attrs = op.start(args, kwargs)
        live = span.get_span_context().is_valid
        if live and op.send:
            op.inject(span, kwargs)
        token = attach(set_in(span)) if live else None
        start_ns = time.time_ns() if op.receive else 0
        start = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            op.finish(span, start, exc)
            raise
        finally:
            if token is not None:
                detach(token)
        if op.receive:
            op.received(result, start_ns, attrs, span)
        op.finish(span, start, None)
        return result

    return call


def wrap_subscription(tel: _Telemetry, sub: Any, *, backend: str, namespace: str) -> Any:
    """Give a subscription's ``get`` (which ``async for`` / ``for`` use) a process span per
    message, parented by the trace in the message's headers."""
    import functools
    import inspect

    get = getattr(sub, "get", None)
    if get is None:
        return sub
    op = _Op(tel, backend, namespace, "pubsub", "receive", get)
    topic = getattr(sub, "topic", None)
    attrs = dict(op.attrs)
    if isinstance(topic, str):
        attrs["messaging.destination.name"] = topic
    if inspect.iscoroutinefunction(get):

        @functools.wraps(get)
        async def aget(*args: Any, **kwargs: Any) -> Any:
            start_ns = time.time_ns()
            message = await get(*args, **kwargs)
            op.received(message, start_ns, attrs)
            return message

        wrapped: Any = aget
    else:

        @functools.wraps(get)
        def sget(*args: Any, **kwargs: Any) -> Any:
            start_ns = time.time_ns()
            message = get(*args, **kwargs)
            op.received(message, start_ns, attrs)
            return message

        wrapped = sget
    try:
        sub.get = wrapped
    except AttributeError:  # a slotted subscription class: left as it is
        return sub
    return sub


def wrap_pattern(
    tel: _Telemetry,
    func: Callable[..., Any],
    *,
    pattern: str,
    namespace: str,
    operation: str,
    is_async: bool,
) -> Callable[..., Any]:
    """``func`` (a pattern-level operation: a claim-check publish or receive, an outbox commit
    or relay pass, a multicast) inside an internal span, so the slot operations it makes (each
    with its own span, policies and header propagation) are its children.  Telemetry only: no
    policy runs here, so retries never double."""
    import functools

    attrs = {
        "prism.pattern": pattern,
        "prism.namespace": namespace,
        "prism.operation": operation,
    }
    name = f"{pattern} {operation} {namespace}"
    internal = tel.trace.SpanKind.INTERNAL
    set_in = tel.trace.set_span_in_context
    attach, detach = tel.context.attach, tel.context.detach
    spans_off = tel.spans_off

    def fail(span: Any, exc: BaseException) -> None:
        span.set_attribute("error.type", type(exc).__qualname__)
        span.set_status(tel.trace.Status(tel.trace.StatusCode.ERROR))

    if is_async:

        @functools.wraps(func)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            if spans_off():
                return await func(*args, **kwargs)
            span = tel.tracer.start_span(name, kind=internal, attributes=attrs)
            token = attach(set_in(span))
            try:
                return await func(*args, **kwargs)
            except BaseException as exc:
                fail(span, exc)
                raise
            finally:
                detach(token)
                span.end()

        return acall

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        if spans_off():
            return func(*args, **kwargs)
        span = tel.tracer.start_span(name, kind=internal, attributes=attrs)
        token = attach(set_in(span))
        try:
            return func(*args, **kwargs)
        except BaseException as exc:
            fail(span, exc)
            raise
        finally:
            detach(token)
            span.end()

    return call
