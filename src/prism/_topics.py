"""The portable topic-pattern syntax of pubsub_wildcards, shared by every backend.

A pattern is a topic whose ``.``-separated tokens may be wildcards: ``*`` matches exactly one
token; ``>``, allowed only as the last token, matches one or more trailing tokens.  A wildcard
is always a whole token (``a*`` or ``>b`` are malformed, not literal), so every backend can
translate a pattern to its own syntax (NATS subjects natively, Redis PSUBSCRIBE globs plus a
client-side :meth:`TopicPattern.matches`) and agree on what it matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from prism.errors import InvalidArgumentError

__all__ = ["MULTI", "SEPARATOR", "SINGLE", "TopicPattern", "parse_pattern"]

SEPARATOR = "."
SINGLE = "*"
MULTI = ">"


@dataclass(frozen=True, slots=True)
class TopicPattern:
    """A validated pattern; build one with :func:`parse_pattern`."""

    text: str
    tokens: tuple[str, ...]

    @property
    def is_literal(self) -> bool:
        """Whether the pattern has no wildcard (it matches exactly one topic)."""
        return SINGLE not in self.tokens and MULTI not in self.tokens

    def matches(self, topic: str) -> bool:
        """Whether the concrete ``topic`` matches this pattern."""
        parts = topic.split(SEPARATOR)
        tokens = self.tokens
        if tokens[-1] == MULTI:
            tokens = tokens[:-1]
            if len(parts) <= len(tokens):
                return False
        elif len(parts) != len(tokens):
            return False
        return all(t in (SINGLE, p) for t, p in zip(tokens, parts, strict=False))


def parse_pattern(pattern: str) -> TopicPattern:
    """Validate ``pattern`` (already a valid name) and return its :class:`TopicPattern`.

    Raises :class:`~prism.errors.InvalidArgumentError` for an empty token (``a..b``, a leading
    or trailing ``.``), a ``>`` that is not the last token, or a wildcard that is only part of
    a token.
    """
    tokens = tuple(pattern.split(SEPARATOR))
    for i, token in enumerate(tokens):
        if not token:
            msg = (
                f"pattern {pattern!r} has an empty token (token {i + 1}); tokens are "
                f"separated by single '.' with no leading or trailing '.'"
            )
            raise InvalidArgumentError(msg)
        if token == MULTI and i != len(tokens) - 1:
            msg = f"pattern {pattern!r} has '>' before its last token; '>' may only come last"
            raise InvalidArgumentError(msg)
        if token not in (SINGLE, MULTI) and (SINGLE in token or MULTI in token):
            msg = (
                f"pattern {pattern!r} has the token {token!r}; '*' and '>' must be whole "
                f"tokens (like 'a.*.c' or 'a.>')"
            )
            raise InvalidArgumentError(msg)
    return TopicPattern(pattern, tokens)
