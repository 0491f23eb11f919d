"""Operating-system support lifecycle: the dated table shipped in migrate/data/os_lifecycle.yaml.

    table = load_lifecycle()
    system = table.find(server.os_name, server.os_version)   # None when no entry matches
    system.status(date(2026, 11, 27))                         # supported | extended | end-of-life
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from infra.inputs import read_input_text

SUPPORTED, EXTENDED, END_OF_LIFE = "supported", "extended", "end-of-life"


@dataclass(frozen=True)
class OsLifecycle:
    name: str
    family: str
    match: str
    end_of_support: date
    extended_until: date | None = None
    note: str | None = None

    def status(self, on: date) -> str:
        """supported until end_of_support, then extended while extended updates last, then end-of-life."""
        if on <= self.end_of_support:
            return SUPPORTED
        if self.extended_until is not None and on <= self.extended_until:
            return EXTENDED
        return END_OF_LIFE


@dataclass(frozen=True)
class LifecycleTable:
    table_date: date
    """When the dates were last checked against the vendors' pages."""
    systems: tuple[OsLifecycle, ...]
    patterns: tuple[re.Pattern, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(re.compile(s.match, re.IGNORECASE) for s in self.systems))

    def find(self, os_name: str | None, os_version: str | None = None) -> OsLifecycle | None:
        """The first system whose pattern occurs in "<os name> <os version>"."""
        text = " ".join(part for part in (os_name, os_version) if part)
        if not text:
            return None
        for system, pattern in zip(self.systems, self.patterns, strict=True):
            if pattern.search(text):
                return system
        return None


@lru_cache(maxsize=4)
def load_lifecycle(path: Path | None = None) -> LifecycleTable:
    """The shipped table (or the one at `path`), validated: ValueError names the faulty entry."""
    if path is None:
        text = (resources.files("migrate") / "data" / "os_lifecycle.yaml").read_text(encoding="utf-8")
        origin = "migrate/data/os_lifecycle.yaml"
    else:
        text, origin = read_input_text(path), str(path)
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("table_date"), date):
        raise ValueError(f"{origin}: needs a table_date (YYYY-MM-DD) and a list of systems")
    systems = []
    for index, entry in enumerate(document.get("systems") or []):
        where = f"{origin}: systems[{index}]"
        if not isinstance(entry, dict) or not {"name", "family", "match", "end_of_support"} <= set(entry):
            raise ValueError(f"{where}: needs name, family, match and end_of_support")
        unknown = set(entry) - {"name", "family", "match", "end_of_support", "extended_until", "note"}
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for key in ("end_of_support", "extended_until"):
            if entry.get(key) is not None and not isinstance(entry[key], date):
                raise ValueError(f"{where}.{key}: {entry[key]!r} is not a date (YYYY-MM-DD)")
        if entry.get("extended_until") and entry["extended_until"] < entry["end_of_support"]:
            raise ValueError(f"{where}: extended_until is before end_of_support")
        try:
            re.compile(entry["match"])
        except re.error as error:
            raise ValueError(f"{where}.match: {error}") from error
        systems.append(OsLifecycle(**entry))
    if not systems:
        raise ValueError(f"{origin}: no systems")
    return LifecycleTable(table_date=document["table_date"], systems=tuple(systems))
