"""A hand-made plan over the prod stack's landing rules: small enough to reason about every figure."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from migrate.landing.placement import ServerFacts
from migrate.landing.service import load_bare_stack
from tests.conftest import STACKS


def server(wave, strategy="rehost", environment="prd", applications=("EHR",), tier=1, **extra):
    return {"wave": wave, "strategy": strategy, "environment": environment, "applications": list(applications),
            "tier": tier, "excluded": None, "target_sku": "Standard_D4as_v5", "strategy_target": None,
            "cost": {"hybrid_benefit": True},
            "sizing": {"disks": [{"label": "Hard disk 1", "size_gb": 128, "tier": "Premium SSD P10"}]}, **extra}


def one_subnet_stack_file(directory: Path) -> Path:
    """The prod stack with every server sent to one existing subnet (no rule needs a new spoke), so a
    wave lands as the stack is deployed."""
    document = yaml.safe_load((STACKS / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    document["config"]["carelift:landing"]["rules"] = []
    document["config"]["carelift:landing"]["default"] = {"spoke": "clinical", "subnet": "snet-ehr-app"}
    path = directory / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


PLAN = {
    "schema": "carelift.plan/v1",
    "settings": {"bandwidth_mbps": 1000, "replication_utilization": 0.5,
                 "cutover_window": {"time_zone": "America/Chicago"}},
    "servers": {
        "ehr-prd-app01": server(2),
        "ehr-tst-app01": server(1, environment="tst"),
        "lis-prd-app01": server(3, applications=("Laboratory (LIS)",)),
        "hl7-prd-eng01": server(4, applications=("HL7 Interface Engine",)),
        "erp-prd-db01": server(3, strategy="replatform", applications=("Finance ERP",),
                               strategy_target="Azure SQL Managed Instance"),
        "old-prd-app01": server(None, strategy="retire", applications=("Intranet",), excluded="retire: idle"),
    },
    "waves": [{"number": n, "name": f"Wave {n}", "cutover": f"2027-0{n + 2}-06T00:00:00-06:00",
               "cutover_end": f"2027-0{n + 2}-06T06:00:00-06:00", "servers": [],
               "metrics": {"replication_tb": 1.5, "tier0_cutovers": 0, "phi_servers": 1}} for n in (1, 2, 3, 4)],
    "crossing_links": [
        # The engine (wave 4) feeds the EHR (wave 2) and the LIS (wave 3) over MLLP; the EHR calls it back.
        {"source": "hl7-prd-eng01", "destination": "ehr-prd-app01", "source_wave": 4, "destination_wave": 2,
         "port": 2575, "needs": ["ExpressRoute/VPN", "firewall rule tcp/2575"], "weight": 9},
        {"source": "hl7-prd-eng01", "destination": "ehr-prd-app01", "source_wave": 4, "destination_wave": 2,
         "port": 2576, "needs": ["firewall rule tcp/2576"], "weight": 2},
        {"source": "ehr-prd-app01", "destination": "hl7-prd-eng01", "source_wave": 2, "destination_wave": 4,
         "port": 443, "needs": ["firewall rule tcp/443"], "weight": 3},
        {"source": "hl7-prd-eng01", "destination": "lis-prd-app01", "source_wave": 4, "destination_wave": 3,
         "port": 2575, "needs": ["firewall rule tcp/2575"], "weight": 5},
    ],
}
for wave in PLAN["waves"]:
    wave["servers"] = sorted(n for n, s in PLAN["servers"].items() if s["wave"] == wave["number"])

FACTS = {
    "ehr-prd-app01": ServerFacts("ehr-prd-app01", ("10.2.0.10",), "phi", "EHR team", "windows"),
    "ehr-tst-app01": ServerFacts("ehr-tst-app01", ("10.2.1.10",), "phi", "EHR team", "windows"),
    "lis-prd-app01": ServerFacts("lis-prd-app01", ("10.3.0.20",), "phi", "Lab IT", "linux"),
    "hl7-prd-eng01": ServerFacts("hl7-prd-eng01", ("10.4.0.10", "fe80::1"), "phi", "Integration", "windows"),
}


@pytest.fixture
def plan() -> dict:
    return copy.deepcopy(PLAN)


@pytest.fixture(scope="session")
def prod_bare():
    return load_bare_stack(STACKS / "Pulumi.prod.yaml")
