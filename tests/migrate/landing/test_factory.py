from __future__ import annotations

import csv
import io

from infra.config import AzureMigrateProject
from migrate.landing.factory import COLUMNS, wave_csv
from migrate.landing.placement import place
from tests.migrate.landing.conftest import FACTS

PROJECT = AzureMigrateProject("3f2a9c1e-7b4d-4e8a-9c0f-5d6e7f8a9b0c", "rg-migrate", "dc-exit", None)
# The columns the issue names, in the order Microsoft's scripts read them.
NAMED = ("AZMIGRATEPROJECT_SUBSCRIPTION_ID", "AZMIGRATEPROJECT_RESOURCE_GROUP_NAME", "AZMIGRATEPROJECT_NAME",
         "SOURCE_MACHINE_NAME", "AZMIGRATEASSESSMENT_NAME", "AZMIGRATEGROUP_NAME", "TARGET_RESOURCE_GROUP_NAME",
         "TARGET_VNET_NAME", "TARGET_SUBNET_NAME", "TARGET_MACHINE_NAME", "TARGET_MACHINE_SIZE", "LICENSE_TYPE",
         "OS_DISK_ID", "TARGET_DISKTYPE", "AVAILABILITYZONE_NUMBER", "AVAILABILITYSET_NAME", "TURNOFF_SOURCESERVER",
         "TESTMIGRATE_VNET_NAME")


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_rehost_server_with_its_target_in_the_scripts_column_order(plan, prod_bare):
    export = wave_csv(plan, 2, place(plan, FACTS, prod_bare), FACTS, PROJECT, prod_bare.base_tags)
    header = export.text.splitlines()[0].split(",")
    assert header == list(COLUMNS)
    assert [header.index(c) for c in NAMED] == sorted(header.index(c) for c in NAMED)
    (row,) = rows(export.text)
    assert row["SOURCE_MACHINE_NAME"] == "ehr-prd-app01"
    assert (row["TARGET_RESOURCE_GROUP_NAME"], row["TARGET_VNET_NAME"], row["TARGET_SUBNET_NAME"]) == (
        "rg-rbh-prod-clinical", "vnet-rbh-prod-clinical", "snet-ehr-app")
    assert row["TARGET_MACHINE_SIZE"] == "Standard_D4as_v5"
    assert row["LICENSE_TYPE"] == "WindowsServer" and row["TARGET_DISKTYPE"] == "Premium_LRS"
    assert row["OK_TO_MIGRATE"] == "N" and row["OK_TO_RETRIEVE_REPLICATIONSTATUS"] == "Y"
    assert row["OK_TO_TESTMIGRATE"] == "N"  # no isolated test VNet given
    assert dict(zip(row["TAG_KEY"].split(","), row["TAG_VALUE"].split(",")))["migration-wave"] == "2"


def test_other_strategies_are_listed_not_exported_and_linux_keeps_no_license(plan, prod_bare):
    placement = place(plan, FACTS, prod_bare)
    export = wave_csv(plan, 3, placement, FACTS, PROJECT, prod_bare.base_tags, test_vnet="vnet-test")
    assert export.others == ("erp-prd-db01: replatform to Azure SQL Managed Instance",
                             "lis-prd-app01: rehost, but no landing target")
    assert rows(export.text) == []


def test_hostile_names_are_written_as_text(plan, prod_bare):
    plan["servers"]["=cmd|'/c calc'!A1"] = dict(plan["servers"]["ehr-prd-app01"])
    export = wave_csv(plan, 2, place(plan, FACTS, prod_bare), FACTS, PROJECT, prod_bare.base_tags, "vnet-test")
    names = [r["SOURCE_MACHINE_NAME"] for r in rows(export.text)]
    assert "'=cmd|'/c calc'!A1" in names
    assert all(r["OK_TO_TESTMIGRATE"] == "Y" for r in rows(export.text))
