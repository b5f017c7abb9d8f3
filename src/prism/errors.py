"""The prism error hierarchy.

Every error prism raises is a :class:`PrismError`.  Driver exceptions never leak: each backend
translates them at its boundary and chains the original (``raise ... from exc``).  Anything else
(a bug such as a ``TypeError``) is not translated and propagates unchanged.  Errors carry
the backend and operation they came from when known, never a secret, and survive pickling.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BackendUnavailableError",
    "ConfigurationError",
    "ConflictError",
    "IndexOutOfRangeError",
    "InvalidArgumentError",
    "KeyNotFoundError",
    "LeaseLostError",
    "NotFoundError",
    "PrismError",
    "UnsupportedError",
    "ValueTooLargeError",
]


class PrismError(Exception):
    """Base class of every error prism raises.

    ``backend`` and ``operation`` say where the error came from, when known.
    """

    def __init__(
        self, message: str, *, backend: str | None = None, operation: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend
        self.operation = operation

    def __str__(self) -> str:
        where = ", ".join(
            f"{k}={v}" for k, v in (("backend", self.backend), ("operation", self.operation)) if v
        )
        return f"{self.message} [{where}]" if where else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (type(self), self.message, self.backend, self.operation, self.__dict__.copy()),
        )


def _rebuild(
    cls: type[PrismError],
    message: str,
    backend: str | None,
    operation: str | None,
    state: dict[str, Any],
) -> PrismError:
    err = cls.__new__(cls)
    PrismError.__init__(err, message, backend=backend, operation=operation)
    err.__dict__.update(state)
    return err


class ConfigurationError(PrismError):
    """A configuration file, a namespace entry or a backend's setup is wrong or incomplete."""


class InvalidArgumentError(PrismError, ValueError):
    """An argument is malformed: raised before any I/O, so nothing was written."""


class ValueTooLargeError(InvalidArgumentError):
    """A value is larger than the backend's declared ``max_value_bytes``."""


class NotFoundError(PrismError):
    """The addressed item (document, node, edge, group, ...) does not exist."""


class KeyNotFoundError(NotFoundError, KeyError):
    """A key does not exist (also a :class:`KeyError`)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return PrismError.__str__(self)


class IndexOutOfRangeError(NotFoundError, IndexError):
    """A list index is outside the list (also an :class:`IndexError`)."""


class ConflictError(PrismError):
    """An optimistic race was lost, a unique constraint was violated or an item already exists."""


class LeaseLostError(ConflictError):
    """A queue lease was acknowledged, extended or released after it lapsed or was settled."""


class UnsupportedError(PrismError):
    """The backend does not implement the interface, model, language or option asked for."""


class BackendUnavailableError(PrismError):
    """The backend could not be reached or timed out.  Retrying later may succeed."""
