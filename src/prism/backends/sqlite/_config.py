"""sqlite's connection settings, checked without opening the database (``prism validate``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prism.backends.sqlite._db import Options, Target, parse_options, parse_target

__all__ = ["parse_config"]


def parse_config(
    backend: str,  # noqa: ARG001 (the signature every backend's parser shares)
    connection: str | None,
    options: Mapping[str, Any],
) -> tuple[Target, Options]:
    """The database target and the options, as the backend will use them; a
    ``ConfigurationError`` for a malformed connection string or a wrong option."""
    return parse_target(connection), parse_options(options)
