"""Pulumi resources as the policy engine hands them → ARM documents, unknown values included."""

from __future__ import annotations

import copy

from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from infra.arm import to_arm_documents
from infra.policy.documents import (UNKNOWN, Source, has_unknown, plain, state_of, subscription_of,
                                    translate_sources)
from infra.render import OFFLINE_SUBSCRIPTION_ID

REAL_SUB = "11111111-2222-3333-4444-555555555555"
RG = "azure-native:resources:ResourceGroup"
VAULT = "azure-native:keyvault:Vault"


def sources(rendering, state=lambda r: r.outputs):
    return [Source(r.type, r.name, r.urn, state(r)) for r in rendering.resources]


def test_the_render_translates_to_the_same_documents(rendering):
    translated = translate_sources(sources(rendering))
    assert list(translated.documents) == to_arm_documents(rendering)
    assert translated.problems == () and translated.undetermined == ()


def test_component_and_provider_resources_are_skipped(prod_rendering):
    translated = translate_sources(sources(prod_rendering))
    assert len(translated.documents) == len(prod_rendering.custom_resources) < len(prod_rendering.resources)


def test_urn_of_follows_inline_children(prod_rendering):
    translated = translate_sources(sources(prod_rendering))
    nsg = next(d for d in translated.documents if d["type"] == "Microsoft.Network/networkSecurityGroups")
    nsg_urn = translated.urns[nsg["id"].lower()]
    assert "$azure-native:network:NetworkSecurityGroup::" in nsg_urn
    assert translated.urn_of(nsg["id"].upper() + "/securityRules/any-rule") == nsg_urn
    assert translated.urn_of(f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}") is None


def test_plain_unwraps_the_sdk_proxy_and_marks_unknowns():
    proxied = unknown_checking_proxy({"a": {"b": [UNKNOWN_STRING_VALUE, 1]}, "c": UNKNOWN_BOOLEAN_VALUE, "d": "x"})
    assert plain(proxied) == {"a": {"b": [UNKNOWN, 1]}, "c": UNKNOWN, "d": "x"}
    assert has_unknown(plain(proxied)) and not has_unknown({"d": ["x", {"e": 1}]})


def test_state_merges_checkpointed_inputs_under_outputs():
    state = state_of({"__inputs": {"resourceGroupName": "rg-a", "vaultName": "kv-a", "tags": {"a": "1"}},
                      "tags": {"a": "2"}, "azureApiVersion": "2024-11-01", "id": "/x", "type": "Microsoft.KeyVault/vaults"})
    assert state == {"resourceGroupName": "rg-a", "vaultName": "kv-a", "tags": {"a": "2"}}


def test_an_input_called_type_is_kept_but_the_resource_type_is_not():
    # An API Management group's type (external) is an input; azure-native's output `type` is the resource type.
    deployed = state_of({"__inputs": {"groupId": "entra-1", "type": "external", "externalId": "aad://t/groups/1"},
                         "type": "Microsoft.ApiManagement/service/groups", "displayName": "g"})
    assert deployed == {"groupId": "entra-1", "type": "external", "externalId": "aad://t/groups/1", "displayName": "g"}
    assert state_of({"groupId": "entra-1", "type": "external"}) == {"groupId": "entra-1", "type": "external"}
    assert "type" not in state_of({"type": UNKNOWN_STRING_VALUE, "vaultName": "kv-a"})


def test_subscription_is_the_one_ids_point_into():
    assert subscription_of([{"a": "no ids"}]) == OFFLINE_SUBSCRIPTION_ID
    assert subscription_of([{"scope": f"/subscriptions/{REAL_SUB}/resourceGroups/rg"},
                            {"x": [f"/subscriptions/{REAL_SUB}"]},
                            {"y": f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}/resourceGroups/rg"}]) == REAL_SUB


def test_ids_use_the_deployment_subscription(prod_rendering):
    # After a deployment, references carry the real subscription: computed ids must agree with them.
    def real(r):
        return _replace(copy.deepcopy(dict(r.outputs)), OFFLINE_SUBSCRIPTION_ID, REAL_SUB)

    translated = translate_sources(sources(prod_rendering, real))
    assert all(d["id"].startswith(("/providers/", f"/subscriptions/{REAL_SUB}")) for d in translated.documents)


def test_unknown_names_are_rebuilt_from_their_dependency(prod_rendering):
    vault = next(r for r in prod_rendering.custom_resources if r.type == VAULT)
    group = next(r for r in prod_rendering.custom_resources
                 if r.type == RG and r.inputs["resourceGroupName"] == vault.inputs["resourceGroupName"])
    state = {**copy.deepcopy(dict(vault.outputs)), "resourceGroupName": UNKNOWN}
    pending = Source(VAULT, vault.name, vault.urn, state, {"resourceGroupName": (group.urn,)})
    translated = translate_sources([Source(RG, group.name, group.urn, group.outputs), pending])
    assert vault.id in [d["id"] for d in translated.documents]

    alone = translate_sources([Source(VAULT, vault.name, vault.urn, state)])
    assert has_unknown(alone.documents[0]["id"])


def _replace(node, old: str, new: str):
    if isinstance(node, str):
        return node.replace(old, new)
    if isinstance(node, dict):
        return {k: _replace(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace(v, old, new) for v in node]
    return node
