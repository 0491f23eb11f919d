"""The new controls on ARM templates written the way migration templates are: settings declared as nested child
resources with short types ('firewallRules', 'config', 'containers'), values as expressions, lower-case enums.

The template below is ours, in the shapes of Azure's quickstart templates (web-app-sql-database,
vm-simple-windows, function-app-create-dynamic): the controls must find the children through the ids the
template reader gives them, not only in hand-built documents.
"""

from __future__ import annotations

from infra.compliance.catalog import all_controls
from infra.compliance.engine import evaluate
from infra.compliance.sources import documents_from_json

SITE = "[concat('app-', uniqueString(resourceGroup().id))]"

TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"adminLogin": {"type": "string"}, "alertEmail": {"type": "string", "defaultValue": "soc@example.org"}},
    "resources": [
        {"type": "Microsoft.Sql/servers", "apiVersion": "2021-11-01", "name": "sql-ehr", "location": "eastus2",
         "tags": {"data-classification": "phi"},
         "properties": {"administratorLogin": "[parameters('adminLogin')]", "minimalTlsVersion": "1.2",
                        "publicNetworkAccess": "disabled"},
         "resources": [
             {"type": "firewallRules", "apiVersion": "2021-11-01", "name": "anyone",
              "dependsOn": ["sql-ehr"], "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "255.255.255.255"}},
             {"type": "securityAlertPolicies", "apiVersion": "2021-11-01", "name": "Default", "dependsOn": ["sql-ehr"],
              "properties": {"state": "Enabled", "emailAddresses": ["[parameters('alertEmail')]"]}},
             {"type": "auditingSettings", "apiVersion": "2021-11-01", "name": "default", "dependsOn": ["sql-ehr"],
              "properties": {"state": "enabled", "isAzureMonitorTargetEnabled": True}},
         ]},
        {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": SITE, "location": "eastus2",
         "kind": "app,linux",
         "properties": {"httpsOnly": "true", "siteConfig": {"linuxFxVersion": "PYTHON|3.9"}},
         "resources": [
             {"type": "config", "apiVersion": "2023-01-01", "name": "web", "dependsOn": [SITE],
              "properties": {"ftpsState": "disabled", "minTlsVersion": "1.0"}},
         ]},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "stdocs", "location": "eastus2",
         "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "tags": {"data-classification": "phi"},
         "properties": {},
         "resources": [
             {"type": "blobServices/containers", "apiVersion": "2023-01-01", "name": "default/scans",
              "dependsOn": ["stdocs"], "properties": {"publicAccess": "blob"}},
         ]},
    ],
}


def verdicts() -> dict[tuple[str, str], str]:
    """(control id, resource name) -> status."""
    documents = documents_from_json(TEMPLATE, "template.json").documents
    result = evaluate(documents, all_controls())
    return {(f.control, f.resource_id.rsplit("/", 1)[-1]): f.status.value for f in result.findings}


def test_sql_children_declared_inside_the_server_are_judged_with_it():
    found = verdicts()
    assert found[("CL-SQL-006", "sql-ehr")] == "fail"      # the nested allow-all firewall rule
    assert found[("CL-SQL-007", "sql-ehr")] == "pass"      # alerts to a parameter's default address
    assert found[("CL-SQL-002", "sql-ehr")] == "pass"      # "enabled", no retentionDays: kept forever
    assert found[("CL-SQL-005", "sql-ehr")] == "pass"      # "disabled"
    assert found[("CL-SQL-008", "sql-ehr")] == "fail"      # PHI with a service-managed key


def test_site_config_child_overrides_the_inline_site_config():
    found = verdicts()
    name = "app-[uniqueString(resourceGroup().id)]"
    assert found[("CL-APP-001", name)] == "pass"           # httpsOnly "true"
    assert found[("CL-APP-003", name)] == "pass"           # config/web ftpsState "disabled"
    assert found[("CL-APP-002", name)] == "fail"           # config/web minTlsVersion 1.0
    assert found[("CL-APP-009", name)] == "fail"           # Python 3.9 is out of support


def test_storage_containers_declared_under_the_account_are_judged_one_by_one():
    found = verdicts()
    assert found[("CL-ST-011", "scans")] == "fail"
    assert found[("CL-ST-010", "stdocs")] == "fail"        # PHI in Standard_LRS
    assert found[("CL-ST-001", "stdocs")] == "pass"        # API 2023-01-01: HTTPS only by default
    assert found[("CL-ST-003", "stdocs")] == "pass"        # API 2023-01-01: no anonymous access by default
