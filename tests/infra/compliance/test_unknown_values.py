"""Templates whose values are expressions, read and judged end to end: manual, never a crash or a false fail."""

from __future__ import annotations

import json

from infra.compliance.catalog import all_controls
from infra.compliance.engine import evaluate
from infra.compliance.index import get_entries, get_list
from infra.compliance.model import Status, Unknown, touched_unknowns
from infra.compliance.sources import read_arm_file

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def audit(tmp_path, *resources, **extra):
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"$schema": SCHEMA, **extra, "resources": list(resources)}), encoding="utf-8")
    source = read_arm_file(path)
    return evaluate(source.documents, all_controls(), problems=source.problems, not_audited=source.gaps)


def statuses(result, control: str) -> list[Status]:
    return [f.status for f in result.findings if f.control == control]


def test_diagnostic_logs_given_as_one_expression_are_manual_not_a_crash(tmp_path):
    # Azure Verified Modules pass `logs` as one expression; iterating it used to raise AttributeError.
    vault = {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-a", "location": "eastus2",
             "properties": {"enablePurgeProtection": True}}
    setting = {"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview", "name": "diag",
               "scope": "[format('Microsoft.KeyVault/vaults/{0}', 'kv-a')]",
               "properties": {"workspaceId": "/subscriptions/s/resourceGroups/rg/providers/"
                                             "Microsoft.OperationalInsights/workspaces/law",
                              "logs": "[parameters('logs')]"}}
    result = audit(tmp_path, vault, setting, parameters={"logs": {"type": "array"}})
    assert result.errors == ()
    assert statuses(result, "CL-KV-007") == [Status.MANUAL]


def test_two_modules_with_unknown_names_do_not_collide(tmp_path):
    module = {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
              "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                             "template": {"$schema": SCHEMA, "parameters": {"name": {"type": "string"}},
                                          "resources": [{"type": "Microsoft.Network/publicIPAddresses",
                                                         "apiVersion": "2023-04-01", "name": "[parameters('name')]",
                                                         "location": "eastus2", "properties": {}}]}}}
    first = {**module, "name": "pip-a", "properties": {**module["properties"],
                                                        "parameters": {"name": {"value": "[parameters('pipA')]"}}}}
    second = {**module, "name": "pip-b", "properties": {**module["properties"],
                                                         "parameters": {"name": {"value": "[parameters('pipB')]"}}}}
    result = audit(tmp_path, first, second, parameters={"pipA": {"type": "string"}, "pipB": {"type": "string"}})
    assert statuses(result, "CL-INPUT-001") == []
    assert result.resources == 2


def test_a_resource_id_with_an_unknown_name_still_links_resources(tmp_path):
    nsg = {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01",
           "name": "[parameters('nsg')]", "location": "eastus2", "properties": {"securityRules": []}}
    vnet = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": "vnet",
            "location": "eastus2", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                {"name": "[parameters('subnet')]", "properties": {"addressPrefix": "10.0.0.0/24", "networkSecurityGroup": {
                    "id": "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsg'))]"}}}]}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"$schema": SCHEMA, "parameters": {"nsg": {"type": "string"},
                                                                  "subnet": {"type": "string"}},
                                "resources": [nsg, vnet]}), encoding="utf-8")
    nsg_doc, vnet_doc = read_arm_file(path).documents
    subnet = vnet_doc["properties"]["subnets"][0]
    assert subnet["properties"]["networkSecurityGroup"]["id"] == nsg_doc["id"]
    assert type(subnet["properties"]["networkSecurityGroup"]["id"]) is str and type(subnet["name"]) is str


def test_get_list_and_get_entries_never_iterate_an_expression():
    logs = Unknown("[parameters('logs')]", "properties.logs")
    with touched_unknowns() as touched:
        assert get_list({"properties": {"logs": logs}}, "properties.logs") == []
    assert touched == [logs]
    assert get_entries({"properties": {"logs": [{"a": 1}, "x", Unknown("[x]")]}}, "properties.logs") == [{"a": 1}]


def test_az_resource_list_without_properties_is_manual_with_the_reason(tmp_path):
    listed = [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-a", "name": "kv-a",
               "type": "Microsoft.KeyVault/vaults", "location": "eastus2", "properties": None}]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(listed), encoding="utf-8")
    source = read_arm_file(path)
    result = evaluate(source.documents, all_controls())
    (purge,) = [f for f in result.findings if f.control == "CL-KV-001"]
    assert purge.status is Status.MANUAL
    assert purge.message == ("Key Vault 'kv-a': cannot judge offline: properties is not in this export "
                             "(`az resource list` leaves properties out).")
