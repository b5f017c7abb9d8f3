"""Keep secrets out of logs, reprs and error text.

Two rules, used by every connection-string parser:

* a connection string that parsed is shown only through :func:`redact`;
* one that did not parse is never shown: error text says what is wrong and what is allowed,
  and names at most its scheme (:func:`scheme_of` / :func:`describe`).  Exceptions raised
  while parsing it (``ValueError`` from :mod:`urllib.parse`, say) are not chained, since their
  text may quote it.
"""

from __future__ import annotations

import re

__all__ = ["describe", "redact", "scheme_of"]

_SCHEME = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{0,31})://")
# scheme://userinfo@ -- greedy to the last '@', so an unencoded '@', '/', '?' or '#' in the
# password is masked with the rest of it
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<info>.*)@", re.DOTALL)
# no scheme (a missing ':' or '//'): everything of the word before its last '@'
_BARE_USERINFO = re.compile(r"\S*@")
_QUERY_SECRET = re.compile(
    r"(?i)(?P<key>[?&;](?:password|passwd|pwd|pass|secret|token|auth|access_key|secret_key"
    r"|api_key|apikey|sas|signature|sig)=)[^&;#\s]*"
)


def _userinfo(match: re.Match[str]) -> str:
    info = match["info"]
    user, colon, _ = info.partition(":")
    if colon and user and not any(c in user for c in "/?#"):
        return f"{match['scheme']}{user}:***@"
    return f"{match['scheme']}***@"


def redact(text: str) -> str:
    """Mask passwords in URLs (``redis://u:***@h``; the whole user info when it has no
    ``:``-separated user), user info of scheme-less text (``***@h``) and secret query
    parameters (``?password=***``)."""
    if "://" in text:
        text = _USERINFO.sub(_userinfo, text)
    else:
        text = _BARE_USERINFO.sub("***@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['key']}***", text)


def scheme_of(text: object) -> str | None:
    """The scheme of ``text`` when it starts with ``scheme://`` (lower-cased), else None."""
    if not isinstance(text, str):
        return None
    match = _SCHEME.match(text.strip())
    return match["scheme"].lower() if match else None


def describe(text: object) -> str:
    """How error text may name a connection string that did not parse: by its scheme only."""
    scheme = scheme_of(text)
    return f"a {scheme}:// connection string" if scheme else "a connection string without a scheme"
