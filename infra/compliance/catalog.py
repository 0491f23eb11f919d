"""The catalog: every control, in id order. Control ids are stable and never reused.

The catalog is the content of the registry (`infra.compliance.registry.CATALOG`): each control
registers itself through its decorator when its module is imported, and importing
`infra.compliance.controls` imports every module in it.
"""

from __future__ import annotations

import infra.compliance.controls  # noqa: F401 - imported for its effect: every control registers itself
from infra.compliance.model import Control, Scope
from infra.compliance.registry import CATALOG


def all_controls() -> tuple[Control, ...]:
    """Every control, sorted by id (duplicate ids were refused when their modules were imported)."""
    return CATALOG.controls()


def controls_with_scope(scope: Scope | str) -> tuple[Control, ...]:
    """The controls of one scope (resource, graph or subscription), in id order."""
    return CATALOG.with_scope(scope)
