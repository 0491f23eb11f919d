"""Every resource that Azure lets carry tags carries the four mandatory ones."""

from __future__ import annotations

import importlib

from infra.tagging import accepts_tags

MANDATORY = ("environment", "data-classification", "owner", "cost-center")


def resource_class(token: str) -> type:
    _, module, name = token.split(":")
    return getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)


def test_every_taggable_resource_has_the_four_tags(rendering):
    taggable = [r for r in rendering.custom_resources if accepts_tags(resource_class(r.type))]
    assert len(taggable) > 20
    untagged = [f"{r.type} {r.name}" for r in taggable
                if not all(r.inputs.get("tags", {}).get(tag) for tag in MANDATORY)]
    assert untagged == []


def test_tag_values_come_from_the_stack(rendering):
    config = rendering.config
    for resource in rendering.custom_resources:
        tags = resource.inputs.get("tags")
        if tags:
            assert tags["environment"] == config.environment
            assert tags["data-classification"] == dict(config.tags)["data-classification"]


def test_resources_without_a_tags_input_are_the_untaggable_kinds():
    import pulumi_azure_native.authorization as authorization
    import pulumi_azure_native.keyvault as keyvault
    import pulumi_azure_native.network as network

    assert accepts_tags(keyvault.Vault)
    assert accepts_tags(network.VirtualNetwork)
    assert not accepts_tags(authorization.ManagementLockByScope)
    assert not accepts_tags(network.Subnet)
