"""One test per stack-config validation rule, each naming the key it must report."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from infra.config import ConfigError, StackConfig, config_from_stack_document, parse_stack_config
from tests.conftest import load_stack


def raw_config(stack: str = "prod") -> dict[str, Any]:
    document = load_stack(stack)
    return {k.split(":", 1)[1]: copy.deepcopy(v) for k, v in document["config"].items() if k.startswith("carelift:")}


def issues_after(mutate: Callable[[dict[str, Any]], None]) -> dict[str, str]:
    raw = raw_config()
    mutate(raw)
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="prod")
    issues: dict[str, str] = {}
    for issue in caught.value.issues:
        issues[issue.key] = f"{issues[issue.key]} | {issue.message}" if issue.key in issues else issue.message
    return issues


def set_path(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation setting a dotted path (list indexes as numbers) in the raw config."""

    def mutate(raw: dict[str, Any]) -> None:
        parts = path.split(".")
        node: Any = raw
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        last = parts[-1]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


_DELETE = object()


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_shipped_stacks_are_valid(stack):
    config = parse_stack_config(raw_config(stack), stack=stack)
    assert isinstance(config, StackConfig)
    assert config.monitoring.log_retention_days >= 90
    assert config.monitoring.archive_immutability_days >= 2190


def test_dev_is_smaller_than_prod_with_the_same_posture():
    prod = parse_stack_config(raw_config("prod"), stack="prod")
    dev = parse_stack_config(raw_config("dev"), stack="dev")
    assert len(dev.network.spokes) < len(prod.network.spokes)
    assert dev.monitoring.log_retention_days < prod.monitoring.log_retention_days
    assert sum(d.capacity for d in dev.openai.deployments) < sum(d.capacity for d in prod.openai.deployments)
    assert dev.key_vault_name != prod.key_vault_name
    assert dict(dev.tags)["data-classification"] == dict(prod.tags)["data-classification"] == "phi"


RULES = [
    # (id, mutation, key reported, fragment of the message)
    ("public-cidr", set_path("network.hub.addressSpace", "52.10.0.0/22"), "carelift:network.hub.addressSpace", "RFC 1918"),
    ("malformed-cidr", set_path("network.spokes.0.addressSpace", "10.41.0.0/33"), "carelift:network.spokes[0].addressSpace", "well-formed"),
    ("host-bits-set", set_path("network.spokes.1.addressSpace", "10.42.0.1/20"), "carelift:network.spokes[1].addressSpace", "well-formed"),
    ("not-a-string-cidr", set_path("network.hub.addressSpace", 10), "carelift:network.hub.addressSpace", "CIDR string"),
    ("overlapping-vnets", set_path("network.spokes.2.addressSpace", "10.41.2.0/23"), "carelift:network.spokes[2].addressSpace", "overlaps carelift:network.spokes[0].addressSpace"),
    ("overlapping-on-prem", set_path("network.onPremisesAddressSpaces", ["10.40.0.0/16"]), "carelift:network.onPremisesAddressSpaces[0]", "overlaps"),
    ("subnet-outside-vnet", set_path("network.spokes.0.subnets.0.addressPrefix", "10.50.0.0/26"), "carelift:network.spokes[0].subnets[0].addressPrefix", "does not fit"),
    ("overlapping-subnets", set_path("network.spokes.0.subnets.1.addressPrefix", "10.41.0.0/27"), "carelift:network.spokes[0].subnets[1].addressPrefix", "overlaps"),
    ("subnet-too-small", set_path("network.spokes.0.subnets.0.addressPrefix", "10.41.0.0/30"), "carelift:network.spokes[0].subnets[0].addressPrefix", "/29 or larger"),
    ("firewall-subnet-too-small", set_path("network.hub.subnets.firewall", "10.40.0.0/27"), "carelift:network.hub.subnets.firewall", "AzureFirewallSubnet must be /26"),
    ("bastion-subnet-too-small", set_path("network.hub.subnets.bastion", "10.40.0.128/27"), "carelift:network.hub.subnets.bastion", "AzureBastionSubnet must be /26"),
    ("gateway-subnet-too-small", set_path("network.hub.subnets.gateway", "10.40.0.192/28"), "carelift:network.hub.subnets.gateway", "GatewaySubnet must be /27"),
    ("resolver-subnet-too-large", set_path("network.hub.subnets.dnsInbound", "10.40.2.0/23"), "carelift:network.hub.subnets.dnsInbound", "between /28 and /24"),
    ("hub-subnet-missing", set_path("network.hub.subnets.gateway", _DELETE), "carelift:network.hub.subnets.gateway", "is required"),
    ("hub-subnet-outside-hub", set_path("network.hub.subnets.dnsOutbound", "10.44.0.0/28"), "carelift:network.hub.subnets.dnsOutbound", "does not fit"),
    ("reserved-subnet-name-in-spoke", set_path("network.spokes.0.subnets.0.name", "GatewaySubnet"), "carelift:network.spokes[0].subnets[0].name", "reserved for the hub"),
    ("duplicate-spoke", set_path("network.spokes.1.name", "shared"), "carelift:network.spokes[1].name", "duplicates"),
    ("spoke-takes-platform-name", set_path("network.spokes.2.name", "openai"), "carelift:network.spokes[2].name", "reserved"),
    ("duplicate-subnet", set_path("network.spokes.0.subnets.1.name", "snet-identity"), "carelift:network.spokes[0].subnets[1].name", "duplicates"),
    ("no-spokes", set_path("network.spokes", []), "carelift:network.spokes", "at least one spoke"),
    ("gateway-sku-wrong-type", set_path("network.gateway.sku", "VpnGw1AZ"), "carelift:network.gateway.sku", "must be one of"),
    ("gateway-unknown-type", set_path("network.gateway.type", "Satellite"), "carelift:network.gateway.type", "must be one of"),
    ("forwarding-bad-server", set_path("network.dnsForwarding.0.servers", ["dc01"]), "carelift:network.dnsForwarding[0].servers[0]", "IPv4 address"),
    ("forwarding-domain-without-dot", set_path("network.dnsForwarding.0.domain", "riverbend.local"), "carelift:network.dnsForwarding[0].domain", "ending with a dot"),
    ("forwarding-without-on-prem", set_path("network.onPremisesAddressSpaces", []), "carelift:network.onPremisesAddressSpaces", "is required when dnsForwarding"),
    ("region-not-us", set_path("allowedLocations", ["eastus2", "westeurope"]), "carelift:allowedLocations[1]", "not a US Azure region"),
    ("location-not-allowed", set_path("location", "westus3"), "carelift:location", "must be one of allowedLocations"),
    ("openai-location-not-allowed", set_path("openai.location", "westus"), "carelift:openai.location", "must be one of allowedLocations"),
    ("retention-below-90", set_path("monitoring.logRetentionDays", 30), "carelift:monitoring.logRetentionDays", "at least 90"),
    ("retention-above-730", set_path("monitoring.logRetentionDays", 900), "carelift:monitoring.logRetentionDays", "at most 730"),
    ("retention-not-integer", set_path("monitoring.logRetentionDays", "365"), "carelift:monitoring.logRetentionDays", "integer"),
    ("immutability-below-six-years", set_path("monitoring.archiveImmutabilityDays", 365), "carelift:monitoring.archiveImmutabilityDays", "164.316"),
    ("alert-email-invalid", set_path("monitoring.alertEmails", ["secops"]), "carelift:monitoring.alertEmails[0]", "e-mail"),
    ("key-vault-name-too-long", lambda raw: raw.update(organization="rivbnd", environment="preprod1", uniqueSuffix="abc123"), "carelift:uniqueSuffix", "Key Vault name 'kv-rivbnd-preprod1-abc123' is 25 characters"),
    ("storage-name-too-long", lambda raw: raw.update(organization="rivbnd", environment="preprod1", uniqueSuffix="abc123"), "carelift:uniqueSuffix", "storage account name"),
    ("suffix-charset", set_path("uniqueSuffix", "P-01"), "carelift:uniqueSuffix", "lowercase"),
    ("organization-charset", set_path("organization", "RBH"), "carelift:organization", "lowercase"),
    ("custom-subdomain-charset", set_path("openai.customSubDomainName", "-oai_rbh"), "carelift:openai.customSubDomainName", "hyphen"),
    ("deployment-without-model", set_path("openai.deployments.0.model", _DELETE), "carelift:openai.deployments[0].model", "is required"),
    ("deployment-without-version", set_path("openai.deployments.0.version", _DELETE), "carelift:openai.deployments[0].version", "is required"),
    ("deployment-zero-capacity", set_path("openai.deployments.1.capacity", 0), "carelift:openai.deployments[1].capacity", "at least 1"),
    ("deployment-unknown-sku", set_path("openai.deployments.0.sku", "Premium"), "carelift:openai.deployments[0].sku", "must be one of"),
    ("deployment-duplicate-name", set_path("openai.deployments.1.name", "gpt-clinical"), "carelift:openai.deployments[1].name", "duplicates"),
    ("openai-without-deployments", set_path("openai.deployments", []), "carelift:openai.deployments", "at least one model deployment"),
    ("openai-spoke-unknown", set_path("openai.spoke", "research"), "carelift:openai.spoke", "names no spoke"),
    ("key-vault-spoke-without-pe-subnet", set_path("network.spokes.0.subnets.2.privateEndpoints", False), "carelift:keyVault.spoke", "no subnet with privateEndpoints"),
    ("role-unknown", set_path("keyVault.roleAssignments.0.role", "Owner"), "carelift:keyVault.roleAssignments[0].role", "must be one of"),
    ("principal-not-guid", set_path("keyVault.roleAssignments.0.principalId", "platform-admins"), "carelift:keyVault.roleAssignments[0].principalId", "GUID"),
    ("principal-type-unknown", set_path("openai.userPrincipals.0.principalType", "Robot"), "carelift:openai.userPrincipals[0].principalType", "must be one of"),
    ("tag-missing", set_path("tags.owner", _DELETE), "carelift:tags.owner", "is required"),
    ("classification-unknown", set_path("tags.data-classification", "secret"), "carelift:tags.data-classification", "must be one of"),
    ("environment-tag-overridden", set_path("tags.environment", "production"), "carelift:tags.environment", "set from the environment key"),
    ("budget-negative", set_path("governance.budget.amount", -5), "carelift:governance.budget.amount", "positive"),
    ("budget-threshold-out-of-range", set_path("governance.budget.thresholds", [0]), "carelift:governance.budget.thresholds[0]", "between 1 and 1000"),
    ("budget-start-not-first-of-month", set_path("governance.budget.startDate", "2026-12-15"), "carelift:governance.budget.startDate", "first day of a month"),
    ("budget-start-in-a-past-month", set_path("governance.budget.startDate", "2020-01-01"), "carelift:governance.budget.startDate", "before the current month"),
    ("budget-too-many-thresholds", set_path("governance.budget.thresholds", [50, 60, 70, 80, 90]), "carelift:governance.budget.thresholds", "allow 4 thresholds"),
    ("placement-unknown-group", set_path("governance.subscriptionManagementGroup", "landingzones-online"), "carelift:governance.subscriptionManagementGroup", "must be one of"),
    ("openai-region-differs-from-vault", set_path("openai.location", "centralus"), "carelift:openai.location", "must equal location"),
    ("enforcement-unknown", set_path("governance.policyEnforcement", "Audit"), "carelift:governance.policyEnforcement", "must be one of"),
    ("management-group-root-missing", set_path("governance.rootManagementGroupId", _DELETE), "carelift:governance.rootManagementGroupId", "is required"),
    ("unknown-top-level-key", set_path("logRetention", 365), "carelift:logRetention", "not a known setting"),
    ("unknown-nested-key", set_path("keyVault.sku", "standard"), "carelift:keyVault.sku", "not a known setting"),
    ("wrong-shape", set_path("network", ["10.0.0.0/8"]), "carelift:network", "must be a mapping"),
]


@pytest.mark.parametrize("mutate, key, fragment", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_reports_its_key(mutate, key, fragment):
    issues = issues_after(mutate)
    assert key in issues, f"expected {key}, got {sorted(issues)}"
    assert fragment in issues[key]


def test_all_problems_are_reported_at_once():
    def break_three_things(raw):
        raw["location"] = "westus3"
        raw["monitoring"]["logRetentionDays"] = 7
        raw["network"]["spokes"][0]["addressSpace"] = "8.8.8.0/24"

    issues = issues_after(break_three_things)
    assert {"carelift:location", "carelift:monitoring.logRetentionDays",
            "carelift:network.spokes[0].addressSpace"} <= set(issues)


def test_error_text_names_the_source_and_every_key():
    raw = raw_config()
    raw["uniqueSuffix"] = "X"
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="prod", source="stacks/Pulumi.prod.yaml")
    text = str(caught.value)
    assert text.startswith("stacks/Pulumi.prod.yaml: 1 configuration problem(s)")
    assert "carelift:uniqueSuffix" in text


def test_stack_document_needs_a_config_block():
    with pytest.raises(ConfigError) as caught:
        config_from_stack_document({"secretsprovider": "x"}, stack="prod", source="Pulumi.prod.yaml")
    assert caught.value.issues[0].key == "config"


def test_config_is_immutable():
    config = parse_stack_config(raw_config(), stack="prod")
    with pytest.raises(AttributeError):
        config.location = "westus"  # type: ignore[misc]


def test_base_tags_carry_the_four_mandatory_tags():
    tags = parse_stack_config(raw_config(), stack="prod").base_tags
    assert {"environment", "data-classification", "owner", "cost-center"} <= set(tags)
    assert tags["environment"] == "prod"


def test_network_problems_come_in_the_order_of_the_section():
    # The CLI prints problems in the order found: hub, spokes (each spoke's subnets), on-premises
    # ranges, overlaps, the pool, the gateway, DNS forwarding. Pinned since _parse_network is in parts.
    raw = raw_config()
    network = raw["network"]
    network["hub"]["subnets"]["bastion"] = "10.40.0.128/27"
    network["hub"]["subnets"].pop("dnsOutbound")
    network["spokes"][0]["name"] = "dns"
    network["spokes"][1]["subnets"][0]["addressPrefix"] = "10.42.0.0/30"
    network["spokes"][2]["addressSpace"] = "10.41.2.0/23"
    network["onPremisesAddressSpaces"].append("8.8.8.0/24")
    network["spokeAddressPool"] = ["10.40.0.0/16"]
    network["gateway"] = {"type": "None", "sku": "ErGw2AZ"}
    network["dnsForwarding"][1]["servers"] = ["dc01"]
    network["hybridWaves"] = [{"wave": "first"}]
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw, stack="prod")
    found = [(i.key.removeprefix("carelift:network."), i.message) for i in caught.value.issues
             if i.key.startswith("carelift:network")]
    assert [key for key, _ in found] == [
        "hub.subnets.bastion", "hub.subnets.dnsOutbound", "spokes[0].name", "spokes[1].subnets[0].addressPrefix",
        "spokes[2].subnets[0].addressPrefix", "spokes[2].subnets[1].addressPrefix",
        "spokes[2].subnets[2].addressPrefix", "onPremisesAddressSpaces[2]", "spokes[2].addressSpace",
        "spokeAddressPool[0]", "gateway.sku", "dnsForwarding[1].servers[0]", "dnsForwarding[1].servers"]
    messages = dict(found)
    assert "overlaps carelift:network.spokes[0].addressSpace" in messages["spokes[2].addressSpace"]
    assert "overlaps carelift:network.hub.addressSpace" in messages["spokeAddressPool[0]"]
    # The hub is incomplete, so the network is not built and the hybrid waves are not read.
    assert not any(i.key.startswith("carelift:network.hybridWaves") for i in caught.value.issues)
