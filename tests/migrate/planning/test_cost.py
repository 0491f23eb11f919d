"""Cost arithmetic against hand-computed figures from the eastus2 snapshot, and the price files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from migrate.planning.cost import (CatalogError, available_regions, files_cost, load_prices, managed_instance_cost,
                                   pricing_assumptions, total, vm_cost, vm_hourly)
from migrate.planning.model import Cost, DiskSizing, Sizing
from migrate.planning.settings import PlanSettings, Pricing

PRICES = load_prices("eastus2")
PAYG_AHB, PAYG, RI3Y = Pricing("payg", True), Pricing("payg", False), Pricing("ri3y", False)


def vm(sku: str = "Standard_D4as_v5", vcpu: int = 4, *tiers: str) -> Sizing:
    return Sizing(sku, vcpu=vcpu, disks=tuple(DiskSizing(f"d{i}", 1.0, t) for i, t in enumerate(tiers)))


def test_linux_compute_under_each_option():
    # D4as_v5: $0.172 / $0.1032 / $0.0688 per hour × 730 hours
    cost = vm_cost(vm(), PRICES, PAYG, windows=False, sql=False)
    assert (cost.compute_payg, cost.compute_ri1y, cost.compute_ri3y) == (125.56, 75.34, 50.22)
    assert (cost.storage, cost.monthly, cost.hybrid_benefit) == (0.0, 125.56, False)
    assert vm_cost(vm(), PRICES, PAYG_AHB, windows=False, sql=False).hybrid_benefit is False   # nothing to remove


def test_windows_licence_and_what_hybrid_benefit_removes():
    # Windows licence on D4as_v5: $0.184/hour, also on top of a reservation
    without = vm_cost(vm(), PRICES, PAYG, windows=True, sql=False)
    assert (without.compute_payg, without.compute_ri1y, without.compute_ri3y) == (259.88, 209.66, 184.54)
    with_benefit = vm_cost(vm(), PRICES, PAYG_AHB, windows=True, sql=False)
    assert (with_benefit.compute_payg, with_benefit.hybrid_benefit) == (125.56, True)


def test_sql_server_licence_is_billed_for_at_least_four_vcpu():
    # E2as_v5 Windows + SQL Standard: 0.113 + 0.092 + 0.10 × 4 = $0.605/hour
    assert vm_hourly(PRICES, "Standard_E2as_v5", 2, "payg", windows=True, sql=True, hybrid_benefit=False) == \
        pytest.approx(0.605)
    cost = vm_cost(vm("Standard_E2as_v5", 2), PRICES, PAYG, windows=True, sql=True)
    assert cost.compute_payg == 441.65
    assert vm_cost(vm("Standard_E2as_v5", 2), PRICES, PAYG_AHB, windows=True, sql=True).compute_payg == 82.49
    # 8 vCPU pays for 8: 0.344 + 0.368 + 0.8
    assert vm_hourly(PRICES, "Standard_D8as_v5", 8, "payg", windows=True, sql=True, hybrid_benefit=False) == \
        pytest.approx(1.512)


def test_storage_and_the_chosen_option():
    sizing = vm("Standard_D4as_v5", 4, "Premium SSD P10", "Premium SSD P30", "2 × Premium SSD P80")
    cost = vm_cost(sizing, PRICES, RI3Y, windows=False, sql=False)
    assert cost.storage == round(19.71 + 135.17 + 2 * 3604.09, 2) == 7363.06
    assert cost.monthly == round(50.22 + 7363.06, 2)


def test_unsized_costs_nothing():
    assert vm_cost(Sizing(None), PRICES, PAYG, windows=True, sql=True) == Cost()


def test_managed_instance():
    sizing = Sizing("SQL MI GP_Gen5 4 vCores", vcpu=4, disks=(DiskSizing("SQL MI storage", 640.0, "x"),))
    licensed = managed_instance_cost(sizing, PRICES, PAYG)
    assert licensed.compute_payg == 1472.85          # 4 × (0.3526 + 0.1518) × 730
    assert licensed.storage == 69.92                 # (640 − 32 included) × 0.115
    assert licensed.monthly == 1542.77
    benefit = managed_instance_cost(sizing, PRICES, PAYG_AHB)
    assert (benefit.compute_payg, benefit.compute_ri3y, benefit.hybrid_benefit) == (1029.59, 566.19, True)


def test_azure_files():
    share = Sizing("Azure Files Standard (transaction optimized)", disks=(DiskSizing("share", 1200.0, "x"),))
    assert files_cost(share, PRICES, PAYG, premium=False) == Cost(storage=72.0, monthly=72.0)
    assert files_cost(share, PRICES, PAYG, premium=True).monthly == 192.0


def test_total_adds_every_field():
    a = Cost(1.005, 2.0, 3.0, 4.0, 5.0, False)
    b = Cost(1.0, 2.0, 3.0, 4.0, 5.0, True)
    assert total([a, b]) == Cost(2.0, 4.0, 6.0, 8.0, 10.0, True)
    assert total([]) == Cost()


def test_every_price_file_is_a_dated_usd_snapshot_with_its_assumptions():
    assert {"eastus2", "centralus", "westus2"} <= set(available_regions())
    for region in available_regions():
        prices = load_prices(region)
        assert prices.region == region and prices.currency == "USD" and prices.hours_per_month == 730
        assert len(prices.snapshot_date) == 10 and prices.snapshot_date.startswith("20")
        assert prices.source and len(prices.assumptions) >= 5
        for price in prices.vm.values():
            assert price.ri3y < price.ri1y < price.payg
    assert load_prices("centralus").vm["Standard_D4s_v5"].payg != PRICES.vm["Standard_D4s_v5"].payg


def test_an_unknown_region_names_the_shipped_ones():
    with pytest.raises(CatalogError, match="no price snapshot for region 'mars1'.*centralus, eastus2"):
        load_prices("mars1")


def test_a_broken_price_file_names_the_entry(tmp_path: Path):
    document = yaml.safe_load(Path(PRICES_FILE()).read_text())
    document["vm"]["Standard_D2s_v5"]["payg"] = "cheap"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(document))
    with pytest.raises(CatalogError, match=r"broken.yaml: vm.Standard_D2s_v5.payg has the wrong type"):
        load_prices("eastus2", broken)
    document["vm"]["Standard_D2s_v5"]["payg"] = 0.096
    del document["sql_managed_instance"]
    broken.write_text(yaml.safe_dump(document))
    with pytest.raises(CatalogError, match="sql_managed_instance is missing"):
        load_prices("eastus2", broken)


def PRICES_FILE() -> Path:
    from importlib import resources

    return Path(str(resources.files("migrate") / "data" / "prices" / "eastus2.yaml"))


def test_pricing_assumptions_for_the_plan():
    quote = pricing_assumptions(PlanSettings())
    assert quote["currency"] == "USD" and quote["region"] == "eastus2" and quote["option"] == "payg"
    assert quote["hybrid_benefit"] is True and quote["hours_per_month"] == 730
    assert quote["snapshot_date"] == PRICES.snapshot_date and quote["source"] == PRICES.source
    assert quote["assumptions"] == list(PRICES.assumptions)
    assert quote["vm_catalog_date"] and quote["disk_tiers_date"]
