"""Read ARM values the way Azure does.

- Enum values compare case-insensitively ("disabled" is Disabled, "tls1_2" is TLS1_2): ARM
  accepts either spelling and stores what it was given.
- Booleans and numbers given as strings ("true", "90") are read as booleans and numbers.
- A property left unset is judged by Azure's documented default for that resource type and API
  version, from the dated data file beside the catalog (infra/compliance/azure-defaults.yaml).
  `setting()` returns the value together with the default it came from, so a finding can say
  "(supportsHttpsTrafficOnly unset: Azure's default is true from API version 2019-04-01)".
- Some defaults change on a day rather than with an API version: from 3 February 2026 Azure
  Storage refuses TLS 1.0 and 1.1 whatever an account says, so an unset minimum is TLS 1.2 in
  effect. Such an entry lists its `changes`, each dated and sourced, and the value used is the one
  in force on the audit's day, `infra.clock.today()` (CARELIFT_AS_OF, else today): an audit
  "as of" 1 June 2025 still reads an unset storage minimum as TLS 1.0.
"""

from __future__ import annotations

import datetime
import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from infra import clock
from infra.compliance.index import get
from infra.compliance.model import Document

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "azure-defaults.yaml"


def same(value: Any, *expected: str) -> bool:
    """True when `value` is a string equal to one of `expected`, ignoring case and surrounding spaces."""
    return isinstance(value, str) and value.strip().lower() in {e.lower() for e in expected}


def canonical(value: Any, choices: tuple[str, ...]) -> str | None:
    """The spelling in `choices` that `value` names case-insensitively ("tls1_2" -> "TLS1_2"), else None."""
    if isinstance(value, str):
        for choice in choices:
            if value.strip().lower() == choice.lower():
                return choice
    return None


def boolean(value: Any) -> bool | None:
    """True/False, also from the strings "true"/"false" in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def number(value: Any) -> float | None:
    """A number, also from a numeric string ("90", "1.2"); None for booleans and anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        found = float(value)
    elif isinstance(value, str):
        try:
            found = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return found if math.isfinite(found) else None  # "inf" days is not a retention period


def peek(document: Any, path: str) -> Any:
    """The value at a dotted path, read without counting as using an unknown (for checks that only need to
    know whether something is there, such as a storage URI computed at deployment)."""
    node = document
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def spelled(value: Any) -> str:
    """A value's text for a message without counting as using it (an unknown keeps its expression)."""
    return str.__str__(value) if isinstance(value, str) else shown(value)


def shown(value: Any) -> str:
    """A value as a finding shows it: numbers without a trailing .0, booleans in ARM's lower case."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class DatedChange:
    """From `since` on, Azure treats the unset property as `value`, whatever the API version says."""
    since: datetime.date
    value: Any
    why: str
    """What Azure does from that day, as a finding says it ("Azure Storage refuses TLS 1.0 and 1.1")."""
    source: str


@dataclass(frozen=True)
class AzureDefault:
    type: str
    property: str
    value: Any
    source: str
    api_from: str | None = None
    before: Any = None
    changes: tuple[DatedChange, ...] = ()
    """Service-wide changes by date, oldest first."""
    meaning: str = ""
    """What `value` means when its spelling does not say (SQL's "None": "no minimum")."""

    def applies_to(self, api_version: str | None) -> tuple[bool, Any]:
        """(known, value) for a document of `api_version` (None: the newest version), before any dated change."""
        if self.api_from is None or api_version is None or api_version[:10] >= self.api_from:
            return True, self.value
        return (self.before is not None), self.before

    def change_on(self, day: datetime.date) -> DatedChange | None:
        """The newest change in force on `day` (None before the first)."""
        found = [c for c in self.changes if c.since <= day]
        return found[-1] if found else None

    def next_change(self, day: datetime.date) -> DatedChange | None:
        return next((c for c in self.changes if c.since > day), None)

    def describe(self, api_version: str | None, day: datetime.date | None = None, stated: str = "unset") -> str:
        """Why the default was used: `stated` says what the document has ("unset", or a spelling of unset)."""
        leaf = self.property.rsplit(".", 1)[-1]
        known, value = self.applies_to(api_version)
        if not self.api_from:
            when = ""
        elif value == self.value and known:
            when = f" from API version {self.api_from}"
        else:
            when = f" before API version {self.api_from}"
        means = f" ({self.meaning})" if self.meaning and value == self.value else ""
        found = f"{leaf} {stated}: Azure's default is {shown(value)}{means}{when}"
        change = self.change_on(day) if day else None
        if change is not None:
            return f"{found}, and from {change.since.isoformat()} {change.why}, so the effective value is " \
                   f"{shown(change.value)}"
        coming = self.next_change(day) if day else None
        return f"{found} before {coming.since.isoformat()}" if coming else found


@functools.cache
def _defaults() -> dict[tuple[str, str], AzureDefault]:
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    found = {}
    for entry in data["defaults"]:
        changes = tuple(DatedChange(since=_day(change["since"], entry), value=change["value"],
                                    why=" ".join(str(change["why"]).split()),
                                    source=" ".join(str(change["source"]).split()))
                        for change in entry.get("changes", ()))
        if list(changes) != sorted(changes, key=lambda c: c.since):
            raise ValueError(f"{DEFAULTS_FILE}: {entry['type']} {entry['property']}: changes are not in date order")
        default = AzureDefault(type=entry["type"], property=entry["property"], value=entry["value"],
                               source=" ".join(str(entry["source"]).split()), api_from=entry.get("api_from"),
                               before=entry.get("before"), changes=changes, meaning=entry.get("meaning", ""))
        found[(default.type.lower(), default.property)] = default
    return found


def _day(value: Any, entry: Mapping[str, Any]) -> datetime.date:
    """A change's date, which YAML reads as a date when it is written unquoted as YYYY-MM-DD."""
    if isinstance(value, datetime.date):
        return value
    raise ValueError(f"{DEFAULTS_FILE}: {entry['type']} {entry['property']}: since must be a date (YYYY-MM-DD); "
                     f"got {value!r}")


def audit_day() -> datetime.date:
    """The day an audit judges defaults that change by date: the same day as the AI register's,
    `infra.clock.today()` (CARELIFT_AS_OF, else today's UTC date), so one audit has one "as of"."""
    return clock.today()


def defaults() -> tuple[AzureDefault, ...]:
    """Every documented default, in file order."""
    return tuple(_defaults().values())


@functools.cache
def supported_runtimes() -> tuple[str, dict[str, str]]:
    """(as-of date, language -> oldest version App Service still supports)."""
    data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))["supported_runtimes"]
    return str(data["as_of"]), {str(k): str(v) for k, v in data["oldest"].items()}


def defaults_as_of() -> str:
    return str(yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))["as_of"])


@dataclass(frozen=True)
class Setting:
    value: Any
    """The value the document states, or Azure's default when it states none (None when neither)."""
    default_note: str = ""
    """Empty when the document states the value; otherwise why the default was used, for the message."""

    @property
    def is_default(self) -> bool:
        return bool(self.default_note)

    @property
    def note(self) -> str:
        """`` (x unset: Azure's default is y)`` to append to a predicate, or ""."""
        return f" ({self.default_note})" if self.default_note else ""


def setting(document: Document, path: str, arm_type: str | None = None, unset: tuple[str, ...] = ()) -> Setting:
    """The value at `path`, or Azure's documented default for the document's type and API version (and, for
    a default that changes by date, the audit's day). `unset` lists spellings that mean "not set" for this
    property (SQL's minimalTlsVersion "None" is its default, no minimum), judged like an absent value."""
    value = get(document, path)
    if value is not None and not same(value, *unset):
        return Setting(value)
    stated = "unset" if value is None else f"{spelled(value)}, the same as unset"
    kind = (arm_type or str(document.get("type", ""))).lower()
    default = _defaults().get((kind, path))
    if default is None:
        return Setting(value)
    api_version = document.get("apiVersion") if isinstance(document, Mapping) else None
    version = str(api_version) if api_version else None
    known, found = default.applies_to(version)
    day = audit_day() if default.changes else None
    change = default.change_on(day) if day else None
    if change is not None:
        return Setting(change.value, default.describe(version, day, stated))
    if not known:
        return Setting(value)
    return Setting(found, default.describe(version, day, stated))
