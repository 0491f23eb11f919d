"""Plan inputs as plain JSON values: dataclasses, mappings, sets and sequences made canonical.

The same values are digested (`digests`) and written into the plan JSON (`document`), so both
read them from here.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Mapping

from migrate.planning.settings import PlanSettings


def plain(value: Any) -> Any:
    """`value` as JSON values: dataclasses and mappings as dicts, sets sorted, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON of dataclasses, mappings, sets and sequences."""
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def settings_document(settings: PlanSettings) -> dict[str, Any]:
    """The effective settings as JSON values (defaults filled in), plus the derived replication limit."""
    document = plain(settings)
    document["blackout_dates"] = [first if first == last else f"{first}..{last}"
                                  for first, last in settings.blackout_dates]
    document["saas_replacements"] = dict(settings.saas_replacements)
    document["pins"] = [{k: v for k, v in pin.items() if v is not None} for pin in document["pins"]]
    document["replication_tb_per_wave"] = settings.replication_tb_per_wave
    return document
