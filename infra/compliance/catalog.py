"""The catalog: every control, in id order. Control ids are stable and never reused."""

from __future__ import annotations

import functools

from infra.compliance.controls import (ai_governance, apim, appservice, compute, firewall, governance, identity, keyvault,
                                       locks, monitoring, network, openai, privatelink, sql, storage, tagging)
from infra.compliance.model import Control

MODULES = (keyvault, openai, privatelink, storage, monitoring, locks,
           network, firewall, governance, identity, tagging, sql, compute, appservice, ai_governance, apim)


@functools.cache
def all_controls() -> tuple[Control, ...]:
    """Every control, sorted by id; built and checked for duplicate ids once per process."""
    controls = [c for module in MODULES for c in module.CONTROLS]
    ids = [c.id for c in controls]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuntimeError(f"duplicate control ids: {', '.join(duplicates)}")
    return tuple(sorted(controls, key=lambda c: c.id))
