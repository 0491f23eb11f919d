"""Waivers: reviewed, expiring exceptions to a control for matching resources.

Modelled on Azure Policy exemptions (category ``waiver`` = risk accepted, ``mitigated`` =
covered by a compensating control; an ``expiresOn`` date) and PSRule suppressions. The file is a
YAML list, or a mapping with a ``waivers`` list::

    waivers:
      - control: CL-KV-007
        resource: /subscriptions/*/resourceGroups/rg-lab/providers/Microsoft.KeyVault/vaults/*
        justification: Lab vaults hold synthetic data only; reviewed in risk register RR-112.
        approver: jane.doe@riverbend.example (privacy officer)
        category: mitigated
        expires: 2026-06-30

``resource`` is an fnmatch pattern matched case-insensitively against resource ids. A waiver
applies through its ``expires`` date; an expired waiver is an error, not a silent no-op, so
nobody keeps relying on an exception that lapsed. An impossible date (``2027-02-30``, quoted or
not) is an error too, and ``approver`` must contain an e-mail address. Every problem in the file
is reported at once.

Warnings (the file is still used): a ``resource`` of ``*`` (every resource), and a term longer
than the maximum (default one year from today), which reviews should not let through unseen.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any, Iterable

import yaml

from infra.compliance.model import Waiver
from infra.errors import CareliftError
from infra.inputs import read_input_text

KEYS = ("control", "resource", "justification", "approver", "category", "expires")
CATEGORIES = ("waiver", "mitigated")
MAX_TERM_DAYS = 365
"""Waivers expiring further ahead than this are a warning (`carelift audit --max-waiver-days`)."""
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: `expires: 2027-02-30` stays text, so an impossible date is
    reported on its entry instead of escaping from the YAML parser as a bare ValueError."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class WaiverError(CareliftError):
    """A waiver file that cannot be used; `problems` lists each as "entry N (line L): key: message"."""

    def __init__(self, path: Path | str, problems: Iterable[str]):
        self.path = Path(path)
        self.problems = tuple(problems)
        self.title = f"{self.path}: invalid waivers"
        super().__init__(f"{self.path}: {len(self.problems)} waiver problem(s): " + "; ".join(self.problems))


def load_waivers(path: Path | str, today: datetime.date,
                 control_ids: Iterable[str] | None = None, *, warnings: list[str] | None = None,
                 max_term_days: int = MAX_TERM_DAYS) -> tuple[Waiver, ...]:
    """Read and check a waiver file. `control_ids` defaults to the catalog's; warnings (a "*" resource,
    a term past `max_term_days`) are appended to `warnings` when given."""
    path = Path(path)
    try:
        text = read_input_text(path)
    except (OSError, UnicodeDecodeError) as error:
        raise WaiverError(path, [f"cannot read the file: {error}"]) from error
    if control_ids is None:
        from infra.compliance.catalog import all_controls

        control_ids = [c.id for c in all_controls()]
    return parse_waivers(text, path, today, frozenset(control_ids), warnings=warnings, max_term_days=max_term_days)


def parse_waivers(text: str, path: Path | str, today: datetime.date, control_ids: frozenset[str], *,
                  warnings: list[str] | None = None, max_term_days: int = MAX_TERM_DAYS) -> tuple[Waiver, ...]:
    try:
        # Nodes carry line numbers for messages; the constructed data carries the values.
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise WaiverError(path, [f"{where}not valid YAML: {getattr(error, 'problem', None) or error}"]) from error

    entries, nodes, problems = _entries(data, root)
    waivers: list[Waiver] = []
    seen: dict[tuple[str, str], int] = {}
    for number, (entry, node) in enumerate(zip(entries, nodes, strict=True), start=1):
        where = f"entry {number} (line {node.start_mark.line + 1})"
        waiver, entry_problems = _waiver(entry, today, control_ids)
        problems.extend(f"{where}: {p}" for p in entry_problems)
        if waiver is None:
            continue
        if warnings is not None:
            warnings.extend(f"{path}: {where}: {w}" for w in _warnings(waiver, today, max_term_days))
        key = (waiver.control, waiver.resource.lower())
        if key in seen:
            problems.append(f"{where}: resource: repeats entry {seen[key]} for the same control and pattern")
        else:
            seen[key] = number
        waivers.append(waiver)
    if problems:
        raise WaiverError(path, problems)
    return tuple(waivers)


def _entries(data: Any, root: yaml.Node | None) -> tuple[list[Any], list[yaml.Node], list[str]]:
    if data is None or root is None:  # an empty file composes to no node and loads as None
        return [], [], []
    if isinstance(data, dict):
        extra = sorted(str(k) for k in data if k != "waivers")
        problems = [f"line 1: unknown top-level key(s) {', '.join(extra)} (expected only 'waivers')"] if extra else []
        if not isinstance(data.get("waivers"), list):
            if data.get("waivers") is None and "waivers" in data:
                return [], [], problems
            return [], [], problems + ["line 1: waivers: must be a list of waiver entries"]
        node = next(v for k, v in root.value if k.value == "waivers")
        return data["waivers"], list(node.value), problems
    if isinstance(data, list):
        return data, list(root.value), []
    return [], [], ["line 1: expected a list of waivers or a mapping with a 'waivers' list"]


def _waiver(entry: Any, today: datetime.date, control_ids: frozenset[str]) -> tuple[Waiver | None, list[str]]:
    if not isinstance(entry, dict):
        return None, ["must be a mapping with keys " + ", ".join(KEYS)]
    problems = [f"{k}: unknown key (expected {', '.join(KEYS)})" for k in sorted(map(str, entry)) if k not in KEYS]
    for key in KEYS:
        value = entry.get(key)
        if key == "expires":
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: required, a non-empty string")
    control = entry.get("control")
    if isinstance(control, str) and control.strip() and control.strip() not in control_ids:
        problems.append(f"control: unknown control '{control.strip()}' (see `carelift audit controls`)")
    resource = entry.get("resource")
    if isinstance(resource, str) and resource.strip() and not resource.strip().startswith(("/", "*")):
        problems.append(f"resource: '{resource.strip()}' is not a resource id pattern "
                        "(it starts with '/subscriptions/…', '/providers/…' or '*')")
    approver = entry.get("approver")
    if isinstance(approver, str) and approver.strip() and not _EMAIL.search(approver):
        problems.append(f"approver: '{approver.strip()[:80]}' has no e-mail address (name the person who "
                        "approved it, e.g. jane.doe@example.org)")
    category = entry.get("category")
    if isinstance(category, str) and category.strip() and category.strip().lower() not in CATEGORIES:
        problems.append(f"category: '{category.strip()}' is not one of {', '.join(CATEGORIES)}")
    expires = _expiry(entry.get("expires"), today)
    if isinstance(expires, str):
        problems.append(f"expires: {expires}")
    if problems or isinstance(expires, str):
        return None, problems
    # Every key but expires was checked above to be a non-empty string.
    return Waiver(control=entry["control"].strip(), resource=entry["resource"].strip(),
                  justification=entry["justification"].strip(), approver=entry["approver"].strip(),
                  category=entry["category"].strip().lower(), expires=expires.isoformat()), []


def _expiry(value: Any, today: datetime.date) -> datetime.date | str:
    """The waiver's expiry date, or why `value` is not one."""
    if value is None:
        return "required, an ISO date (YYYY-MM-DD): every waiver expires"
    if isinstance(value, datetime.datetime):
        return f"'{value}' has a time; give a date (YYYY-MM-DD)"
    if isinstance(value, datetime.date):
        date = value
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ].*", text):
            return f"'{text[:40]}' has a time; give a date (YYYY-MM-DD)"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return f"'{text[:40]}' is not an ISO date (YYYY-MM-DD)"
        try:
            date = datetime.date.fromisoformat(text)
        except ValueError as error:
            return f"'{text}' is not a real date ({error})"
    else:
        return f"'{value}' is not an ISO date (YYYY-MM-DD)"
    if date < today:
        return f"the waiver expired on {date.isoformat()} (today is {today.isoformat()}): renew or remove it"
    return date


def _warnings(waiver: Waiver, today: datetime.date, max_term_days: int) -> list[str]:
    found = []
    if waiver.resource.strip() == "*":
        found.append(f"resource: '*' waives {waiver.control} for every resource; name the resources it covers")
    expires = datetime.date.fromisoformat(waiver.expires)
    if (expires - today).days > max_term_days:
        found.append(f"expires: {waiver.expires} is {(expires - today).days} days away, longer than the "
                     f"{max_term_days}-day maximum term; review it sooner")
    return found
