"""The ARM deployment template scanners read: schema, naming, scopes, versions, determinism."""

from __future__ import annotations

import json

from infra.arm import TEMPLATE_SCHEMA, to_arm_documents, to_template
from tests.infra.arm.expected import MANAGEMENT_GROUPS, OPENAI, SUBSCRIPTION, VAULT, rid


def resources_by_id(rendering) -> dict[str, dict]:
    return {r["id"]: r for r in to_template(to_arm_documents(rendering))["resources"]}


def test_template_header_and_one_resource_per_document(rendering):
    documents = to_arm_documents(rendering)
    template = to_template(documents)
    assert template["$schema"] == TEMPLATE_SCHEMA
    assert template["contentVersion"] == "1.0.0.0"
    assert [r["id"] for r in template["resources"]] == [d["id"] for d in documents]
    for resource in template["resources"]:
        assert resource["apiVersion"] == next(d["apiVersion"] for d in documents if d["id"] == resource["id"])


def test_child_resources_are_named_parent_slash_child_with_their_full_type(prod_rendering):
    resources = resources_by_id(prod_rendering)
    subnet = resources[rid("rg-rbh-prod-ai", "Microsoft.Network/virtualNetworks/vnet-rbh-prod-ai/subnets/snet-apps")]
    assert (subnet["type"], subnet["name"]) == ("Microsoft.Network/virtualNetworks/subnets",
                                                "vnet-rbh-prod-ai/snet-apps")
    container = resources[rid("rg-rbh-prod-management", "Microsoft.Storage/storageAccounts/strbhprodauditp01/"
                                                         "blobServices/default/containers/evidence")]
    assert container["name"] == "strbhprodauditp01/default/evidence"
    assert "scope" not in subnet and "scope" not in container


def test_extension_resources_carry_their_target_as_scope(prod_rendering):
    resources = resources_by_id(prod_rendering)
    setting = resources[f"{OPENAI}/providers/Microsoft.Insights/diagnosticSettings/send-to-log-analytics"]
    assert (setting["type"], setting["name"], setting["scope"]) == (
        "Microsoft.Insights/diagnosticSettings", "send-to-log-analytics", OPENAI)
    locks = [r for r in resources.values() if r["type"] == "Microsoft.Authorization/locks"]
    assert {lock["scope"] for lock in locks} >= {VAULT}
    assert all(lock["id"] == f"{lock['scope']}/providers/Microsoft.Authorization/locks/{lock['name']}"
               for lock in locks)
    assignment = resources[f"{MANAGEMENT_GROUPS}/rbh/providers/Microsoft.Authorization/policyAssignments/hipaa-hitrust"]
    assert assignment["scope"] == f"{MANAGEMENT_GROUPS}/rbh"


def test_subscription_and_tenant_resources_need_no_scope(prod_rendering):
    resources = resources_by_id(prod_rendering)
    pricing = resources[f"{SUBSCRIPTION}/providers/Microsoft.Security/pricings/KeyVaults"]
    group = resources[f"{MANAGEMENT_GROUPS}/rbh-platform"]
    resource_group = resources[f"{SUBSCRIPTION}/resourceGroups/rg-rbh-prod-ai"]
    assert [(r["type"], r["name"]) for r in (pricing, group, resource_group)] == [
        ("Microsoft.Security/pricings", "KeyVaults"),
        ("Microsoft.Management/managementGroups", "rbh-platform"),
        ("Microsoft.Resources/resourceGroups", "rg-rbh-prod-ai"),
    ]
    assert not any("scope" in r for r in (pricing, group, resource_group))


def test_template_keeps_envelope_and_properties_of_each_document(prod_rendering):
    documents = {d["id"]: d for d in to_arm_documents(prod_rendering)}
    for resource_id, resource in resources_by_id(prod_rendering).items():
        document = documents[resource_id]
        for key in ("location", "tags", "sku", "kind", "identity", "zones", "properties"):
            assert resource.get(key) == document.get(key), (resource_id, key)


def test_template_text_is_identical_between_runs(dev_rendering):
    first = json.dumps(to_template(to_arm_documents(dev_rendering)), indent=2)
    again = json.dumps(to_template(reversed(to_arm_documents(dev_rendering))), indent=2)
    assert first == again
