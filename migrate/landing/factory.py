"""The input of Microsoft's "migrate at scale" scripts for Azure Migrate (agentless VMware), per wave.

Azure/azure-docs-powershell-samples, azure-migrate/migrate-at-scale-vmware-agentles: every script
(AzMigrate_StartReplication.ps1, _StartTestMigration, _StartMigration, ...) reads one CSV with the
columns below, in this order (its Input.csv). carelift fills what the plan and the stack know and
leaves the rest empty: project names come from `landing.azureMigrate` (nothing is invented), the
switches allow replication and test migration, and OK_TO_MIGRATE stays N until the change board
says go.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Mapping

from infra.config import AzureMigrateProject
from migrate.landing.placement import Placement, ServerFacts
from migrate.reports.cells import csv_cell

COLUMNS = (
    "AZMIGRATEPROJECT_SUBSCRIPTION_ID", "AZMIGRATEPROJECT_RESOURCE_GROUP_NAME", "AZMIGRATEPROJECT_NAME",
    "AZMIGRATE_APPLIANCE_NAME", "SOURCE_MACHINE_NAME", "OS_UPGRADE_VERSION", "AZMIGRATEASSESSMENT_NAME",
    "AZMIGRATEGROUP_NAME", "SQL_SERVER_LICENSE_TYPE", "TAG_KEY", "TAG_VALUE", "VM_TAG_KEY", "VM_TAG_VALUE",
    "DISK_TAG_KEY", "DISK_TAG_VALUE", "NIC_TAG_KEY", "NIC_TAG_VALUE", "TEST_NETWORK_ID", "TARGET_SUBSCRIPTION_ID",
    "TARGET_RESOURCE_GROUP_NAME", "TARGET_VNET_NAME", "TARGET_SUBNET_NAME", "TARGET_MACHINE_NAME",
    "TARGET_MACHINE_SIZE", "LICENSE_TYPE", "OS_DISK_ID", "DATA_DISK1_ID", "DATA_DISK2_ID", "TARGET_DISKTYPE",
    "AVAILABILITYZONE_NUMBER", "AVAILABILITYSET_NAME", "TURNOFF_SOURCESERVER", "TESTMIGRATE_VNET_NAME",
    "UPDATED_TAG_KEY", "UPDATED_TAG_VALUE", "UPDATED_TAG_OPERATION", "UPDATED_VMTAG_KEY", "UPDATED_VMTAG_VALUE",
    "UPDATED_VMTAG_OPERATION", "UPDATED_DISKTAG_KEY", "UPDATED_DISKTAG_VALUE", "UPDATED_DISKTAG_OPERATION",
    "UPDATED_NICTAG_KEY", "UPDATED_NICTAG_VALUE", "UPDATED_NICTAG_OPERATION", "UPDATED_TARGET_RESOURCE_GROUP_NAME",
    "UPDATED_TARGET_VNET_NAME", "UPDATED_TARGET_MACHINE_NAME", "UPDATED_TARGET_DISK_NAME",
    "UPDATED_TARGET_OS_DISK_NAME", "UPDATED_TARGET_DATA_DISK1_NAME", "UPDATED_TARGET_DATA_DISK2_NAME",
    "UPDATED_TARGET_MACHINE_SIZE", "UPDATED_AVAILABILITYZONE_NUMBER", "UPDATED_AVAILABILITYSET_NAME",
    "UPDATED_NIC1_ID", "UPDATED_TARGET_NIC1_NAME", "UPDATED_TARGET_NIC1_SELECTIONTYPE",
    "UPDATED_TARGET_NIC1_SUBNET_NAME", "UPDATED_TARGET_NIC1_IP", "UPDATED_TARGET_NIC1_TEST_IP",
    "UPDATED_TARGET_NIC1_TEST_SUBNET_NAME", "UPDATED_NIC2_ID", "UPDATED_TARGET_NIC2_NAME",
    "UPDATED_TARGET_NIC2_SELECTIONTYPE", "UPDATED_TARGET_NIC2_SUBNET_NAME", "UPDATED_TARGET_NIC2_IP",
    "UPDATED_TARGET_NIC2_TEST_IP", "UPDATED_TARGET_NIC2_TEST_SUBNET_NAME", "OK_TO_UPDATE", "OK_TO_MIGRATE",
    "OK_TO_USE_ASSESSMENT", "OK_TO_TESTMIGRATE", "OK_TO_RETRIEVE_REPLICATIONSTATUS", "OK_TO_CLEANUP",
    "OK_TO_TESTMIGRATE_CLEANUP",
)
# carelift's disk tiers -> Azure Migrate's TARGET_DISKTYPE values.
DISK_TYPES = {"premium ssd v2": "PremiumV2_LRS", "premium ssd": "Premium_LRS", "standard ssd": "StandardSSD_LRS",
              "standard hdd": "Standard_LRS", "ultra": "UltraSSD_LRS"}


@dataclass(frozen=True)
class WaveExport:
    text: str
    rows: int
    others: tuple[str, ...]
    """Servers of the wave not exported, each with its strategy or why it has no target."""


def disk_type(server: Mapping[str, Any]) -> str:
    disks = (server.get("sizing") or {}).get("disks") or []
    tier = str(disks[0].get("tier", "")).lower() if disks else ""
    return next((value for name, value in DISK_TYPES.items() if tier.startswith(name)), "")


def wave_csv(plan: Mapping[str, Any], wave: int, placement: Placement, facts: Mapping[str, ServerFacts],
             project: AzureMigrateProject, tags: Mapping[str, str], test_vnet: str | None = None) -> WaveExport:
    """One row per rehost server of the wave that has a target, in the scripts' column order."""
    rows, others = [], []
    for name, server in sorted(plan.get("servers", {}).items()):
        if server.get("wave") != wave:
            continue
        strategy = server.get("strategy")
        target = placement.targets.get(name)
        if strategy != "rehost":
            others.append(f"{name}: {strategy}" + (f" to {server['strategy_target']}"
                                                   if server.get("strategy_target") else ""))
            continue
        if target is None:
            others.append(f"{name}: rehost, but no landing target")
            continue
        fact = facts.get(name)
        server_tags = {**tags, "data-classification": (fact.data_classification if fact and fact.data_classification
                                                       else tags.get("data-classification", "")),
                       "migration-wave": str(wave)}
        windows = (fact.os_family if fact else "") == "windows" or "windows" in str(server.get("os", "")).lower()
        hybrid_benefit = bool((server.get("cost") or {}).get("hybrid_benefit")) and windows
        row = dict.fromkeys(COLUMNS, "")
        row.update({
            "AZMIGRATEPROJECT_SUBSCRIPTION_ID": project.subscription_id,
            "AZMIGRATEPROJECT_RESOURCE_GROUP_NAME": project.resource_group,
            "AZMIGRATEPROJECT_NAME": project.project,
            "SOURCE_MACHINE_NAME": name,
            "AZMIGRATEASSESSMENT_NAME": project.assessment or "",
            "TAG_KEY": ",".join(sorted(server_tags)),
            "TAG_VALUE": ",".join(server_tags[k] for k in sorted(server_tags)),
            "TARGET_RESOURCE_GROUP_NAME": target.resource_group,
            "TARGET_VNET_NAME": target.vnet,
            "TARGET_SUBNET_NAME": target.subnet,
            "TARGET_MACHINE_NAME": name,
            "TARGET_MACHINE_SIZE": server.get("target_sku") or "",
            "LICENSE_TYPE": "WindowsServer" if hybrid_benefit else "NoLicenseType",
            "TARGET_DISKTYPE": disk_type(server),
            # Off at cutover: the source must not keep writing while its copy takes over.
            "TURNOFF_SOURCESERVER": "Y",
            "TESTMIGRATE_VNET_NAME": test_vnet or "",
            "OK_TO_UPDATE": "N",
            "OK_TO_MIGRATE": "N",
            "OK_TO_USE_ASSESSMENT": "Y" if project.assessment else "N",
            "OK_TO_TESTMIGRATE": "Y" if test_vnet else "N",
            "OK_TO_RETRIEVE_REPLICATIONSTATUS": "Y",
            "OK_TO_CLEANUP": "N",
            "OK_TO_TESTMIGRATE_CLEANUP": "Y" if test_vnet else "N",
        })
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in COLUMNS])
    return WaveExport(buffer.getvalue(), len(rows), tuple(others))
