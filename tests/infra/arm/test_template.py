"""The ARM deployment template scanners read: schema, naming, scopes, versions, determinism,
and configuration kept apart from the values Azure computes."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from infra.arm import (TEMPLATE_SCHEMA, export_template, merge_read_only, sent_document, to_arm_document,
                       to_arm_documents, to_template)
from infra.compliance.sources import read_arm_file
from tests.infra.arm.expected import MANAGEMENT_GROUPS, OPENAI, SUBSCRIPTION, VAULT, rid

# The keys of a template resource that are not its configuration body.
NOT_BODY = ("type", "apiVersion", "name", "scope", "id", "metadata")


def resources_by_id(rendering) -> dict[str, dict]:
    return {r["id"]: r for r in export_template(rendering)["resources"]}


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
    for resource_id, resource in to_template_by_id(documents.values()).items():
        document = documents[resource_id]
        for key in ("location", "tags", "sku", "kind", "identity", "zones", "properties"):
            assert resource.get(key) == document.get(key), (resource_id, key)


def to_template_by_id(documents) -> dict[str, dict]:
    return {r["id"]: r for r in to_template(documents)["resources"]}


def test_template_text_is_identical_between_runs(dev_rendering):
    first = json.dumps(to_template(to_arm_documents(dev_rendering)), indent=2)
    again = json.dumps(to_template(reversed(to_arm_documents(dev_rendering))), indent=2)
    assert first == again
    assert json.dumps(export_template(dev_rendering), indent=2) == json.dumps(export_template(dev_rendering), indent=2)


# ---------------------------------------------------------------------------- configuration vs computed values


def leaves(node: Any) -> Iterator[tuple[str, Any]]:
    """Every scalar of a JSON value as (kind, value): booleans apart from numbers, 2.0 == 2."""
    if isinstance(node, dict):
        for value in node.values():
            yield from leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from leaves(value)
    elif isinstance(node, bool) or node is None:
        yield ("const", node)
    elif isinstance(node, (int, float)):
        yield ("number", float(node))
    else:
        yield ("text", str(node))


def test_every_value_of_an_exported_body_is_one_of_the_rendered_inputs(rendering):
    # Scanners read the body as configuration: it must hold only what Pulumi sends.
    resources = {r.id: r for r in rendering.custom_resources}
    for resource_id, entry in resources_by_id(rendering).items():
        body = {key: value for key, value in entry.items() if key not in NOT_BODY}
        sent = set(leaves(resources[resource_id].inputs))
        foreign = [value for value in leaves(body) if value not in sent]
        assert foreign == [], (resource_id, foreign)


def test_values_azure_computes_are_kept_out_of_the_bodies(prod_rendering):
    resources = resources_by_id(prod_rendering)
    by_type: dict[str, list[dict]] = {}
    for entry in resources.values():
        by_type.setdefault(entry["type"], []).append(entry)
    for assignment in by_type["Microsoft.Authorization/policyAssignments"] + by_type["Microsoft.Authorization/roleAssignments"]:
        assert "scope" not in assignment["properties"]
        assert "principalId" not in assignment.get("identity", {})
        assert "tenantId" not in assignment.get("identity", {})
    for identity in by_type["Microsoft.ManagedIdentity/userAssignedIdentities"]:
        assert not {"principalId", "clientId", "tenantId"} & set(identity["properties"])
    (key,) = by_type["Microsoft.KeyVault/vaults/keys"]
    assert not {"keyUri", "keyUriWithVersion"} & set(key["properties"])
    (vault,) = by_type["Microsoft.KeyVault/vaults"]
    assert "vaultUri" not in vault["properties"]
    (account,) = by_type["Microsoft.CognitiveServices/accounts"]
    assert "endpoint" not in account["properties"]
    assert all(detail == {} for detail in account["identity"]["userAssignedIdentities"].values())
    (firewall,) = by_type["Microsoft.Network/azureFirewalls"]
    assert all("privateIPAddress" not in c["properties"] and "id" not in c
               for c in firewall["properties"]["ipConfigurations"])
    (workspace,) = by_type["Microsoft.OperationalInsights/workspaces"]
    assert "customerId" not in workspace["properties"]
    (placement,) = by_type["Microsoft.Management/managementGroups/subscriptions"]
    assert "parent" not in placement["properties"]


def test_computed_values_are_marked_under_metadata_carelift_read_only(prod_rendering):
    resources = resources_by_id(prod_rendering)
    hipaa = resources[f"{MANAGEMENT_GROUPS}/rbh/providers/Microsoft.Authorization/policyAssignments/hipaa-hitrust"]
    read_only = hipaa["metadata"]["carelift"]["readOnly"]
    assert read_only["properties"] == {"scope": f"{MANAGEMENT_GROUPS}/rbh"}
    assert set(read_only["identity"]) == {"principalId", "tenantId"}
    (firewall,) = [r for r in resources.values() if r["type"] == "Microsoft.Network/azureFirewalls"]
    configs = firewall["metadata"]["carelift"]["readOnly"]["properties"]["ipConfigurations"]
    assert configs[0]["properties"] == {"privateIPAddress": "10.40.0.4"}
    # Resources without computed values carry no metadata at all.
    (policy,) = [r for r in resources.values() if r["type"] == "Microsoft.Network/firewallPolicies"]
    assert "metadata" not in policy


@pytest.mark.slow
def test_body_and_read_only_values_together_are_the_document_azure_returns(rendering):
    # The audit judges the GET view; the export loses nothing of it, only files it apart.
    for resource in rendering.custom_resources:
        sent = sent_document(resource)
        entry = resources_by_id_cached(rendering)[sent["id"]]
        read_only = entry.get("metadata", {}).get("carelift", {}).get("readOnly", {})
        assert merge_read_only(sent, read_only) == to_arm_document(resource), sent["id"]


_CACHE: dict[int, dict] = {}


def resources_by_id_cached(rendering) -> dict[str, dict]:
    return _CACHE.setdefault(id(rendering), resources_by_id(rendering))


def test_carelift_reads_its_export_back_as_the_audit_documents(rendering, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export_template(rendering)), encoding="utf-8")
    source = read_arm_file(path)
    read = sorted(source.documents, key=lambda d: d["id"].lower())
    assert read == to_arm_documents(rendering)
