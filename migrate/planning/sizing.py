"""Right-sizing: each server onto an Azure VM size, its disks onto managed-disk tiers.

    sizer = Sizer(settings, load_prices(settings.region))
    sizing = sizer.vm(server, premium=True, windows=True, sql=False)

Capacity to provision, by `settings.sizing.mode`:
- as-on-premises: the server's cores and memory as they are.
- performance-based: utilisation × headroom of each (peak or 95th percentile from the source),
  rounded up, never below FLOOR_VCPU / FLOOR_MEMORY_GIB (or the server itself when smaller); a
  resource without utilisation data falls back to its on-premises size and the rule says so.

The size is the cheapest one in the shipped catalog (migrate/data/vm_sizes.yaml) that the
region's price snapshot offers and that has the vCPU, the memory and the data-disk slots, supports
Premium SSD when the disks are Premium, and boots the server's firmware (BIOS: generation 1;
UEFI: generation 2). "Cheapest" is the hourly price this server would pay under the chosen
pricing option, Windows and SQL Server licences included unless Hybrid Benefit removes them;
ties go to the alphabetically first name. Burstable B-series sizes are offered only to
non-production environments (tst, dev, trn, rel, poc): their CPU credits run out under sustained
load, which a production or DR system must not risk. When only a generation-2 size fits a BIOS
server, it is chosen and the rule asks for the BIOS-to-UEFI conversion.

Disks map to the smallest managed-disk tier at least as large as the provisioned size:
Premium SSD for production (prd, dr) servers of tier 0-1 (or unknown tier) and production
database servers, Standard SSD otherwise (see migrate/data/disk_tiers.yaml).

Replatform targets are sized here too: Azure SQL Managed Instance (General Purpose, standard-
series: 5.1 GB of memory per vCore, 4-80 vCores, storage in 32 GB steps up to 16 TB) and Azure
Files (the data disks' used space plus 20 %, Premium for the same servers that get Premium SSD).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from migrate.inventory.model import Server
from migrate.planning.catalogs import DiskTiers, VmCatalog, VmSize, load_catalog, load_disk_tiers
from migrate.planning.cost import PriceSheet, vm_hourly
from migrate.planning.model import DiskSizing, Sizing
from migrate.planning.settings import PlanSettings

FLOOR_VCPU = 2
FLOOR_MEMORY_GIB = 4.0
NON_PRODUCTION = ("tst", "dev", "trn", "rel", "poc")
PRODUCTION = ("prd", "dr")

MI_VCORES = (4, 8, 16, 24, 32, 40, 64, 80)
MI_MEMORY_PER_VCORE_GB = 5.1
MI_MAX_STORAGE_GB = 16_384
MI_STORAGE_STEP_GB = 32
MI_SKU = "SQL MI GP_Gen5"
FILES_MAX_GIB = 102_400
"""The largest Azure file share (100 TiB)."""
FILES_HEADROOM = 1.2
FILES_PREMIUM = "Azure Files Premium"
FILES_STANDARD = "Azure Files Standard (transaction optimized)"


# -- what to provision ------------------------------------------------------------------------

@dataclass(frozen=True)
class Demand:
    vcpu: int
    memory_gib: float
    mode: str
    explanation: str


def demand(server: Server, settings: PlanSettings) -> Demand | None:
    """The vCPU and memory to provision, or None when cores or memory are not recorded."""
    if not server.cores or server.cores <= 0 or not server.memory_mb or server.memory_mb <= 0:
        return None
    cores, memory = server.cores, round(server.memory_mb / 1024, 2)
    if settings.sizing.mode == "as-on-premises":
        return Demand(cores, memory, "as-on-premises",
                      f"{cores} vCPU and {_gib(memory)} GiB as on premises")
    headroom = settings.sizing.headroom
    parts, used = [], False
    if server.cpu_utilization is not None:
        vcpu = max(min(FLOOR_VCPU, cores), math.ceil(round(cores * server.cpu_utilization / 100 * headroom, 6)))
        parts.append(f"CPU {server.cpu_utilization:g} % × {headroom:g} of {cores} cores → {vcpu} vCPU")
        used = True
    else:
        vcpu = cores
        parts.append(f"no CPU utilisation: {cores} vCPU as on premises")
    if server.memory_utilization is not None:
        need = math.ceil(memory * server.memory_utilization / 100 * headroom * 100) / 100
        memory_need = max(min(FLOOR_MEMORY_GIB, memory), need)
        parts.append(f"memory {server.memory_utilization:g} % × {headroom:g} of {_gib(memory)} GiB → "
                     f"{_gib(memory_need)} GiB")
        used = True
    else:
        memory_need = memory
        parts.append(f"no memory utilisation: {_gib(memory)} GiB as on premises")
    return Demand(vcpu, memory_need, "performance-based" if used else "as-on-premises", "; ".join(parts))


def premium_storage(server: Server, database: bool) -> bool:
    """Premium SSD for production tier 0-1 (or unknown tier) servers and production databases."""
    if server.environment not in PRODUCTION:
        return False
    return server.tier is None or server.tier <= 1 or database


def data_gb(server: Server) -> float:
    """Data on the non-OS disks: used space where the source recorded it, else the provisioned size."""
    return sum(d.used_gb if d.used_gb is not None else d.size_gb for d in server.disks[1:])


# -- sizing -----------------------------------------------------------------------------------

class Sizer:
    """Sizes servers for one plan run; remembers the answer for each distinct shape (estates repeat them)."""

    def __init__(self, settings: PlanSettings, prices: PriceSheet, catalog: VmCatalog | None = None,
                 tiers: DiskTiers | None = None):
        self.settings = settings
        self.prices = prices
        self.catalog = catalog or load_catalog()
        self.tiers = tiers or load_disk_tiers()
        self.offered = tuple(s for s in self.catalog.sizes if s.name in prices.vm)
        self._chosen: dict[tuple, tuple[VmSize | None, bool]] = {}

    # VMs
    def vm(self, server: Server, *, premium: bool, windows: bool, sql: bool) -> Sizing:
        need = demand(server, self.settings)
        disks = self.disks(server, premium)
        if need is None:
            return Sizing(None, mode=self.settings.sizing.mode, disks=disks,
                          rule="R-SIZE-NO-DATA: cores or memory are not recorded, so no VM size can be chosen.")
        data_disks = max(0, len(server.disks) - 1)
        generation = {"bios": 1, "efi": 2}.get((server.firmware or "").lower())
        burstable = server.environment in NON_PRODUCTION
        size, converted = self._choose(need.vcpu, need.memory_gib, data_disks, premium, generation, burstable,
                                       windows, sql)
        if size is None:
            largest = max(self.offered, key=lambda s: (s.memory_gib, s.vcpu, s.name))
            return Sizing(None, vcpu=need.vcpu, memory_gb=need.memory_gib, mode=need.mode, disks=disks,
                          rule=f"R-SIZE-NO-FIT: {need.explanation}, with {data_disks} data disks: no size in the "
                               f"catalog offered in {self.prices.region} fits (the largest is {largest.name}: "
                               f"{largest.vcpu} vCPU, {_gib(largest.memory_gib)} GiB, {largest.max_data_disks} "
                               "data disks).")
        hourly = vm_hourly(self.prices, size.name, size.vcpu, self.settings.pricing.option, windows=windows,
                           sql=sql, hybrid_benefit=self.settings.pricing.hybrid_benefit)
        rule_id = "R-SIZE-PERFORMANCE" if need.mode == "performance-based" else "R-SIZE-AS-ON-PREMISES"
        rule = (f"{rule_id}: {need.explanation} → {size.name} ({size.vcpu} vCPU, {_gib(size.memory_gib)} GiB, "
                f"{size.max_data_disks} data disks), the cheapest fit in {self.prices.region} at "
                f"${hourly:.4f}/hour ({self.settings.pricing.option}).")
        if converted:
            rule += " Only generation-2 sizes fit: convert the BIOS boot disk to UEFI during migration."
        return Sizing(size.name, vcpu=size.vcpu, memory_gb=size.memory_gib, mode=need.mode, rule=rule, disks=disks)

    def _choose(self, vcpu: int, memory: float, data_disks: int, premium: bool, generation: int | None,
                burstable: bool, windows: bool, sql: bool) -> tuple[VmSize | None, bool]:
        key = (vcpu, memory, data_disks, premium, generation, burstable, windows, sql)
        if key not in self._chosen:
            fits = [s for s in self.offered
                    if s.vcpu >= vcpu and s.memory_gib >= memory and s.max_data_disks >= data_disks
                    and (s.premium_storage or not premium) and (burstable or not s.burstable)]
            bootable = [s for s in fits if generation is None or generation in s.generations]
            pricing = self.settings.pricing

            def price(size: VmSize) -> tuple[float, str]:
                return (vm_hourly(self.prices, size.name, size.vcpu, pricing.option, windows=windows, sql=sql,
                                  hybrid_benefit=pricing.hybrid_benefit), size.name)

            if bootable:
                self._chosen[key] = (min(bootable, key=price), False)
            elif fits:
                self._chosen[key] = (min(fits, key=price), True)
            else:
                self._chosen[key] = (None, False)
        return self._chosen[key]

    # disks
    def disks(self, server: Server, premium: bool) -> tuple[DiskSizing, ...]:
        kind = "premium-ssd" if premium else "standard-ssd"
        label, tiers = self.tiers.label(kind), self.tiers.tiers(kind)
        out = []
        for disk in server.disks:
            fit = next((t for t in tiers if t.size_gib >= disk.size_gb), None)
            if fit is not None:
                out.append(DiskSizing(disk.label, disk.size_gb, f"{label} {fit.name}"))
            else:  # over the largest managed disk: priced as that many largest disks in a striped volume
                largest = tiers[-1]
                count = math.ceil(disk.size_gb / largest.size_gib)
                out.append(DiskSizing(disk.label, disk.size_gb, f"{count} × {label} {largest.name}"))
        return tuple(out)

    # replatform targets
    def sql_mi(self, server: Server) -> Sizing | None:
        """General Purpose Managed Instance for the server's SQL Server, or None when over MI's limits."""
        need = demand(server, self.settings)
        if need is None:
            return None
        wanted = max(need.vcpu, math.ceil(round(need.memory_gib / MI_MEMORY_PER_VCORE_GB, 6)))
        vcores = next((v for v in MI_VCORES if v >= wanted), None)
        storage = max(MI_STORAGE_STEP_GB, math.ceil(data_gb(server) / MI_STORAGE_STEP_GB) * MI_STORAGE_STEP_GB)
        if vcores is None or storage > MI_MAX_STORAGE_GB:
            return None
        memory = round(vcores * MI_MEMORY_PER_VCORE_GB, 1)
        return Sizing(f"{MI_SKU} {vcores} vCores", vcpu=vcores, memory_gb=memory, mode=need.mode,
                      rule=f"R-SIZE-SQL-MI: {need.explanation} → General Purpose {vcores} vCores ({_gib(memory)} GB, "
                           f"5.1 GB per vCore) with {storage:,} GB of storage for {data_gb(server):,.0f} GB of data.",
                      disks=(DiskSizing("SQL MI storage", float(storage), "SQL MI General Purpose storage"),))

    def files(self, server: Server, premium: bool) -> Sizing | None:
        """An Azure file share for the server's data disks, or None when larger than a share may be."""
        used = data_gb(server)
        gib = math.ceil(used * FILES_HEADROOM)
        if premium:
            gib = max(gib, self.prices.files_premium_min_gib)
        if gib > FILES_MAX_GIB or gib <= 0:
            return None
        tier = FILES_PREMIUM if premium else FILES_STANDARD
        return Sizing(tier, mode=self.settings.sizing.mode,
                      rule=f"R-SIZE-AZURE-FILES: {used:,.0f} GB on the data disks + 20 % → a {gib:,} GiB "
                           f"{tier} share.",
                      disks=(DiskSizing("file share", float(gib), tier),))


def mi_fits(server: Server, settings: PlanSettings) -> tuple[bool, str]:
    """Whether a Managed Instance can hold the server's SQL Server, and why not."""
    need = demand(server, settings)
    if need is None:
        return False, "its cores or memory are not recorded"
    wanted = max(need.vcpu, math.ceil(round(need.memory_gib / MI_MEMORY_PER_VCORE_GB, 6)))
    if wanted > MI_VCORES[-1]:
        return False, (f"it needs {wanted} vCores for {need.vcpu} vCPU and {_gib(need.memory_gib)} GiB, more than "
                       f"General Purpose offers ({MI_VCORES[-1]})")
    if data_gb(server) > MI_MAX_STORAGE_GB:
        return False, (f"its {data_gb(server):,.0f} GB of data exceed a Managed Instance's "
                       f"{MI_MAX_STORAGE_GB:,} GB")
    return True, ""


def _gib(value: float) -> str:
    return f"{value:g}"
