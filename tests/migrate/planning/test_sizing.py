"""Right-sizing in both modes, disk tiers, replatform targets, and the shipped catalogs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from migrate.inventory.model import Disk, Server
from migrate.planning.cost import available_regions, load_prices
from migrate.planning.settings import PlanSettings, SizingSettings
from migrate.planning.sizing import (Sizer, data_gb, demand, load_catalog, load_disk_tiers, mi_fits,
                                     premium_storage)

SETTINGS = PlanSettings()
PERFORMANCE = replace(SETTINGS, sizing=SizingSettings(mode="performance-based", headroom=1.3))


def server(**changes) -> Server:
    base = Server(name="app01", os_name="Red Hat Enterprise Linux", os_version="8", os_family="linux", cores=4,
                  memory_mb=16 * 1024, disks=(Disk("os", 100.0), Disk("data", 200.0)), power_state="on",
                  environment="prd", tier=2)
    return replace(base, **changes)


def size(machine: Server, settings: PlanSettings = SETTINGS, *, premium: bool = False, windows: bool = False,
         sql: bool = False):
    return Sizer(settings, load_prices(settings.region)).vm(machine, premium=premium, windows=windows, sql=sql)


def test_as_on_premises_picks_the_cheapest_fit():
    # 4 vCPU / 16 GiB: D4as_v5 ($0.172) beats D4s_v5 ($0.192) and F4s_v2 (8 GiB only); B is not for production
    result = size(server())
    assert result.sku == "Standard_D4as_v5"
    assert (result.vcpu, result.memory_gb, result.mode) == (4, 16.0, "as-on-premises")
    assert result.rule.startswith("R-SIZE-AS-ON-PREMISES: 4 vCPU and 16 GiB as on premises → Standard_D4as_v5")
    assert "$0.1720/hour (payg)" in result.rule


def test_memory_boundary_exact_fits_a_hair_more_moves_up():
    assert size(server(memory_mb=16 * 1024)).sku == "Standard_D4as_v5"
    assert size(server(memory_mb=16 * 1024 + 20)).sku == "Standard_E4as_v5"


def test_burstable_sizes_only_outside_production():
    assert size(server(environment="dev")).sku == "Standard_B4ms"
    assert size(server(environment="dr")).sku == "Standard_D4as_v5"
    assert size(server(environment=None)).sku == "Standard_D4as_v5"


def test_data_disk_slots_constrain_the_size():
    many = server(cores=2, memory_mb=8 * 1024, disks=(Disk("os", 64.0),) + tuple(Disk(f"d{i}", 64.0) for i in range(6)))
    # D2as_v5 (and every 2-vCPU size) attaches only 4 data disks: the cheapest with 8 slots is F4s_v2 ($0.169)
    assert size(many).sku == "Standard_F4s_v2"
    assert size(replace(many, disks=many.disks[:5])).sku == "Standard_D2as_v5"


def test_ties_go_to_the_name_and_the_choice_is_stable():
    first = size(server())
    assert all(size(server()) == first for _ in range(3))


def test_huge_vms_and_the_generation_they_boot():
    huge = server(cores=400, memory_mb=11000 * 1024, firmware="efi")
    assert size(huge).sku == "Standard_M416ms_v2"
    bios = size(replace(huge, firmware="bios"))
    assert bios.sku == "Standard_M416ms_v2" and "convert the BIOS boot disk to UEFI" in bios.rule
    assert "convert" not in size(server(firmware="bios")).rule


def test_no_fit_gives_no_sku_and_says_why():
    result = size(server(cores=500, memory_mb=64 * 1024))
    assert result.sku is None and result.vcpu == 500
    assert result.rule.startswith("R-SIZE-NO-FIT: 500 vCPU and 64 GiB as on premises, with 1 data disks")
    assert "the largest is Standard_M416ms_v2" in result.rule
    assert size(server(disks=(Disk("os", 10.0),) + tuple(Disk(f"d{i}", 1.0) for i in range(65)))).sku is None


def test_missing_cores_or_memory_cannot_be_sized():
    result = size(server(cores=None))
    assert result.sku is None and result.rule.startswith("R-SIZE-NO-DATA")
    assert result.disks  # the disks are still mapped


def test_performance_based_uses_utilisation_times_headroom():
    busy = server(cores=8, memory_mb=32 * 1024, cpu_utilization=20.0, memory_utilization=50.0)
    need = demand(busy, PERFORMANCE)
    assert (need.vcpu, need.memory_gib, need.mode) == (3, 20.8, "performance-based")   # ceil(2.08), 32 × .5 × 1.3
    result = size(busy, PERFORMANCE)
    assert result.sku == "Standard_E4as_v5" and result.mode == "performance-based"
    assert result.rule.startswith("R-SIZE-PERFORMANCE: CPU 20 % × 1.3 of 8 cores → 3 vCPU; memory 50 % × 1.3 of "
                                  "32 GiB → 20.8 GiB → Standard_E4as_v5")


def test_performance_floors_and_their_limit():
    idle = demand(server(cores=8, memory_mb=32 * 1024, cpu_utilization=1.0, memory_utilization=1.0), PERFORMANCE)
    assert (idle.vcpu, idle.memory_gib) == (2, 4.0)
    tiny = demand(server(cores=1, memory_mb=2048, cpu_utilization=1.0, memory_utilization=1.0), PERFORMANCE)
    assert (tiny.vcpu, tiny.memory_gib) == (1, 2.0)      # the floor never exceeds the server itself
    hot = demand(server(cores=4, memory_mb=16 * 1024, cpu_utilization=100.0, memory_utilization=100.0), PERFORMANCE)
    assert (hot.vcpu, hot.memory_gib) == (6, 20.8)       # a saturated server gets its headroom


def test_performance_based_without_utilisation_falls_back_and_says_so():
    need = demand(server(), PERFORMANCE)
    assert need.mode == "as-on-premises"
    assert need.explanation == "no CPU utilisation: 4 vCPU as on premises; no memory utilisation: 16 GiB as on premises"
    partial = demand(server(cpu_utilization=10.0), PERFORMANCE)
    assert partial.mode == "performance-based" and partial.memory_gib == 16.0


@pytest.mark.parametrize("gb, premium, tier", [
    (100.0, True, "Premium SSD P10"), (128.0, True, "Premium SSD P10"), (129.0, True, "Premium SSD P15"),
    (100.0, False, "Standard SSD E10"), (0.0, False, "Standard SSD E1"), (32767.0, True, "Premium SSD P80"),
    (60000.0, True, "2 × Premium SSD P80"), (70000.0, False, "3 × Standard SSD E80"),
])
def test_disks_map_to_the_smallest_tier_that_holds_them(gb, premium, tier):
    sizer = Sizer(SETTINGS, load_prices("eastus2"))
    assert sizer.disks(server(disks=(Disk("d", gb),)), premium)[0].tier == tier


def test_premium_for_production_tier_0_1_and_databases():
    assert premium_storage(server(tier=0), database=False)
    assert premium_storage(server(tier=None), database=False)
    assert premium_storage(server(tier=2, environment="dr"), database=True)
    assert not premium_storage(server(tier=2), database=False)
    assert not premium_storage(server(tier=0, environment="tst"), database=True)


def test_sql_managed_instance_sizing():
    sizer = Sizer(SETTINGS, load_prices("eastus2"))
    db = server(cores=8, memory_mb=64 * 1024, disks=(Disk("os", 100.0), Disk("data", 700.0, used_gb=620.0)))
    result = sizer.sql_mi(db)
    assert result.sku == "SQL MI GP_Gen5 16 vCores"        # 64 GiB needs 13 vCores at 5.1 GB each
    assert result.disks[0].size_gb == 640.0                # 620 GB in 32 GB steps
    assert sizer.sql_mi(replace(db, memory_mb=16 * 1024)).sku == "SQL MI GP_Gen5 8 vCores"
    assert sizer.sql_mi(replace(db, cores=96)) is None
    assert mi_fits(replace(db, cores=96), SETTINGS)[0] is False
    assert mi_fits(db, SETTINGS) == (True, "")


def test_azure_files_sizing():
    sizer = Sizer(SETTINGS, load_prices("eastus2"))
    fs = server(disks=(Disk("os", 100.0), Disk("d", 2000.0, used_gb=1000.0), Disk("e", 500.0)))
    assert data_gb(fs) == 1500.0
    standard = sizer.files(fs, premium=False)
    assert standard.sku == "Azure Files Standard (transaction optimized)" and standard.disks[0].size_gb == 1800.0
    small = sizer.files(server(disks=(Disk("os", 100.0), Disk("d", 10.0, used_gb=10.0))), premium=True)
    assert small.sku == "Azure Files Premium" and small.disks[0].size_gb == 100.0   # Premium's minimum share
    assert sizer.files(server(disks=(Disk("os", 100.0), Disk("d", 90000.0))), premium=False) is None


def test_the_shipped_catalog_is_dated_complete_and_priced_in_every_region():
    catalog = load_catalog()
    assert catalog.catalog_date and catalog.source
    series = {s.series for s in catalog.sizes}
    assert {"B", "Dsv5", "Ddsv5", "Dasv5", "Esv5", "Edsv5", "Easv5", "Fsv2", "Msv2", "Mv2"} <= series
    for s in catalog.sizes:
        assert s.name.startswith("Standard_") and s.vcpu > 0 and s.memory_gib > 0 and s.max_data_disks > 0
        if s.series in ("Msv2", "Mv2"):
            assert s.generations == (2,)
    assert {"eastus2", "centralus", "westus2"} <= set(available_regions())
    for region in available_regions():
        assert {s.name for s in catalog.sizes} <= set(load_prices(region).vm), region
    tiers = load_disk_tiers()
    assert [t.name for t in tiers.tiers("premium-ssd")][-1] == "P80"
    assert {t.name for t in tiers.tiers("premium-ssd") + tiers.tiers("standard-ssd")} <= set(load_prices("eastus2").disks)
