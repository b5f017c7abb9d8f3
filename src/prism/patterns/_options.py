"""A pattern namespace's options: the declaration's defaults overridden by ``prism.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prism import _validate
from prism.errors import ConfigurationError, PrismError
from prism.registry.models import PatternDeclaration, parse_size

__all__ = ["pattern_options"]


def _convert(kind: str, value: Any, what: str) -> Any:
    if kind == "int":
        return _validate.integer(value, what, 0)
    if kind == "size":
        try:
            return parse_size(value)
        except ValueError as exc:
            raise ConfigurationError(f"{what}: {exc}") from exc
    if kind in ("duration", "float"):
        return _validate.seconds(value, what, allow_zero=True)
    if kind == "bool":
        if not isinstance(value, bool):
            msg = f"{what} must be true or false, not {value!r}"
            raise ConfigurationError(msg)
        return value
    return _validate.text(value, what)


def pattern_options(
    namespace: str, declaration: PatternDeclaration, given: Mapping[str, Any]
) -> dict[str, Any]:
    """Every declared option with its value; unknown or ill-typed options are refused."""
    unknown = sorted(set(given) - set(declaration.options))
    if unknown:
        msg = (
            f"namespace {namespace!r}: pattern {declaration.pattern!r} has no option "
            f"{', '.join(map(repr, unknown))} (options: {', '.join(declaration.options)})"
        )
        raise ConfigurationError(msg)
    out: dict[str, Any] = {}
    for name, option in declaration.options.items():
        value = given.get(name, option.default)
        if value is None:
            continue
        what = f"namespace {namespace!r} option {name}"
        try:
            out[name] = _convert(option.type, value, what)
        except ConfigurationError:
            raise
        except PrismError as exc:
            raise ConfigurationError(str(exc)) from exc
    return out
