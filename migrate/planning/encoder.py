"""The plan's JSON text: sorted keys, fixed separators, one record per line, written section by section.

Knows nothing of plans: it encodes a document whose long sections may be lazy `Records`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping


@dataclass(frozen=True)
class Records:
    """A long section of the plan (servers, waves, applications, crossing links), produced lazily so
    the JSON is written record by record instead of holding the whole document as well as its text."""

    produce: Callable[[], Iterable[Any]]
    """Yields records (a list section) or (key, record) pairs in key order (a mapping section)."""
    mapping: bool = False

    def materialise(self) -> Any:
        return dict(self.produce()) if self.mapping else list(self.produce())



def dump_document(document: Mapping[str, Any]) -> str:
    """A plan document (built, or with lazy Records sections) as the plan's JSON text.

    ASCII only (other characters as \\u escapes): one non-Latin-1 character — a "→" in a rule —
    would make Python hold the whole text at two bytes per character; a 100,000-server plan is
    200 MB of text.
    """
    encode = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(", ", ": ")).encode
    parts = []
    for key in sorted(document):
        value = document[key]
        if isinstance(value, Records):
            mapping, items = value.mapping, value.produce()
        elif isinstance(value, Mapping) and key in RECORD_MAPPINGS:
            mapping, items = True, (pair for pair in sorted(value.items()))
        elif isinstance(value, list):
            mapping, items = False, value
        else:
            parts.append(f"  {encode(key)}: {encode(value)}")
            continue
        if mapping:
            lines = [f"    {encode(k)}: {encode(v)}" for k, v in items]
            parts.append(f"  {encode(key)}: {{\n" + ",\n".join(lines) + "\n  }" if lines else f"  {encode(key)}: {{}}")
        else:
            lines = [f"    {encode(v)}" for v in items]
            parts.append(f"  {encode(key)}: [\n" + ",\n".join(lines) + "\n  ]" if lines else f"  {encode(key)}: []")
        del lines
    return "{\n" + ",\n".join(parts) + "\n}\n"


RECORD_MAPPINGS = ("servers", "applications")
"""Mapping sections written one entry per line; other mappings (metrics, settings, ...) take one line."""

