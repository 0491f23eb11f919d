"""infra/config/names.py: the names validation reserves are the names the components create."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.config.names import (HUB, HUB_SUBNET_NAMES, RESERVED_WORKLOAD_NAMES, firewall_name,
                                firewall_policy_name, resource_group_name, vnet_name)
from tests.conftest import load_stack


def carelift_keys(stack: str) -> dict:
    config = load_stack(stack)["config"]
    return {key.partition(":")[2]: value for key, value in config.items() if key.startswith("carelift:")}


def test_the_reserved_names_are_exactly_the_platform_resource_groups_the_render_creates(rendering):
    config = rendering.config
    prefix = config.name_prefix
    groups = {r.inputs["resourceGroupName"] for r in rendering.of_type("azure-native:resources:ResourceGroup")}
    spokes = {resource_group_name(prefix, spoke.name) for spoke in config.network.spokes}
    platform = {group for group in groups - spokes if group.startswith(f"rg-{prefix}-")}
    # Both shipped stacks deploy every platform component, so every reserved name is in use, and a
    # component that adds a group without reserving its name fails here.
    assert platform == {resource_group_name(prefix, workload) for workload in RESERVED_WORKLOAD_NAMES}
    assert spokes <= groups


def test_hub_vnet_firewall_and_subnets_carry_the_derived_names(rendering):
    prefix = rendering.config.name_prefix
    vnets = {r.inputs["virtualNetworkName"] for r in rendering.of_type("azure-native:network:VirtualNetwork")}
    assert vnets == {vnet_name(prefix, HUB)} | {vnet_name(prefix, s.name) for s in rendering.config.network.spokes}
    assert [r.inputs["azureFirewallName"] for r in rendering.of_type("azure-native:network:AzureFirewall")] == [
        firewall_name(prefix)]
    assert [r.inputs["firewallPolicyName"] for r in rendering.of_type("azure-native:network:FirewallPolicy")] == [
        firewall_policy_name(prefix)]
    subnets = {r.inputs["subnetName"] for r in rendering.of_type("azure-native:network:Subnet")}
    assert set(HUB_SUBNET_NAMES.values()) <= subnets


@pytest.mark.parametrize("workload", sorted(RESERVED_WORKLOAD_NAMES))
def test_a_spoke_may_not_take_a_platform_group_name(workload):
    raw = carelift_keys("prod")
    raw["network"]["spokes"][0]["name"] = workload
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="prod")
    assert [issue.key for issue in caught.value.issues if "platform resource group" in issue.message] == [
        "carelift:network.spokes[0].name"]


@pytest.mark.parametrize("config_key", sorted(HUB_SUBNET_NAMES))
def test_a_spoke_subnet_may_not_take_a_hub_subnet_name(config_key):
    raw = carelift_keys("prod")
    raw["network"]["spokes"][0]["subnets"][0]["name"] = HUB_SUBNET_NAMES[config_key]
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="prod")
    assert [issue.key for issue in caught.value.issues if "reserved for the hub" in issue.message] == [
        "carelift:network.spokes[0].subnets[0].name"]


def test_a_spoke_may_not_be_named_hub():
    # vnet-<prefix>-hub is the hub's VNet; the program keys flow logs by network name, so the hub's would be lost.
    raw = carelift_keys("prod")
    raw["network"]["spokes"][0]["name"] = HUB
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="prod")
    assert [issue.key for issue in caught.value.issues if "names the hub's VNet" in issue.message] == [
        "carelift:network.spokes[0].name"]
