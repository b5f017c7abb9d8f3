"""Deliberately broken memstore variants: the compliance suites must catch each one.

Each ``tests/broken/_async/<model>.py`` lists :class:`Variant` objects in ``VARIANTS``.  A variant
replaces one model's facet with a subclass that misbehaves in one way; ``expect_failing`` names
the suite (interface) that must fail because of it.  The variants are written once, as async
source; ``tests/broken/<model>.py`` is the sync twin that ``tools/async_to_sync.py`` generates
from it, as for prism's own modules.  ``tests/broken/plugin.py`` pairs the two flavours of each
variant into a backend named ``broken-<model>-<flaw>``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    model: str
    flaw: str
    facet: type
    expect_failing: str
    interfaces: tuple[str, ...] = ()  # default: every interface memstore declares for the model
    max_message_bytes: int | None = None  # declared as limits.max_message_bytes when set

    def __post_init__(self) -> None:
        if not isinstance(self.facet, type) or not isinstance(self.expect_failing, str):
            msg = f"Variant({self.model!r}, {self.flaw!r}, facet class, interface name, ...)"
            raise TypeError(msg)

    @property
    def backend(self) -> str:
        return f"broken-{self.model}-{self.flaw}"
