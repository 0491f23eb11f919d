"""A realistic hospital estate, deterministic for a seed: servers, vSphere hosts, connections.

`generate(servers, seed)` is pure (random.Random(seed), no clock, no I/O); `migrate.estate.files`
writes what it returns as the exports a hospital would hand over. Machines are built here, their
flows in `flows`. The estate is Riverbend
Health (see `blueprint`): the systems of `ROLES` scaled to the requested size, then dev/test
sprawl filling the rest — half of it copies of real systems, half orphans nobody owns.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import replace

from migrate.estate.blueprint import BASE_SIZE, DOMAIN, ROLE_BY_KEY, ROLES, Role
from migrate.estate.flows import build_connections
from migrate.estate.model import Connection, Estate, GeneratedDisk, GeneratedHost, GeneratedServer
from migrate.estate.network import Addresses

__all__ = ["Connection", "Estate", "GeneratedDisk", "GeneratedHost", "GeneratedServer", "generate", "minimum_size"]

DEFAULT_SERVERS = 400
DEFAULT_SEED = 42
DEFAULT_DAYS = 2
MAX_SERVERS = 100_000

SPRAWL_OS = (("w2008r2", 3), ("w2012r2", 5), ("w2016", 4), ("w2019", 2), ("rhel6", 1), ("rhel7", 2), ("centos7", 3),
             ("ubuntu1804", 1), ("ubuntu2004", 1))
SPRAWL_WORDS = ("upg", "test", "sbx", "poc", "tmp", "new", "mig", "qa")
ORPHAN_WORDS = ("devbox", "testsrv", "sandbox", "winsrv", "lnxdev", "tmpvm", "oldapp", "vendorvm", "demo")
TEMPLATES = ("tmpl-w2019-std", "tmpl-w2016-std", "tmpl-w2012r2-std", "tmpl-rhel8", "tmpl-rhel7", "tmpl-w2022-std",
             "tmpl-centos7", "tmpl-ubuntu2004")
TEMPLATE_OS = ("w2019", "w2016", "w2012r2", "rhel8", "rhel7", "w2022", "centos7", "ubuntu2004")


def role_counts(size: int) -> dict[tuple[str, str], int]:
    """Servers per (role, environment) for an estate of `size`; the rest is sprawl."""
    factor = size / BASE_SIZE
    counts: dict[tuple[str, str], int] = {}
    floors: dict[tuple[str, str], int] = {}
    for role in ROLES:
        for env, base in role.counts:
            floor = role.minimum if env == "prd" else 0
            counts[(role.key, env)] = max(floor, round(base * factor))
            floors[(role.key, env)] = floor
    excess = sum(counts.values()) - size
    while excess > 0:
        key = max(counts, key=lambda k: counts[k] - floors[k])
        if counts[key] <= floors[key]:
            raise ValueError(f"an estate needs at least {minimum_size()} servers")
        counts[key] -= 1
        excess -= 1
    return {key: count for key, count in counts.items() if count}


def minimum_size() -> int:
    return sum(role.minimum for role in ROLES)


class _Builder:
    def __init__(self, size: int, seed: int):
        self.size = size
        self.rng = random.Random(seed)
        self.addresses = Addresses()
        self.servers: list[GeneratedServer] = []
        self.vm_number = 1000
        self.first_orphan: GeneratedServer | None = None

    # --- servers --------------------------------------------------------------------------

    def uuid(self, prefix: str) -> str:
        text = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return prefix + text[len(prefix):]

    def machine(self, *, name: str, role: str, os_key: str, platform: str, powered_on: bool, cpus: int,
                memory_gb: int, disk_sizes: list[int], shared_data: bool, segment: str, datacenter: str,
                cluster: str, application: str | None, app_type: str | None, environment: str | None,
                tier: int | None, classification: str | None, owner: str | None, business_unit: str | None,
                mapped: bool, template: bool = False, ip: str | None = None, database: bool = False
                ) -> GeneratedServer:
        rng = self.rng
        disks = []
        for index, size in enumerate(disk_sizes):
            shared = shared_data and index > 0
            used = round(size * rng.uniform(0.3, 0.85 if not database else 0.95))
            disks.append(GeneratedDisk(f"Hard disk {index + 1}", size, used, shared, not shared and rng.random() < 0.6))
        self.vm_number += 1
        modern = os_key in ("w2016", "w2019", "w2022", "rhel8", "rhel9")
        firmware = "efi" if modern and rng.random() < 0.6 else "bios"
        hw_version = rng.choice(("vmx-14", "vmx-15", "vmx-19")) if modern else rng.choice(("vmx-08", "vmx-10",
                                                                                          "vmx-11", "vmx-13"))
        if ip is None and not template:
            ip = self.addresses.segment(segment)
        short = cluster.removeprefix("CL-").replace("-", "").lower()
        annotation = ""
        if application and rng.random() < 0.7:
            annotation = f"{application} {environment or ''}".strip() + (f" - owner: {owner}" if owner else "")
        busy = 20 if environment == "prd" else 5
        server = GeneratedServer(
            name=name, role=role, os=os_key, platform=platform, powered_on=powered_on, template=template, cpus=cpus,
            memory_gb=memory_gb, disks=tuple(disks), ip=ip,
            mac="00:50:56:" + ":".join(f"{rng.randrange(256):02x}" for _ in range(3)), segment=segment,
            datacenter=datacenter, cluster=cluster, host="", vm_uuid=self.uuid("50"), smbios_uuid=self.uuid("42"),
            vm_id=f"vm-{self.vm_number}", firmware=firmware, hw_version=hw_version,
            datastore=f"DS-{short.upper()}-{rng.randint(1, 6):02d}", application=application, app_type=app_type,
            environment=environment, tier=tier, classification=classification, owner=owner,
            business_unit=business_unit, mapped=mapped, annotation=annotation,
            cpu_utilization=min(95, round(rng.uniform(busy / 4, busy * 2.5))) if powered_on else 0,
            memory_utilization=min(97, round(rng.uniform(30, 85))) if powered_on else 0)
        self.servers.append(server)
        return server

    def role_servers(self) -> None:
        for (key, env), count in role_counts(self.size).items():
            for n in range(1, count + 1):
                self.role_server(ROLE_BY_KEY[key], env, n)

    def role_server(self, role: Role, env: str, n: int) -> GeneratedServer:
        rng = self.rng
        platform = "physical" if env in role.physical_envs else role.platform
        datacenter, cluster, segment = "RBH-Main", role.cluster, role.segment
        if env == "dr":
            datacenter, cluster, segment = "RBH-DR", "CL-DR-01", "dr"
        elif env != "prd":
            cluster, segment = "CL-DEV-01", "devtest"
        powered_off = role.powered_off if env == "prd" else 0.08
        names, weights = zip(*role.os, strict=True)
        return self.machine(
            name=role.name.format(env=env, n=n), role=role.key, os_key=rng.choices(names, weights)[0],
            platform=platform, powered_on=rng.random() >= powered_off, cpus=rng.choice(role.cpus),
            memory_gb=rng.choice(role.memory_gb) if env in ("prd", "dr") else min(rng.choice(role.memory_gb), 32),
            disk_sizes=[rng.choice(sizes) for sizes in role.disks_gb], shared_data=role.shared_disks and env == "prd",
            segment=segment, datacenter=datacenter, cluster=cluster if platform == "vmware" else "",
            application=role.application, app_type=role.app_type, environment=env,
            tier=role.tier if env in ("prd", "dr") else 3, classification=role.classification, owner=role.owner,
            business_unit=role.business_unit, mapped=True, database=role.database)

    def sprawl(self, count: int) -> None:
        rng = self.rng
        parents = [s for s in self.servers if s.app_type is not None and s.role not in ("vda",)]
        used: set[str] = {s.name for s in self.servers}
        numbers: dict[str, int] = {}
        names, weights = zip(*SPRAWL_OS, strict=True)
        for index in range(count):
            attached = parents and rng.random() < 0.55
            if index == count - 1 and count >= 10 and self.first_orphan is not None:
                self.clone(self.first_orphan, used)
                continue
            if attached:
                parent = rng.choice(parents)
                env = rng.choice(("dev", "tst", "poc"))
                stem = f"{parent.name.split('-')[0]}-{env}-{rng.choice(SPRAWL_WORDS)}"
            else:
                parent, env, stem = None, None, rng.choice(ORPHAN_WORDS)
            n = numbers.get(stem, 0) + 1
            while f"{stem}{n:02d}" in used:
                n += 1
            numbers[stem] = n
            name = f"{stem}{n:02d}"
            used.add(name)
            keep_phi = parent is not None and rng.random() < 0.5
            server = self.machine(
                name=name, role="sprawl" if parent else "orphan", os_key=rng.choices(names, weights)[0],
                platform="vmware", powered_on=rng.random() >= 0.35, cpus=rng.choice((2, 2, 4, 4, 8)),
                memory_gb=rng.choice((4, 8, 8, 16, 32)), disk_sizes=[rng.choice((60, 80, 100))]
                + ([rng.choice((50, 100, 200, 500))] if rng.random() < 0.6 else []),
                shared_data=False, segment="devtest", datacenter="RBH-Main", cluster="CL-DEV-01",
                application=parent.application if parent else None, app_type=parent.app_type if parent else None,
                environment=env, tier=3 if parent else None,
                classification=(parent.classification if keep_phi else "internal") if parent else None,
                owner=(parent.owner if rng.random() < 0.7 else None) if parent else None,
                business_unit=parent.business_unit if parent else None,
                mapped=parent is not None and rng.random() < 0.85)
            if parent is None and self.first_orphan is None and server.powered_on:
                self.first_orphan = server

    def clone(self, original: GeneratedServer, used: set[str]) -> None:
        """A copy left running after a migration test with its original's IP: a duplicate any IPAM report shows."""
        name = f"{original.name}-old"
        used.add(name)
        self.machine(name=name, role="orphan", os_key=original.os, platform="vmware", powered_on=True,
                     cpus=original.cpus, memory_gb=original.memory_gb, disk_sizes=[d.size_gb for d in original.disks],
                     shared_data=False, segment=original.segment, datacenter=original.datacenter,
                     cluster=original.cluster, application=None, app_type=None, environment=None, tier=None,
                     classification=None, owner=None, business_unit=None, mapped=False, ip=original.ip)

    def templates(self) -> None:
        count = max(2, round(self.size / 80))
        for index in range(count):
            name = TEMPLATES[index % len(TEMPLATES)] + (f"-v{index // len(TEMPLATES) + 1}" if index >= len(TEMPLATES)
                                                        else "")
            os_key = TEMPLATE_OS[index % len(TEMPLATE_OS)]
            self.machine(name=name, role="template", os_key=os_key, platform="vmware", powered_on=False,
                         cpus=2, memory_gb=4, disk_sizes=[80], shared_data=False, segment="infra",
                         datacenter="RBH-Main", cluster="CL-GEN-01", application=None, app_type=None,
                         environment=None, tier=None, classification=None, owner=None, business_unit=None,
                         mapped=False, template=True)

    def place_on_hosts(self) -> list[GeneratedHost]:
        rng = self.rng
        by_cluster: dict[tuple[str, str], list[int]] = {}
        for index, server in enumerate(self.servers):
            if server.platform == "vmware":
                by_cluster.setdefault((server.datacenter, server.cluster), []).append(index)
        hosts: list[GeneratedHost] = []
        for (datacenter, cluster), members in sorted(by_cluster.items()):
            short = cluster.removeprefix("CL-").replace("-", "").lower()
            dr = datacenter == "RBH-DR"
            cluster_hosts = [GeneratedHost(
                name=f"esx-{short}-{k:02d}.{DOMAIN}", datacenter=datacenter, cluster=cluster,
                cpu_model="Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz" if dr else "Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz",
                speed_mhz=2400 if dr else 2600, sockets=2, cores_per_socket=20 if dr else 28,
                memory_gb=768 if dr else 1536,
                esx_version="VMware ESXi 6.7.0 build-17700523" if dr else "VMware ESXi 7.0.3 build-21930508",
                vendor="Dell Inc.", model="PowerEdge R740" if dr else "PowerEdge R750",
                serial=f"{rng.getrandbits(40):010X}"[:7], vcenter=f"rbh-vcsa0{2 if dr else 1}.{DOMAIN}")
                for k in range(1, max(2, math.ceil(len(members) / 20)) + 1)]
            hosts.extend(cluster_hosts)
            for position, index in enumerate(members):
                self.servers[index] = replace(self.servers[index], host=cluster_hosts[position % len(cluster_hosts)].name)
        return hosts

    # --- connections ----------------------------------------------------------------------


def generate(servers: int = DEFAULT_SERVERS, seed: int = DEFAULT_SEED, days: int = DEFAULT_DAYS) -> Estate:
    """An estate of exactly `servers` servers (templates come on top), `days` of dependency data."""
    if not minimum_size() <= servers <= MAX_SERVERS:
        raise ValueError(f"servers must be from {minimum_size()} to {MAX_SERVERS}, got {servers}")
    if not 1 <= days <= 30:
        raise ValueError(f"days must be from 1 to 30 (Azure Migrate exports at most 30), got {days}")
    builder = _Builder(servers, seed)
    builder.role_servers()
    builder.sprawl(servers - len(builder.servers))
    builder.templates()
    hosts = builder.place_on_hosts()
    connections = build_connections(builder.servers, builder.rng, builder.addresses)
    return Estate(seed=seed, size=servers, days=days, servers=tuple(builder.servers), hosts=tuple(hosts),
                  connections=tuple(connections))
