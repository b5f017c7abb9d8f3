"""Deliberately broken memstore variants: the compliance suites must catch each one.

Each ``tests/broken/<model>.py`` lists :class:`Variant` objects in ``VARIANTS``.  A variant
replaces one model's facet with a subclass that misbehaves in one way; ``expect_failing`` names
the suite (interface) that must fail because of it.  ``tests/broken/plugin.py`` turns every
variant into a backend named ``broken-<model>-<flaw>``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    model: str
    flaw: str
    sync_facet: type
    async_facet: type
    expect_failing: str
    interfaces: tuple[str, ...] = ()  # default: every interface memstore declares for the model

    @property
    def backend(self) -> str:
        return f"broken-{self.model}-{self.flaw}"
