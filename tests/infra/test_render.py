"""The offline render: real program, Pulumi's mock engine, deterministic output."""

from __future__ import annotations

import json

import pytest

from infra.config import ConfigError
from infra.render import OFFLINE_SUBSCRIPTION_ID, arm_id, render_stack_file, stack_file
from tests.conftest import STACKS


def test_render_is_deterministic(prod_rendering):
    again = render_stack_file(STACKS / "Pulumi.prod.yaml")
    assert json.dumps(again.to_json()) == json.dumps(prod_rendering.to_json())


def test_every_custom_resource_type_has_an_arm_mapping(rendering):
    from infra.render import ARM_TYPES

    unmapped = sorted({r.type for r in rendering.custom_resources} - set(ARM_TYPES))
    assert unmapped == []


def test_resource_ids_are_arm_shaped(rendering):
    for resource in rendering.custom_resources:
        assert resource.id.startswith(("/subscriptions/", "/providers/")), resource.id
        assert "Carelift.Unmapped" not in resource.id


def test_components_parent_their_children(rendering):
    components = {r.urn for r in rendering.resources if not r.custom}
    orphans = [r.name for r in rendering.custom_resources if r.parent not in components]
    assert orphans == []


def test_prod_is_larger_than_dev(prod_rendering, dev_rendering):
    assert len(prod_rendering.custom_resources) > len(dev_rendering.custom_resources)


def test_arm_id_of_child_resource():
    rid = arm_id("azure-native:network:Subnet",
                 {"resourceGroupName": "rg-a", "virtualNetworkName": "vnet-a", "subnetName": "snet-1"}, "x")
    assert rid == (f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}/resourceGroups/rg-a/providers/"
                   "Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-1")


def test_arm_id_of_extension_resource():
    rid = arm_id("azure-native:authorization:ManagementLockByScope",
                 {"scope": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "lockName": "lock"}, "x")
    assert rid == "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Authorization/locks/lock"


def test_invalid_stack_file_is_rejected_before_the_engine_runs(stack_copy):
    path = stack_copy(lambda cfg: cfg.update({"carelift:location": "westeurope"}))
    with pytest.raises(ConfigError) as caught:
        render_stack_file(path)
    assert any(i.key == "carelift:location" for i in caught.value.issues)


def test_stack_name_resolves_under_the_project(tmp_path):
    assert stack_file("prod") == STACKS / "Pulumi.prod.yaml"
    assert stack_file(str(tmp_path / "custom.yaml")) == tmp_path / "custom.yaml"


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text("config:\n  carelift:location: [eastus2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        render_stack_file(path)
    assert "line" in caught.value.issues[0].message
