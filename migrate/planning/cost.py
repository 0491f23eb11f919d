"""Monthly cost per server from the shipped, dated price snapshot of the plan's region.

    prices = load_prices("eastus2")                  # migrate/data/prices/eastus2.yaml
    cost = vm_cost(sizing, prices, settings.pricing, windows=True, sql=False)

A month is `hours_per_month` (730) hours. Each Cost carries compute under all three options —
pay-as-you-go, 1-year and 3-year reservations — plus storage; `monthly` is compute under the
option the settings chose plus storage. Aggregating per application, wave and plan is the
caller's (`total`).

What Azure Hybrid Benefit (settings `pricing.hybrid_benefit`, on by default) removes:
- Windows Server: the Windows licence charged per VM-hour on top of compute. Reservations cover
  compute only, so without the benefit a reserved Windows VM still pays the licence at the
  pay-as-you-go rate.
- SQL Server on a VM: the SQL Server licence per vCPU-hour (Standard edition assumed, billed
  for at least 4 vCPU). On Azure SQL Managed Instance: the licence part of the vCore price.
It assumes licences with Software Assurance cover every core; a Linux server without SQL
Server has nothing to remove (Cost.hybrid_benefit stays False).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from infra.inputs import read_input_text
from migrate.planning.catalogs import CatalogError, load_catalog, load_disk_tiers
from migrate.planning.model import Cost, Sizing
from migrate.planning.settings import PlanSettings, Pricing

OPTIONS = ("payg", "ri1y", "ri3y")


@dataclass(frozen=True)
class VmPrice:
    payg: float
    ri1y: float
    ri3y: float
    windows: float
    """Windows Server licence, USD per hour on top of compute."""

    def compute(self, option: str) -> float:
        return {"payg": self.payg, "ri1y": self.ri1y, "ri3y": self.ri3y}[option]


@dataclass(frozen=True)
class ManagedInstancePrice:
    vcore_hour: Mapping[str, float]
    """Compute per vCore-hour without the SQL licence, by option (payg, ri1y, ri3y)."""
    license_vcore_hour: float
    storage_per_gb_month: float
    included_storage_gb: int


@dataclass(frozen=True)
class PriceSheet:
    region: str
    currency: str
    snapshot_date: str
    source: str
    hours_per_month: int
    assumptions: tuple[str, ...]
    vm: Mapping[str, VmPrice]
    disks: Mapping[str, float]
    """Managed-disk tier (P30, E10, ...) -> USD per disk-month."""
    sql_per_vcpu_hour: float
    """SQL Server Standard edition licence on a VM."""
    sql_min_vcpu: int
    files_premium_per_gib: float
    files_standard_per_gib: float
    files_premium_min_gib: int
    managed_instance: ManagedInstancePrice


def available_regions() -> tuple[str, ...]:
    folder = resources.files("migrate") / "data" / "prices"
    return tuple(sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".yaml")))


@lru_cache(maxsize=8)
def load_prices(region: str, path: Path | None = None) -> PriceSheet:
    """The price snapshot of `region` (or the file at `path`); CatalogError names what is wrong."""
    if path is None:
        if region not in available_regions():
            raise CatalogError(f"no price snapshot for region {region!r}: carelift ships "
                               f"{', '.join(available_regions())} (migrate/data/prices/<region>.yaml)")
        text = (resources.files("migrate") / "data" / "prices" / f"{region}.yaml").read_text(encoding="utf-8")
        origin = f"migrate/data/prices/{region}.yaml"
    else:
        text, origin = read_input_text(path), str(path)
    return _parse_prices(yaml.safe_load(text), origin)


def _parse_prices(document: Any, origin: str) -> PriceSheet:
    def value(mapping: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
        if not isinstance(mapping, dict) or key not in mapping:
            raise CatalogError(f"{origin}: {where}{key} is missing")
        if not isinstance(mapping[key], kind):
            raise CatalogError(f"{origin}: {where}{key} has the wrong type ({type(mapping[key]).__name__})")
        return mapping[key]

    def number(mapping: Any, key: str, where: str) -> float:
        found = value(mapping, key, where, (int, float))
        if isinstance(found, bool) or found < 0:
            raise CatalogError(f"{origin}: {where}{key} must be a number ≥ 0, got {found!r}")
        return float(found)

    snapshot = value(document, "snapshot_date", "", (date, str))
    vm = {str(name): VmPrice(*(number(entry, k, f"vm.{name}.") for k in ("payg", "ri1y", "ri3y", "windows")))
          for name, entry in sorted(value(document, "vm", "", dict).items())}
    disks = {str(tier): number(document["disks"], tier, "disks.") for tier in value(document, "disks", "", dict)}
    licenses = value(document, "licenses", "", dict)
    files = value(document, "azure_files", "", dict)
    mi = value(document, "sql_managed_instance", "", dict)
    where = "sql_managed_instance."
    return PriceSheet(
        region=value(document, "region", "", str), currency=value(document, "currency", "", str),
        snapshot_date=snapshot.isoformat() if isinstance(snapshot, date) else snapshot,
        source=" ".join(value(document, "source", "", str).split()),
        hours_per_month=int(number(document, "hours_per_month", "")),
        assumptions=tuple(str(a) for a in value(document, "assumptions", "", list)), vm=vm, disks=disks,
        sql_per_vcpu_hour=number(licenses, "sql_standard_per_vcpu_hour", "licenses."),
        sql_min_vcpu=int(number(licenses, "sql_min_vcpu", "licenses.")),
        files_premium_per_gib=number(files, "premium_per_gib_month", "azure_files."),
        files_standard_per_gib=number(files, "standard_per_gib_month", "azure_files."),
        files_premium_min_gib=int(number(files, "premium_min_gib", "azure_files.")),
        managed_instance=ManagedInstancePrice(
            vcore_hour={"payg": number(mi, "gp_vcore_hour", where), "ri1y": number(mi, "gp_vcore_hour_ri1y", where),
                        "ri3y": number(mi, "gp_vcore_hour_ri3y", where)},
            license_vcore_hour=number(mi, "sql_license_vcore_hour", where),
            storage_per_gb_month=number(mi, "storage_per_gb_month", where),
            included_storage_gb=int(number(mi, "included_storage_gb", where))))


# -- per server -----------------------------------------------------------------------------

def vm_hourly(prices: PriceSheet, sku: str, vcpu: int, option: str, *, windows: bool, sql: bool,
              hybrid_benefit: bool) -> float:
    """USD per hour of one VM under `option`: compute, plus the licences Hybrid Benefit would remove."""
    price = prices.vm[sku]
    rate = price.compute(option)
    if windows and not hybrid_benefit:
        rate += price.windows
    if sql and not hybrid_benefit:
        rate += prices.sql_per_vcpu_hour * max(vcpu, prices.sql_min_vcpu)
    return rate


def vm_cost(sizing: Sizing, prices: PriceSheet, pricing: Pricing, *, windows: bool, sql: bool) -> Cost:
    """A VM's month: compute under each option, and its managed disks."""
    if sizing.sku is None:
        return Cost()
    hours = prices.hours_per_month
    compute = {option: round(hours * vm_hourly(prices, sizing.sku, sizing.vcpu, option, windows=windows, sql=sql,
                                               hybrid_benefit=pricing.hybrid_benefit), 2)
               for option in OPTIONS}
    storage = disk_storage(sizing, prices)
    return _cost(compute, storage, pricing, benefit=pricing.hybrid_benefit and (windows or sql))


def disk_storage(sizing: Sizing, prices: PriceSheet) -> float:
    """USD per month of the sizing's managed disks (a tier reads "Premium SSD P30" or "2 × Premium SSD P80")."""
    total = 0.0
    for disk in sizing.disks:
        count, tier = disk_tier(disk.tier)
        total += count * prices.disks[tier]
    return round(total, 2)


def disk_tier(label: str) -> tuple[int, str]:
    """("2 × Premium SSD P80") -> (2, "P80"); ("Standard SSD E10") -> (1, "E10")."""
    count = 1
    if " × " in label:
        head, _, label = label.partition(" × ")
        count = int(head)
    return count, label.rsplit(" ", 1)[-1]


def managed_instance_cost(sizing: Sizing, prices: PriceSheet, pricing: Pricing) -> Cost:
    """Azure SQL Managed Instance General Purpose: vCores (licence unless Hybrid Benefit) and storage."""
    mi = prices.managed_instance
    hours = prices.hours_per_month
    license_rate = 0.0 if pricing.hybrid_benefit else mi.license_vcore_hour
    compute = {option: round(hours * sizing.vcpu * (mi.vcore_hour[option] + license_rate), 2) for option in OPTIONS}
    storage_gb = sum(d.size_gb for d in sizing.disks)
    storage = round(max(0.0, storage_gb - mi.included_storage_gb) * mi.storage_per_gb_month, 2)
    return _cost(compute, storage, pricing, benefit=pricing.hybrid_benefit)


def files_cost(sizing: Sizing, prices: PriceSheet, pricing: Pricing, *, premium: bool) -> Cost:
    """Azure Files: the share's GiB per month (provisioned for Premium, used for Standard); no compute."""
    gib = sum(d.size_gb for d in sizing.disks)
    rate = prices.files_premium_per_gib if premium else prices.files_standard_per_gib
    return _cost({option: 0.0 for option in OPTIONS}, round(gib * rate, 2), pricing, benefit=False)


def _cost(compute: Mapping[str, float], storage: float, pricing: Pricing, *, benefit: bool) -> Cost:
    return Cost(compute_payg=compute["payg"], compute_ri1y=compute["ri1y"], compute_ri3y=compute["ri3y"],
                storage=storage, monthly=round(compute[pricing.option] + storage, 2), hybrid_benefit=benefit)


# -- aggregation and the plan's quote ---------------------------------------------------------

def total(costs: Iterable[Cost]) -> Cost:
    """The sum of several costs (an application, a wave, the plan); hybrid_benefit if any used it."""
    fields = {"compute_payg": 0.0, "compute_ri1y": 0.0, "compute_ri3y": 0.0, "storage": 0.0, "monthly": 0.0}
    benefit = False
    for cost in costs:
        for name in fields:
            fields[name] += getattr(cost, name)
        benefit = benefit or cost.hybrid_benefit
    return Cost(**{name: round(value, 2) for name, value in fields.items()}, hybrid_benefit=benefit)


def pricing_assumptions(settings: PlanSettings) -> dict[str, Any]:
    """What the plan quotes next to its costs: snapshot, source, option, and every assumption."""
    prices = load_prices(settings.region)
    return {
        "currency": prices.currency,
        "region": prices.region,
        "snapshot_date": prices.snapshot_date,
        "source": prices.source,
        "hours_per_month": prices.hours_per_month,
        "option": settings.pricing.option,
        "hybrid_benefit": settings.pricing.hybrid_benefit,
        "sizing_mode": settings.sizing.mode,
        "headroom": settings.sizing.headroom,
        "vm_catalog_date": load_catalog().catalog_date,
        "disk_tiers_date": load_disk_tiers().tiers_date,
        "assumptions": list(prices.assumptions),
        "note": "List prices for planning, not a quote.",
    }
