"""carelift's own inventory format, for estates no discovery tool covers: CSV (or xlsx) and YAML.

CSV: one row per server; headers are case-insensitive. Only `name` is mandatory.

| Column | Meaning |
|---|---|
| `name` | short host name; an FQDN is split into name and fqdn |
| `fqdn` | DNS name |
| `ips` | addresses separated by `;`, `,` or spaces |
| `os` | OS as free text, normalised (`RHEL 8`, `Windows Server 2012 R2 Standard`); or `os_name` + `os_version` |
| `os_family` | windows, linux, other, unknown: overrides the family the normaliser guessed |
| `cores` | whole number ≥ 1 |
| `memory_mb` | memory in MB |
| `disks` | `;`-separated disks, each `[LABEL:]SIZE_GB[/USED_GB][ shared]`, e.g. `os:100/40; data:2048/1900 shared` |
| `storage_gb`, `used_gb` | one disk `storage`, when `disks` is not given |
| `power_state` | on, off, suspended, unknown (`poweredOn`/`poweredOff` accepted) |
| `template` | true skips the row (counted as a template) |
| `hypervisor`, `datacenter`, `cluster`, `host`, `folder`, `firmware`, `vm_uuid` | as named |
| `applications` | `;`-separated application names |
| `environment` | prd, tst, dev, trn, rel, poc, dr (`prod`, `production`, `test`, `qa`, `uat`, ... accepted) |
| `tier` | criticality 0-3 (0 = life-critical clinical) |
| `data_classification` | phi, pii, internal, public |
| `owner`, `business_unit` | text |
| `rto_hours`, `rpo_hours` | hours ≥ 0 |
| `cpu_utilization`, `memory_utilization` | percent, 0-100 |
| `tags` | `;`-separated `KEY=VALUE` items (`\\` escapes a `;`, `=` or `\\` inside them) |
| `sources` | ignored: written by `carelift inventory list --format csv` (the store records the formats itself) |
| any other column | a tag: header lower-cased, spaces as `-` |

`carelift inventory list --format csv` writes this format, so its output re-imports unchanged (the
export, an owner fixed in Excel, the same file imported again): `disks` as above next to their
total `storage_gb` (both are accepted when they agree), tags in `tags`, and cells a spreadsheet
would run as a formula (text starting with `=`, `+`, `-`, `@`, a tab or a carriage return)
written with a protective leading `'`, which every importer strips.

YAML: the same fields as keys of each entry of `servers:`; `ips` and `applications` may be
lists, `disks` a list of `{label, size_gb, used_gb, shared}`, `tags` a mapping. Unknown keys
are errors (typos would otherwise vanish). An optional `applications:` list describes the
applications: `{name, type, vendor, criticality, servers}` with type one of ehr, pacs, lis,
ris, pharmacy, interface-engine, identity, file, vdi, reporting, other; the servers it lists
must be in the file and get the application added.

```yaml
servers:
  - name: epic-prd-odb01
    ips: [10.20.1.11]
    os: Red Hat Enterprise Linux 8.6
    cores: 32
    memory_mb: 262144
    disks: [{label: os, size_gb: 100, used_gb: 42}, {label: data, size_gb: 4096, shared: true}]
    environment: prd
    tier: 0
    data_classification: phi
applications:
  - {name: Epic, type: ehr, vendor: Epic Systems, criticality: 0, servers: [epic-prd-odb01]}
```
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from migrate.inventory.formats import Format
from migrate.inventory.importers import fields
from migrate.inventory.importers.os import normalise_os
from migrate.inventory.importers.registry import IMPORTERS, Sample, signature_score, without_strict
from migrate.inventory.importers.table_files import open_columns, unmapped_headers
from migrate.inventory.importers.tabular import Cell, Row, to_number, to_text
from migrate.inventory.model import OS_FAMILIES, Application, Disk, ParsedFile, Problem, Server
from migrate.inventory.tables.problems import Problems

MAX_CORES = 8192
MAX_MEMORY_MB = 64 * 1024 * 1024
MAX_DISK_GB = 100 * 1024 * 1024
MAX_HOURS = 24 * 366 * 10

FIELDS = ("name", "fqdn", "ips", "os", "os_name", "os_version", "os_family", "cores", "memory_mb", "disks",
          "storage_gb", "used_gb", "power_state", "template", "hypervisor", "datacenter", "cluster", "host",
          "folder", "firmware", "vm_uuid", "applications", "environment", "tier", "data_classification", "owner",
          "business_unit", "rto_hours", "rpo_hours", "cpu_utilization", "memory_utilization")
COLUMNS = {name: (name, name.replace("_", " ")) for name in (*FIELDS, "tags", "sources")}
SIGNATURE = {"memory_mb", "ips", "cores", "os_family", "vm_uuid", "storage_gb", "disks", "environment", "tier",
             "data_classification", "power_state", "applications", "rto_hours", "rpo_hours"}
"""Normalised headers of this format that the other formats do not use (for auto-detection)."""
_DISK = re.compile(r"(?:(?P<label>[^:/]+):)?\s*(?P<size>[^/\s]+)\s*(?:/\s*(?P<used>\S+))?\s*(?P<shared>shared)?",
                   re.IGNORECASE)
_TEXT_FIELDS = ("hypervisor", "datacenter", "cluster", "host", "folder", "owner", "business_unit")


def parse_csv(path: Path, display: str | None = None) -> ParsedFile:
    display = display or str(path)
    problems, table, columns = open_columns(path, display, COLUMNS, ["name"])
    tag_columns, dropped = fields.without_credentials(unmapped_headers(table, columns))
    extra = [(i, fields.tag_key(h)) for i, h in tag_columns]
    servers: list[Server] = []
    skipped, seen = {"template": 0}, fields.Duplicates()
    listed_secrets: set[str] = set()
    for row in columns.rows(problems):
        if row.boolean("template"):
            skipped["template"] += 1
            continue
        tags = dict((key, text[:1024]) for index, key in extra
                    if index < len(row.cells) and (text := to_text(row.cells[index])))
        for key, value in _tag_list(row):
            if fields.is_credential_header(key):
                listed_secrets.add(key)
            else:
                tags[key] = value
        server = server_from(row, tuple(sorted(tags.items())), "csv")
        if server is not None:
            fields.add_unique(servers, server, row, seen)
    problems.raise_if_any()
    return ParsedFile(path=display, format="csv", servers=tuple(servers),
                      applications=fields.applications_of(servers),
                      skipped={k: v for k, v in skipped.items() if v},
                      warnings=dropped + tuple(f"tag {key[:80]!r} looks like a credential: dropped, not stored "
                                               "(rename it if it is not one)" for key in sorted(listed_secrets)))


def _tag_list(row: Row) -> list[tuple[str, str]]:
    """The `tags` column: `KEY=VALUE; KEY=VALUE`, a backslash escaping `;`, `=` or itself."""
    text = row.text("tags", limit=65536)
    if not text:
        return []
    items, key, current, escaped = [], None, [], False
    for character in text + ";":
        if escaped:
            current.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "=" and key is None:
            key, current = "".join(current).strip(), []
        elif character == ";":
            value = "".join(current).strip()
            if key is None and value:
                row.problem("tags", f"expected KEY=VALUE items separated by ';', got {value[:40]!r}")
                return []
            if key:
                items.append((key[:200], value[:1024]))
            key, current = None, []
        else:
            current.append(character)
    return items


def server_from(row: Row, tags: tuple[tuple[str, str], ...], source: str) -> Server | None:
    """A Server from a row (or YAML entry) of this schema; problems recorded on the row."""
    try:
        name, split_fqdn = fields.host_name(row.text("name", limit=255))
    except ValueError as error:
        row.problem("name", str(error))
        return None
    values: dict[str, Any] = {"name": name, "sources": (source,), "tags": tags}
    for key, parse in (("fqdn", fields.fqdn), ("ips", fields.ip_list), ("vm_uuid", fields.vm_uuid),
                       ("environment", fields.environment), ("data_classification", fields.classification),
                       ("power_state", fields.power_state), ("firmware", fields.firmware),
                       ("applications", fields.names)):
        try:
            value = parse(_listed(row, key))
        except ValueError as error:
            row.problem(key, str(error))
            continue
        if value is not None:
            values[key] = value
    values["fqdn"] = values.get("fqdn") or split_fqdn
    try:
        values["tier"] = fields.tier(row.raw("tier"))
    except ValueError as error:
        row.problem("tier", str(error))
    os_info = normalise_os(row.text("os") or row.text("os_name"), row.text("os_version"))
    values.update(os_family=os_info.family, os_name=os_info.name, os_version=os_info.version)
    family = row.text("os_family")
    if family:
        if family.casefold() in OS_FAMILIES:
            values["os_family"] = family.casefold()
        else:
            row.problem("os_family", f"must be one of {', '.join(OS_FAMILIES)}, got {family[:40]!r}")
    for key in _TEXT_FIELDS:
        values[key] = row.text(key)
    values["cores"] = row.numeric("cores", minimum=1, maximum=MAX_CORES, integer=True)
    memory = row.numeric("memory_mb", minimum=1, maximum=MAX_MEMORY_MB)
    values["memory_mb"] = None if memory is None else int(round(memory))
    for key, maximum in (("rto_hours", MAX_HOURS), ("rpo_hours", MAX_HOURS), ("cpu_utilization", 100),
                         ("memory_utilization", 100)):
        values[key] = row.numeric(key, maximum=maximum)
    values["disks"] = _disks(row)
    return Server(**values)


def _listed(row: Row, key: str) -> str | None:
    """A field that YAML may give as a list: joined with `;` so the CSV parser reads it."""
    raw = row.raw(key)
    if isinstance(raw, (list, tuple)):
        if any(isinstance(item, (list, tuple, dict)) for item in raw):
            raise ValueError("expected a list of plain values")
        return ";".join(text for item in raw if (text := to_text(item)))
    return row.text(key, limit=4096)


def _disks(row: Row) -> tuple[Disk, ...]:
    raw = row.raw("disks")
    if isinstance(raw, list):
        return _yaml_disks(row, raw)
    text = row.text("disks", limit=8192)
    storage = row.numeric("storage_gb", maximum=MAX_DISK_GB)
    used = row.numeric("used_gb", maximum=MAX_DISK_GB)
    if text and storage is not None:
        disks = _disk_list(row, text)
        # carelift's own export writes both; they must agree (to the rounding of a float's repr).
        if abs(sum(d.size_gb for d in disks) - storage) > 1e-6 * max(1.0, storage):
            row.problem("storage_gb", f"storage_gb {storage:g} is not the total of the disks "
                                      f"({sum(d.size_gb for d in disks):g}): give either disks or storage_gb")
            return ()
        return disks
    if storage is not None:
        # A disk refused by _disk leaves the row with a problem, so its server is dropped either way.
        disk = _disk(row, "storage_gb", "storage", storage, used, False) if row.ok else None
        return () if disk is None else (disk,)
    if used is not None:
        row.problem("used_gb", "used_gb needs storage_gb")
        return ()
    return _disk_list(row, text)


def _disk_list(row: Row, text: str | None) -> tuple[Disk, ...]:
    disks = []
    for number, item in enumerate(filter(None, (part.strip() for part in (text or "").split(";"))), start=1):
        match = _DISK.fullmatch(item)
        if not match:
            row.problem("disks", f"disk {number}: expected [LABEL:]SIZE_GB[/USED_GB][ shared], got {item[:40]!r}")
            continue
        size = _disk_number(row, number, match.group("size"), "size")
        used_gb = _disk_number(row, number, match.group("used"), "used")
        if size is not None:
            label = (match.group("label") or "").strip() or f"disk {number}"
            disk = _disk(row, "disks", label, size, used_gb, bool(match.group("shared")))
            if disk is not None:
                disks.append(disk)
    return tuple(disks)


def _disk_number(row: Row, number: int, text: str | None, what: str) -> float | None:
    if text is None:
        return None
    try:
        value = to_number(text)
    except ValueError as error:
        row.problem("disks", f"disk {number} {what}: {error}")
        return None
    return row.check_number("disks", value, maximum=MAX_DISK_GB, what=f"disk {number} {what}")


def _disk(row: Row, field: str, label: str, size: float, used: float | None, shared: bool) -> Disk | None:
    if used is not None and used > size:
        row.problem(field, f"{label}: used {used:g} GB exceeds its size {size:g} GB")
        return None
    return Disk(label=label[:200], size_gb=size, used_gb=used, shared=shared)


def _yaml_disks(row: Row, items: list) -> tuple[Disk, ...]:
    disks = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            row.problem("disks", f"disk {number}: expected a mapping with label, size_gb, used_gb, shared")
            continue
        unknown = sorted(set(map(str, item)) - {"label", "size_gb", "used_gb", "shared"})
        if unknown:
            row.problem("disks", f"disk {number}: unknown keys {', '.join(unknown)}")
            continue
        try:
            size = _disk_value(item.get("size_gb"))
            used = _disk_value(item.get("used_gb"))
            shared = item.get("shared", False)
            if not isinstance(shared, bool):
                raise ValueError("shared must be true or false")
        except ValueError as error:
            row.problem("disks", f"disk {number}: {error}")
            continue
        size = row.check_number("disks", size, maximum=MAX_DISK_GB, required=True, what=f"disk {number} size_gb")
        used = row.check_number("disks", used, maximum=MAX_DISK_GB, what=f"disk {number} used_gb")
        if size is not None:
            disk = _disk(row, "disks", to_text(item.get("label")) or f"disk {number}", size, used, shared)
            if disk is not None:
                disks.append(disk)
    return tuple(disks)


def _disk_value(value: Cell | list | dict) -> float | None:
    """A YAML disk's size or use (a plain value; a list or mapping is refused)."""
    if isinstance(value, (list, dict)):
        raise ValueError("expected a number")
    return to_number(value)


def with_applications(servers: list[Server], declared: list[tuple[Application, int]],
                      problems: Problems, file: str) -> tuple[list[Server], tuple[Application, ...]]:
    """Attach declared applications to their servers; every application then lists all its servers."""
    by_name = {s.name.casefold(): i for i, s in enumerate(servers)}
    for application, line in declared:
        for member in application.servers:
            index = by_name.get(member.casefold())
            if index is None:
                problems.add(Problem(file, f"application {application.name!r} lists server {member!r}, which is "
                                           f"not in this file", row=line, column="servers"))
                continue
            server = servers[index]
            if application.name not in server.applications:
                servers[index] = dataclasses.replace(server, applications=(*server.applications, application.name))
    members = {a.name: a for a in fields.applications_of(servers)}
    result = []
    for application, _ in declared:
        found = members.pop(application.name, None)
        result.append(dataclasses.replace(application, servers=found.servers if found else ()))
    result.extend(members.values())
    return servers, tuple(sorted(result, key=lambda a: a.name.casefold()))


def sniff(sample: Sample) -> float:
    """More of this format's own columns, higher; only with `name` (or `sys_id`, which ServiceNow's
    sniffer weighs against it)."""
    names = sample.columns
    if not names & {"name", "sys_id"}:
        return 0.0
    return signature_score(len(names & SIGNATURE))


IMPORTER = IMPORTERS.register(Format(
    name="csv", order=4, called="carelift's CSV", parse=without_strict(parse_csv), sniff=sniff,
    description="carelift's generic CSV (name, ips, os, cores, memory_mb, disks, ...)"))
