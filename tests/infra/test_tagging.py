"""Every resource that Azure lets carry tags carries the four mandatory ones."""

from __future__ import annotations

import importlib

import pulumi
import pytest

from infra.tagging import accepts_tags, register_default_tags

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


class _Taggable(pulumi.CustomResource):
    """A resource class with a `tags` input, as azure-native generates them; never registered."""

    def _internal_init(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, tags=None) -> None:
        raise AssertionError("not registered in these tests")


def _default_tags_transformation(monkeypatch, defaults: dict[str, str]):
    registered = []
    monkeypatch.setattr(pulumi.runtime, "register_stack_transformation", registered.append)
    register_default_tags(defaults)
    (transformation,) = registered
    return transformation


def _args(props: dict) -> pulumi.ResourceTransformationArgs:
    return pulumi.ResourceTransformationArgs(object.__new__(_Taggable), "test:index:Taggable", "vault", props,
                                             pulumi.ResourceOptions())


def test_a_resource_s_own_tags_are_merged_over_the_defaults(monkeypatch):
    add_tags = _default_tags_transformation(monkeypatch, {"owner": "platform", "environment": "prod"})
    result = add_tags(_args({"location": "eastus2", "tags": {"owner": "clinical-apps", "app": "ehr"}}))
    assert result.props == {"location": "eastus2",
                            "tags": {"owner": "clinical-apps", "environment": "prod", "app": "ehr"}}


class _LaterTags:
    """Tags given as an awaitable (a pulumi Input): their keys are not known while the resource registers."""

    def __await__(self):
        yield from ()
        return {"owner": "clinical-apps"}


def test_tags_only_known_at_deployment_cannot_be_merged_and_name_the_resource(monkeypatch):
    add_tags = _default_tags_transformation(monkeypatch, {"owner": "platform"})
    with pytest.raises(TypeError, match="^vault: tags must be a mapping"):
        add_tags(_args({"tags": _LaterTags()}))
