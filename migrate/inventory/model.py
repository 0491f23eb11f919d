"""What the planner knows about an estate: servers, applications, dependencies.

Plain frozen dataclasses, no I/O. Importers produce them, the store persists them, the
planner (issue 5) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

from infra.errors import CareliftError

ENVIRONMENTS = ("prd", "tst", "dev", "trn", "rel", "poc", "dr")
DATA_CLASSIFICATIONS = ("phi", "pii", "internal", "public")
OS_FAMILIES = ("windows", "linux", "other", "unknown")
POWER_STATES = ("on", "off", "suspended", "unknown")
APPLICATION_TYPES = ("ehr", "pacs", "lis", "ris", "pharmacy", "interface-engine", "identity", "file", "vdi",
                     "reporting", "other")
TIERS = (0, 1, 2, 3)
"""Criticality: 0 = life-critical clinical, 1 = clinical/business critical, 2 = important, 3 = low."""


@dataclass(frozen=True)
class Disk:
    label: str
    size_gb: float
    used_gb: float | None = None
    shared: bool = False
    """Shared (multi-writer) or raw device mapping: a readiness blocker for a plain rehost."""


@dataclass(frozen=True)
class Server:
    name: str
    """Short host name as the estate knows it (see `identity` for what tells servers apart)."""
    fqdn: str | None = None
    ips: tuple[str, ...] = ()
    os_name: str | None = None
    os_version: str | None = None
    os_family: str = "unknown"
    cores: int | None = None
    memory_mb: int | None = None
    disks: tuple[Disk, ...] = ()
    power_state: str = "unknown"
    template: bool = False
    hypervisor: str | None = None
    datacenter: str | None = None
    cluster: str | None = None
    host: str | None = None
    folder: str | None = None
    firmware: str | None = None
    vm_uuid: str | None = None
    sources: tuple[str, ...] = ()
    """Formats this server was seen in (rvtools, azure-migrate, cmdb, ...)."""
    applications: tuple[str, ...] = ()
    environment: str | None = None
    tier: int | None = None
    data_classification: str | None = None
    owner: str | None = None
    business_unit: str | None = None
    rto_hours: float | None = None
    rpo_hours: float | None = None
    cpu_utilization: float | None = None
    """Peak or 95th-percentile CPU utilisation in percent, when the source has it."""
    memory_utilization: float | None = None
    tags: tuple[tuple[str, str], ...] = ()

    @cached_property  # computed once per (immutable) server: the import looks it up several times
    def identity(self) -> str:
        """What tells servers apart, lower-cased: `[vcenter/][vm uuid ]name[ (name-qualifier)]`.

        One VM in one vCenter: the VM UUID alone is not enough (clones, replicas and restored
        copies carry their original's), so the vCenter (tag `vcenter`) and the name are part of it;
        same-named VMs of one export without a UUID are told apart by the tag `name-qualifier`."""
        key = self.name.strip().lower()
        vcenter = qualifier = None
        for tag, value in self.tags:
            if tag == "vcenter":
                vcenter = value
            elif tag == "name-qualifier":
                qualifier = value
        if qualifier:
            key = f"{key} ({qualifier.strip().lower()})"
        if self.vm_uuid:
            key = f"{self.vm_uuid.strip().lower()} {key}"
        if vcenter:
            key = f"{vcenter.strip().lower()}/{key}"
        return key

    @property
    def storage_gb(self) -> float:
        return sum(d.size_gb for d in self.disks)


@dataclass(frozen=True)
class Application:
    name: str
    type: str = "other"
    vendor: str | None = None
    criticality: int | None = None
    servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dependency:
    source: str
    """Source server name, or its address when the export has no name (the store resolves it)."""
    destination: str
    """Destination server name when known, else the address; the store resolves addresses to
    inventory servers by IP and keeps the rest as external endpoints."""
    port: int
    protocol: str = "tcp"
    process: str | None = None
    weight: int = 1
    """Observation count (time slots or connection samples)."""
    first_seen: str | None = None
    last_seen: str | None = None
    source_ip: str | None = None
    destination_ip: str | None = None
    destination_resolved: bool = False
    """Set by the store: True when the destination is a server of the inventory."""


@dataclass(frozen=True)
class Problem:
    """One defect in an input file, located as precisely as the format allows."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    """1-based row number as a spreadsheet or text editor shows it (the header is row 1)."""
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class InputError(CareliftError):
    """Every problem found in the inputs; nothing was written."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = tuple(problems)
        self.total = max(total or 0, len(self.problems))
        """How many problems there are in all: `problems` may list only the first of millions."""
        super().__init__(f"{self.total} problem(s) in the input")


@dataclass(frozen=True)
class ParsedFile:
    """What one importer read from one file, before it reaches the store."""

    path: str
    format: str
    servers: tuple[Server, ...] = ()
    applications: tuple[Application, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    skipped: Mapping[str, int] = field(default_factory=dict)
    """Rows deliberately not imported, by reason (e.g. {"template": 12})."""
    warnings: tuple[str, ...] = ()
    mapping_only: bool = False
    """True for application-mapping files: they annotate existing servers instead of adding new ones."""
    server_rows: tuple[int, ...] = ()
    """Optional: the row each entry of `servers` came from (same order, 1-based as in Problem), so
    the store can locate what it rejects — e.g. a mapping row naming a server not in the inventory."""
