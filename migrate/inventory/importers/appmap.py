"""Application mapping: the CSV (or xlsx) in which teams attach business context to discovered servers.

`server,application,environment,tier,data_classification,owner` — one row per server and
application; a server in several applications has several rows. The file annotates servers
already in the workspace (`ParsedFile.mapping_only`); it adds none.

| Column | Meaning |
|---|---|
| `server` (mandatory) | server name (an FQDN is reduced to its short name) |
| `application` | application name; empty when the row only sets the other fields |
| `environment` | prd, tst, dev, trn, rel, poc, dr (`prod`/`production`, `test`/`qa`/`uat`, `development`, `training`, `release`, `sandbox`, `disaster recovery`, ... accepted) |
| `tier` | 0-3 (0 = life-critical clinical … 3 = low); `tier 1`/`T1` accepted |
| `data_classification` | phi, pii, internal, public (`ePHI` accepted) |
| `owner` | the accountable owner |
| `business_unit`, `rto_hours`, `rpo_hours` | optional, as in the generic format |
| `application_type`, `vendor` | optional: describe the application (type one of ehr, pacs, lis, ris, pharmacy, interface-engine, identity, file, vdi, reporting, other) |
| any other column | a tag on the server (header lower-cased, spaces as `-`) |

Rows of one server merge: applications accumulate; the other fields must agree (a conflict is
an error naming both rows). An application's criticality is its most critical server's tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from migrate.inventory.formats import Format
from migrate.inventory.importers import fields
from migrate.inventory.importers.registry import IMPORTERS, MAPPING_COLUMNS, Sample, without_strict
from migrate.inventory.importers.table_files import open_columns, unmapped_headers
from migrate.inventory.importers.tabular import Row, to_text
from migrate.inventory.model import APPLICATION_TYPES, Application, ParsedFile, Server

FORMAT = "appmap"
MAX_HOURS = 24 * 366 * 10
COLUMNS: dict[str, tuple[str, ...]] = {name: (name, name.replace("_", " ")) for name in (
    "server", "application", "environment", "tier", "data_classification", "owner", "business_unit",
    "rto_hours", "rpo_hours", "application_type", "vendor")}
COLUMNS["data_classification"] += ("classification",)
COLUMNS["application"] += ("app",)
SCALARS = ("environment", "tier", "data_classification", "owner", "business_unit", "rto_hours", "rpo_hours")
SIGNATURE = {"server", "application"}


@dataclass
class _Mapping:
    name: str
    row: int
    applications: list[str] = field(default_factory=list)
    values: dict[str, tuple[Any, int]] = field(default_factory=dict)
    """field → (value, row it came from)."""


@dataclass
class _App:
    name: str
    row: int
    type: tuple[str, int] | None = None
    vendor: tuple[str, int] | None = None
    tiers: list[int] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)


def parse(path: Path, display: str | None = None) -> ParsedFile:
    display = display or str(path)
    problems, table, columns = open_columns(path, display, COLUMNS, ["server"])
    tag_columns, dropped = fields.without_credentials(unmapped_headers(table, columns))
    extra = [(i, fields.tag_key(h)) for i, h in tag_columns]
    servers: dict[str, _Mapping] = {}
    apps: dict[str, _App] = {}
    for row in columns.rows(problems):
        _read_row(row, extra, servers, apps)
    problems.raise_if_any()
    result = tuple(_server(m) for m in servers.values())
    applications = tuple(
        Application(name=a.name, type=a.type[0] if a.type else "other", vendor=a.vendor[0] if a.vendor else None,
                    criticality=min(a.tiers) if a.tiers else None,
                    servers=tuple(sorted(set(a.servers), key=str.casefold)))
        for a in sorted(apps.values(), key=lambda a: a.name.casefold()))
    return ParsedFile(path=display, format=FORMAT, servers=result, applications=applications, mapping_only=True,
                      server_rows=tuple(m.row for m in servers.values()), warnings=dropped)


def _read_row(row: Row, extra: list[tuple[int, str]], servers: dict[str, _Mapping], apps: dict[str, _App]) -> None:  # noqa: C901 - one check per column, in column order
    try:
        name, _ = fields.host_name(row.text("server", limit=255))
    except ValueError as error:
        row.problem("server", str(error))
        return
    values: dict[str, Any] = {}
    # Each parser takes what its column gives: the tier the raw cell (a number or text), the others text.
    parsers: tuple[tuple[str, Callable[[Any], object]], ...] = (
        ("environment", fields.environment), ("tier", fields.tier), ("data_classification", fields.classification))
    for key, parse in parsers:
        try:
            values[key] = parse(row.raw(key) if key == "tier" else row.text(key))
        except ValueError as error:
            row.problem(key, str(error))
    values["owner"] = row.text("owner")
    values["business_unit"] = row.text("business_unit")
    values["rto_hours"] = row.numeric("rto_hours", maximum=MAX_HOURS)
    values["rpo_hours"] = row.numeric("rpo_hours", maximum=MAX_HOURS)
    for index, key in extra:
        text = to_text(row.cells[index]) if index < len(row.cells) else None
        if text:
            values[f"tag:{key}"] = text[:1024]
    application = row.text("application", limit=200)
    kind = row.text("application_type")
    if kind is not None:
        kind = kind.casefold()
        if kind not in APPLICATION_TYPES:
            row.problem("application_type", f"unknown application type {kind[:40]!r} (expected one of "
                                            f"{', '.join(APPLICATION_TYPES)})")
        elif application is None:
            row.problem("application_type", "application_type needs an application")
    if not row.ok:
        return
    mapping = servers.setdefault(name.casefold(), _Mapping(name, row.number))
    for key, value in values.items():
        if value is None:
            continue
        earlier = mapping.values.get(key)
        if earlier is None:
            mapping.values[key] = (value, row.number)
        elif earlier[0] != value:
            shown = key.removeprefix("tag:")
            row.problem(None if key.startswith("tag:") else key,
                        f"{shown} {value!r} for {name!r} conflicts with {earlier[0]!r} on row {earlier[1]}")
    if application:
        app = apps.setdefault(application.casefold(), _App(application, row.number))  # first spelling wins
        if app.name not in mapping.applications:
            mapping.applications.append(app.name)
        _describe(row, app, mapping.name, kind, values.get("tier"))


def _describe(row: Row, app: _App, server: str, kind: str | None, tier: int | None) -> None:
    app.servers.append(server)
    if tier is not None:
        app.tiers.append(tier)
    for attribute, value in (("type", kind), ("vendor", row.text("vendor"))):
        if value is None:
            continue
        earlier = getattr(app, attribute)
        if earlier is None:
            setattr(app, attribute, (value, row.number))
        elif earlier[0] != value:
            column = "application_type" if attribute == "type" else "vendor"
            row.problem(column, f"{app.name!r} is {earlier[0]!r} on row {earlier[1]}, {value!r} here")


def _server(mapping: _Mapping) -> Server:
    values = {key: value for key, (value, _) in mapping.values.items() if not key.startswith("tag:")}
    tags = tuple(sorted((key[4:], value) for key, (value, _) in mapping.values.items() if key.startswith("tag:")))
    return Server(name=mapping.name, applications=tuple(mapping.applications), tags=tags, **values)


def sniff(sample: Sample) -> float:
    """`server` with an application or what a mapping sets, and none of an inventory's sizes."""
    names = sample.columns
    if "server" not in names or names & {"cores", "memory_mb", "ips"}:
        return 0.0
    if names & {"application", "app"} or names & {"environment", "tier", "data_classification",
                                                  "data classification"}:
        return MAPPING_COLUMNS
    return 0.0


IMPORTER = IMPORTERS.register(Format(
    name=FORMAT, order=6, called="an application mapping", parse=without_strict(parse), sniff=sniff,
    description="application mapping (server, application, environment, tier, data_classification, owner)"))
