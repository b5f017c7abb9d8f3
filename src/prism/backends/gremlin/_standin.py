"""A Gremlin Server STAND-IN for tests and benchmarks (not a product, not for production).

No Gremlin Server can be installed on the build machines, so the harness starts this module as a
process of its own on a loopback port: ``python -m prism.backends.gremlin._standin --port P``.
It speaks the Gremlin Server WebSocket protocol (GraphBinary 1.0 only) to the real gremlinpython
driver: requests are decoded by gremlinpython's own GraphBinary reader, a ``bytecode`` request is
translated into a script for the in-process ``graphersal`` engine with EVERY value bound as a
script parameter (none is spliced into the text), an ``eval`` request runs its script (after
rewriting Groovy's single-quoted strings) with its bindings, and the results are written back
with gremlinpython's GraphBinary writer.

What it cannot check (the registry's known gaps and docs/backends/gremlin.md list them):
TinkerGraph/Neptune's exact semantics and error texts, Groovy scripts beyond the rewrite above,
GraphSON, authentication and SigV4 (it accepts any handshake), TLS, sessions and transactions,
Neptune's ``ConcurrentModificationException`` under real contention (it is produced only on
request, by :data:`FAULT_SCRIPT`), and server-side ``PartitionStrategy`` in bytecode (in
scripts it supports exactly the prefix :data:`PARTITION_PREFIX` that prism sends).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import re
import struct
import uuid
from typing import Any

import graphersal
from aiohttp import WSMsgType, web
from gremlin_python.process.traversal import (  # noqa: TID253 (the stand-in is the driver's peer)
    Bytecode,
    Cardinality,
    Column,
    Direction,
    Order,
    P,
    Pop,
    Scope,
    T,
    TextP,
    Traverser,
)
from gremlin_python.structure import graph as gs  # noqa: TID253
from gremlin_python.structure.io import graphbinaryV1 as gb  # noqa: TID253

from prism.backends.gremlin._core import PARTITION_PREFIX

# An eval script that makes the next ``count`` requests fail with ``message`` (as Neptune does
# under contention) and/or delays the next request by ``delay`` seconds (a slow server).
FAULT_SCRIPT = "prism.standin.conflict"


class _PReader(gb._GraphBinaryTypeIO):  # type: ignore[misc]
    """gremlinpython writes P and TextP but cannot read them; a server must."""

    graphbinary_type = gb.DataType.p
    kind: type = P

    @classmethod
    def objectify(cls, buff: Any, reader: Any, nullable: bool = True) -> Any:
        return cls.is_null(buff, reader, cls._read, nullable)

    @classmethod
    def _read(cls, b: Any, r: Any) -> Any:
        operator = r.to_object(b, gb.DataType.string, False)
        args = [r.read_object(b) for _ in range(cls.read_int(b))]
        if operator in ("within", "without"):
            return cls.kind(operator, args)
        return cls.kind(operator, *args[:2]) if len(args) > 1 else cls.kind(operator, args[0])


class _TextPReader(_PReader):
    graphbinary_type = gb.DataType.textp
    kind = TextP


_READER = gb.GraphBinaryReader({gb.DataType.p: _PReader, gb.DataType.textp: _TextPReader})
_WRITER = gb.GraphBinaryWriter()
_ENUMS = (T, Direction, Order, Scope, Column, Cardinality, Pop)
_SINGLE_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


class _Script:
    """Bytecode → graphersal script text whose every value is a bound parameter."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"params.{name}"

    def value(self, arg: Any) -> str:
        if isinstance(arg, Bytecode):
            return "__" + self.steps(arg)
        if hasattr(arg, "bytecode") and isinstance(arg.bytecode, Bytecode):
            return "__" + self.steps(arg.bytecode)
        if isinstance(arg, P):
            if arg.operator in ("and", "or"):
                return f"{self.value(arg.value)}.{arg.operator}({self.value(arg.other)})"
            values = arg.value if isinstance(arg.value, list) else [arg.value]
            if arg.other is not None:
                values = [arg.value, arg.other]
            inner = ", ".join(self.value(v) for v in values)
            if arg.operator in ("within", "without"):
                inner = f"[{inner}]"
            prefix = "TextP" if isinstance(arg, TextP) else "P"
            return f"{prefix}.{arg.operator}({inner})"
        if isinstance(arg, _ENUMS):
            return f"{type(arg).__name__}.{arg.name.rstrip('_')}"
        if isinstance(arg, list | tuple | set):
            return "[" + ", ".join(self.value(v) for v in arg) + "]"
        if isinstance(arg, dict):
            return (
                "#{"
                + ", ".join(f"{self.bind(str(k))}: {self.value(v)}" for k, v in arg.items())
                + "}"
            )
        if isinstance(arg, gs.Element):
            return self.bind(arg.id)
        return self.bind(arg)

    def steps(self, bytecode: Bytecode) -> str:
        parts = []
        for name, *given in bytecode.step_instructions:
            # graphersal takes many ids as one list (as TinkerPop also does)
            args = [given] if name in ("V", "E") and len(given) > 1 else given
            parts.append(f".{name}({', '.join(self.value(a) for a in args)})")
        return "".join(parts)


def bytecode_script(bytecode: Bytecode) -> tuple[str, dict[str, Any]]:
    """The graphersal script (ending in ``.to_list()``) and its parameters."""
    script = _Script()
    for name, *_ in bytecode.source_instructions:
        msg = f"the stand-in does not support the source step {name}()"
        raise _ServerError(599, msg)
    text = "g" + script.steps(bytecode) + ".to_list()"
    return text, script.params


def _close(text: str, start: int) -> int:
    """The index after the parenthesis that closes the one before ``start``."""
    depth, i, quote = 1, start, ""
    while i < len(text) and depth:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        i += 1
    return i


def eval_script(text: str, bindings: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A Groovy-flavoured Gremlin script as graphersal script text with its bindings."""
    params = dict(bindings)
    if text.startswith(PARTITION_PREFIX):
        text = text[len(PARTITION_PREFIX) :]
        ends = [_close(text, m.end()) for m in re.finditer(r"\bg\.(V|E)\(", text)]
        for end in sorted(ends, reverse=True):
            text = text[:end] + ".has(prism_pkey, prism_ns)" + text[end:]
    text = _SINGLE_QUOTED.sub(lambda m: '"' + m.group(1).replace('"', '\\"') + '"', text)
    return text, params


class _ServerError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _to_wire(value: Any) -> Any:
    if isinstance(value, graphersal.Vertex):
        return gs.Vertex(value.id, value.label)
    if isinstance(value, graphersal.Edge):
        return gs.Edge(value.id, gs.Vertex(value.out_v.id), value.label, gs.Vertex(value.in_v.id))
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    if isinstance(value, dict):
        return {_to_wire(k): _to_wire(v) for k, v in value.items()}
    return value


class StandIn:
    def __init__(self) -> None:
        self.graph = graphersal.Graph()
        self.faults: list[str] = []
        self.delay = 0.0

    def run(self, op: str, args: dict[str, Any]) -> list[Any]:
        if op == "eval" and args.get("gremlin") == FAULT_SCRIPT:
            bindings = args.get("bindings") or {}
            self.delay = float(bindings.get("delay", 0))
            self.faults.extend([str(bindings.get("message", ""))] * int(bindings.get("count", 0)))
            return []
        if self.faults:
            raise _ServerError(500, self.faults.pop(0))
        if op == "bytecode":
            text, params = bytecode_script(args["gremlin"])
        elif op == "eval":
            text, params = eval_script(str(args["gremlin"]), dict(args.get("bindings") or {}))
        else:
            raise _ServerError(499, f"the stand-in does not support the op {op!r}")
        try:
            result = self.graph.execute(text, params=params or None)
        except graphersal.GraphersalError as exc:
            raise _ServerError(597, str(exc)) from exc
        if result is None:
            return []
        result = _to_wire(result)
        if op == "bytecode":
            return [Traverser(r, 1) for r in result]
        return result if isinstance(result, list) else [result]


def _request(data: bytes) -> tuple[uuid.UUID, str, dict[str, Any]]:
    b = io.BytesIO(data)
    mime_len = b.read(1)[0]
    b.read(mime_len + 1)  # the mime type and the version byte
    request_id = uuid.UUID(bytes=b.read(16))
    op = _READER.to_object(b, gb.DataType.string, False)
    _READER.to_object(b, gb.DataType.string, False)  # processor
    count = struct.unpack(">i", b.read(4))[0]
    args = {}
    for _ in range(count):
        key = _READER.to_object(b)
        args[key] = _READER.to_object(b)
    return request_id, op, args


def _response(request_id: uuid.UUID, code: int, message: str | None, data: Any) -> bytes:
    out = bytearray(b"\x81")
    _WRITER.to_dict(request_id, out)  # (writes the type code; strip it below)
    out = bytearray(b"\x81\x00") + request_id.bytes
    out += struct.pack(">i", code)
    if message is None:
        out += b"\x01"
    else:
        out += b"\x00"
        encoded = message.encode()
        out += struct.pack(">i", len(encoded)) + encoded
    attrs: dict[str, Any] = {} if message is None else {"exceptions": ["StandInError"]}
    gb.MapIO.dictify(attrs, _WRITER, out, True, False)
    gb.MapIO.dictify({}, _WRITER, out, True, False)
    _WRITER.to_dict(data, out)
    return bytes(out)


async def _gremlin(request: web.Request) -> web.StreamResponse:
    standin: StandIn = request.app["standin"]
    ws = web.WebSocketResponse(max_msg_size=64 * 1024 * 1024)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type != WSMsgType.BINARY:
            continue
        request_id, op, args = _request(msg.data)
        if standin.delay and args.get("gremlin") != FAULT_SCRIPT:
            delay, standin.delay = standin.delay, 0.0
            await asyncio.sleep(delay)  # a slow server, on request (the timeout test)
        try:
            result = standin.run(op, args)
        except _ServerError as exc:
            await ws.send_bytes(_response(request_id, exc.code, str(exc), None))
        except Exception as exc:  # noqa: BLE001 - a server answers every request
            await ws.send_bytes(_response(request_id, 500, f"{type(exc).__name__}: {exc}", None))
        else:
            code = 200 if result else 204
            await ws.send_bytes(_response(request_id, code, "", result if result else None))
    return ws


async def _health(_: web.Request) -> web.Response:
    return web.Response(text=dt.datetime.now(dt.UTC).isoformat())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    ns = parser.parse_args(argv)
    app = web.Application()
    app["standin"] = StandIn()
    app.router.add_get("/gremlin", _gremlin)
    app.router.add_get("/health", _health)
    web.run_app(app, host=ns.host, port=ns.port, print=None, handle_signals=True)


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
