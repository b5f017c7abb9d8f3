"""pubsub's wire format over LISTEN/NOTIFY.

Every namespace has one notification channel, named like its schema (so namespaces never hear
each other); a message is one ``pg_notify(channel, text)`` whose text is the envelope

    <topic length>:<topic><headers length>:<headers JSON><base64 of the payload>

(lengths in characters, headers JSON empty when there are none).  PostgreSQL refuses a
notification of 8000 bytes or more, so :func:`encode` refuses an envelope over
:data:`MAX_NOTIFY_BYTES` with ``ValueTooLargeError`` before any I/O.  :data:`MAX_PAYLOAD` is the
payload size every topic (up to ``MAX_NAME_BYTES``) can carry without headers: the backend
declares it as ``limits.max_message_bytes``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from prism._validate import MAX_NAME_BYTES
from prism.errors import ValueTooLargeError
from prism.types import Message

__all__ = ["MAX_NOTIFY_BYTES", "MAX_PAYLOAD", "decode", "encode"]

MAX_NOTIFY_BYTES = 7999
"""The longest notification PostgreSQL accepts (``NOTIFY``: shorter than 8000 bytes)."""

_WORST_OVERHEAD = len(f"{MAX_NAME_BYTES}:") + MAX_NAME_BYTES + len("0:")
MAX_PAYLOAD = (MAX_NOTIFY_BYTES - _WORST_OVERHEAD) // 4 * 3
"""The largest payload publishable on any topic without headers (5226 bytes)."""


def encode(topic: str, payload: bytes, headers: Mapping[str, str] | None, backend: str) -> str:
    """The notification text of one message (``ValueTooLargeError`` when it would not fit)."""
    meta = json.dumps(dict(headers), ensure_ascii=False, separators=(",", ":")) if headers else ""
    text = f"{len(topic)}:{topic}{len(meta)}:{meta}{base64.b64encode(payload).decode('ascii')}"
    size = len(text.encode("utf-8"))
    if size > MAX_NOTIFY_BYTES:
        msg = (
            f"the message on topic {topic!r} needs a {size}-byte notification; PostgreSQL "
            f"NOTIFY carries at most {MAX_NOTIFY_BYTES} bytes (payload, base64-encoded, plus "
            f"topic and headers): payloads up to {MAX_PAYLOAD} bytes always fit without headers"
        )
        raise ValueTooLargeError(msg, backend=backend, operation="publish")
    return text


def decode(text: str) -> Message | None:
    """The message of a notification text (None for a text that is not an envelope)."""
    try:
        cut = text.index(":")
        end = cut + 1 + int(text[:cut])
        topic = text[cut + 1 : end]
        cut = text.index(":", end)
        meta_end = cut + 1 + int(text[end:cut])
        meta = text[cut + 1 : meta_end]
        headers = json.loads(meta) if meta else {}
        payload = base64.b64decode(text[meta_end:], validate=True)
    except (ValueError, binascii.Error):
        return None
    return Message(topic, payload, headers=headers)
