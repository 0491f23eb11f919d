"""Rules every translated document follows, whatever its type."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re

import pytest

from infra.arm import ArmTranslationError, api_version, arm_type, to_arm_document, to_arm_documents
from infra.render import ARM_TYPES
from tests.infra.arm import (test_ai_gateway, test_dns_resolver, test_governance, test_hub_edge,
                             test_keyvault_openai, test_monitoring, test_network, test_private_link, test_storage)

PER_TYPE_MODULES = (test_ai_gateway, test_dns_resolver, test_governance, test_hub_edge, test_keyvault_openai,
                    test_monitoring, test_network, test_private_link, test_storage)
# Pulumi inputs that only build the request URL; ARM returns them inside `id`, never as properties.
PATH_INPUTS = {"resourceGroupName", "vaultName", "accountName", "virtualNetworkName", "networkWatcherName",
               "privateEndpointName", "privateZoneName", "dnsResolverName", "dnsForwardingRulesetName",
               "firewallPolicyName", "containerName", "resourceUri", "scopeId", "groupId"}


def test_every_type_the_program_creates_has_a_hand_written_expectation(prod_rendering, dev_rendering):
    created = {r.type for r in (*prod_rendering.custom_resources, *dev_rendering.custom_resources)}
    covered = set().union(*(module.COVERED for module in PER_TYPE_MODULES))
    assert created - covered == set()
    assert covered - created == set()


def test_one_document_per_custom_resource_sorted_by_id(rendering):
    documents = to_arm_documents(rendering)
    assert len(documents) == len(rendering.custom_resources)
    ids = [d["id"].lower() for d in documents]
    assert ids == sorted(ids)


def test_no_two_resources_share_an_arm_id(rendering):
    # Two Pulumi resources on one Azure resource would fight over it (and delete it on destroy).
    ids = [d["id"].lower() for d in to_arm_documents(rendering)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []


def test_documents_have_the_arm_envelope_and_leaf_names(rendering):
    for doc in to_arm_documents(rendering):
        assert doc["name"] == doc["id"].rsplit("/", 1)[1]
        assert re.fullmatch(r"Microsoft\.[A-Za-z]+(/[A-Za-z]+)+", doc["type"]), doc["type"]
        assert isinstance(doc["properties"], dict)
        assert set(doc) <= {"type", "name", "id", "apiVersion", "location", "tags", "sku", "kind", "identity",
                            "zones", "properties"}, doc["id"]


def test_no_path_input_or_float_integer_leaks_into_a_document(rendering):
    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}.{i}")
        else:
            yield path, node

    for doc in to_arm_documents(rendering):
        assert not (set(doc) | set(doc["properties"])) & PATH_INPUTS, doc["id"]
        floats = [path for path, value in walk(doc, doc["name"]) if isinstance(value, float)]
        assert floats == [], floats


def test_arm_type_of_child_and_extension_ids():
    sub = "/subscriptions/s/resourceGroups/rg/providers"
    assert arm_type("azure-native:network:Subnet", f"{sub}/Microsoft.Network/virtualNetworks/v/subnets/a") == \
        "Microsoft.Network/virtualNetworks/subnets"
    assert arm_type("azure-native:monitor:DiagnosticSetting",
                    f"{sub}/Microsoft.Storage/storageAccounts/st/blobServices/default/providers/"
                    "Microsoft.Insights/diagnosticSettings/d") == "Microsoft.Insights/diagnosticSettings"
    assert arm_type("azure-native:resources:ResourceGroup", "/subscriptions/s/resourceGroups/rg") == \
        "Microsoft.Resources/resourceGroups"


@pytest.mark.parametrize("token", sorted(ARM_TYPES))
def test_api_version_is_the_one_the_sdk_class_documents(token):
    _, module, class_name = token.split(":")
    cls = getattr(importlib.import_module(f"pulumi_azure_native.{module}"), class_name)
    documented = re.search(r"Uses Azure REST API version (\S+?)\.(?:\s|$)", inspect.getsource(cls))
    assert documented, token
    assert api_version(token) == documented.group(1)


def test_unknown_type_is_an_error_naming_the_resource(prod_rendering):
    resource = dataclasses.replace(prod_rendering.named("hub-fw"), type="azure-native:network:NatGateway")
    with pytest.raises(ArmTranslationError) as caught:
        to_arm_document(resource)
    assert caught.value.urn == resource.urn
    assert caught.value.key == "type"
    assert "azure-native:network:NatGateway" in str(caught.value)


def test_properties_that_are_not_an_object_are_an_error(prod_rendering):
    vault = prod_rendering.named("key-vault-vault")
    broken = dataclasses.replace(vault, outputs={**vault.outputs, "properties": "premium"})
    with pytest.raises(ArmTranslationError, match="properties: is not an object"):
        to_arm_document(broken)


def test_translation_is_deterministic(prod_rendering):
    assert to_arm_documents(prod_rendering) == to_arm_documents(prod_rendering)
