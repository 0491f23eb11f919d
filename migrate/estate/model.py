"""What the generator produces: machines, vSphere hosts, connections, and the estate holding them."""

from __future__ import annotations

from dataclasses import dataclass

from migrate.estate.blueprint import DOMAIN, OS


@dataclass(frozen=True)
class GeneratedDisk:
    label: str
    size_gb: int
    used_gb: int
    shared: bool = False
    thin: bool = False


@dataclass(frozen=True)
class GeneratedServer:
    name: str
    role: str
    """Blueprint role key; "sprawl" or "orphan" for dev/test sprawl, "template" for templates."""
    os: str
    platform: str
    """vmware, physical or hyperv."""
    powered_on: bool
    template: bool
    cpus: int
    memory_gb: int
    disks: tuple[GeneratedDisk, ...]
    ip: str | None
    mac: str
    segment: str
    datacenter: str
    cluster: str
    host: str
    vm_uuid: str
    smbios_uuid: str
    vm_id: str
    firmware: str
    hw_version: str
    datastore: str
    application: str | None
    app_type: str | None
    environment: str | None
    tier: int | None
    classification: str | None
    owner: str | None
    business_unit: str | None
    mapped: bool
    """Listed in the application-mapping file."""
    annotation: str
    cpu_utilization: int
    memory_utilization: int

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{DOMAIN}"

    @property
    def family(self) -> str:
        return OS[self.os].family

    @property
    def active(self) -> bool:
        return self.powered_on and not self.template


@dataclass(frozen=True)
class GeneratedHost:
    name: str
    datacenter: str
    cluster: str
    cpu_model: str
    speed_mhz: int
    sockets: int
    cores_per_socket: int
    memory_gb: int
    esx_version: str
    vendor: str
    model: str
    serial: str
    vcenter: str


@dataclass(frozen=True)
class Connection:
    """A TCP flow between two endpoints; a name is empty for endpoints outside the inventory."""

    source: str
    source_ip: str
    destination: str
    destination_ip: str
    port: int
    pattern: str
    client_process: str
    server_process: str
    day_slot: int = 0
    """For the `daily` pattern: the 6-hour slot of the day the flow happens in."""


@dataclass(frozen=True)
class Estate:
    seed: int
    size: int
    days: int
    servers: tuple[GeneratedServer, ...]
    """Every generated machine, templates included, in generation order."""
    hosts: tuple[GeneratedHost, ...]
    connections: tuple[Connection, ...]

    def by_name(self) -> dict[str, GeneratedServer]:
        return {s.name: s for s in self.servers}
