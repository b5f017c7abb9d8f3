"""Keep secrets out of logs, reprs and error text."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@]*):(?P<pw>[^@/]*)@")
_QUERY_SECRET = re.compile(
    r"(?i)(?P<key>[?&;](?:password|passwd|pwd|secret|token|access_key|secret_key|api_key)=)[^&;]*"
)


def redact(text: str) -> str:
    """Mask passwords in URLs (``redis://u:***@h``) and secret query parameters."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['key']}***", text)
