"""The landing overlay's rules as the hub and spokes render them: hybrid waves in rcg-migration-wave-NN
(removed after a later wave), steady-state waves in rcg-steady-wave-NN (kept), and both kinds of NSG
allowance between a subnet's own rules and its deny-all."""

from __future__ import annotations

import pytest

from infra.components.spoke import _subnet_rules
from infra.config import Subnet
from infra.landing_overlay import NSG_OWN_RULES
from tests.infra.components.test_hub import build_hub, children
from tests.infra.components.test_spoke import build_spokes, inbound_rules, spoke_subnets

EHR, INTEGRATION, MANAGEMENT = "10.42.0.0/23", "10.42.6.0/25", "10.41.0.64/26"
GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"


def with_overlay_waves(config: dict) -> None:
    """What `carelift plan landing` merges into the stack: one hybrid wave and two steady-state ones."""
    network = config["carelift:network"]
    network["hybridWaves"] = [{"wave": 2, "removeAfterWave": 4, "rules": [
        {"name": "w02-001-in", "protocol": "TCP", "sources": ["10.4.0.10/32"], "destinations": [EHR],
         "ports": ["2575"], "description": "Split dependency. Both ends have moved after wave 4."}],
        "allowances": [{"spoke": "clinical", "subnet": "snet-ehr-app", "name": "allow-w02-001-in", "protocol": "TCP",
                        "sources": ["10.4.0.10/32"], "ports": ["2575"]}]}]
    network["steadyStateWaves"] = [
        {"wave": 2, "rules": [
            {"name": "s02-001", "protocol": "UDP", "sources": [EHR], "destinations": [MANAGEMENT], "ports": ["53"],
             "description": "Landed dependency. Both ends are in Azure from wave 2."}],
         "allowances": [{"spoke": "shared", "subnet": "snet-management", "name": "allow-s02-001", "protocol": "UDP",
                         "sources": [EHR], "ports": ["53"]}]},
        # Two subnets of one spoke: an NSG allowance and no firewall group (an empty one Azure refuses).
        {"wave": 4, "rules": [], "allowances": [
            {"spoke": "clinical", "subnet": "snet-ehr-app", "name": "allow-s04-001", "protocol": "TCP",
             "sources": [INTEGRATION], "ports": ["2575", "2576"]}]},
    ]


@pytest.fixture
def config(stack_config):
    return stack_config(with_overlay_waves)


def test_steady_state_rules_have_their_own_kept_group_after_the_hybrid_ones(config):
    rendering, _ = build_hub(config)
    groups = {g.inputs["ruleCollectionGroupName"]: g.inputs for g in children(rendering, GROUP)}
    assert sorted(groups) == ["rcg-hybrid-network", "rcg-migration-wave-02", "rcg-platform-egress",
                              "rcg-steady-wave-02"]
    assert groups["rcg-migration-wave-02"]["priority"] == 1002 and groups["rcg-steady-wave-02"]["priority"] == 2002
    (hybrid,) = groups["rcg-migration-wave-02"]["ruleCollections"][0]["rules"]
    (steady,) = groups["rcg-steady-wave-02"]["ruleCollections"][0]["rules"]
    assert hybrid["description"].endswith("Remove after wave 4.")
    assert steady["description"] == ("Landed dependency. Both ends are in Azure from wave 2. "
                                     "Steady state: keep after the migration.")
    assert (steady["sourceAddresses"], steady["destinationAddresses"], steady["ipProtocols"],
            steady["destinationPorts"]) == ([EHR], [MANAGEMENT], ["UDP"], ["53"])
    # The groups are written one after the other (Azure refuses concurrent writes to one policy).
    steady_group = next(g for g in children(rendering, GROUP) if g.inputs["ruleCollectionGroupName"]
                        == "rcg-steady-wave-02")
    hybrid_group = next(g for g in children(rendering, GROUP) if g.inputs["ruleCollectionGroupName"]
                        == "rcg-migration-wave-02")
    assert hybrid_group.urn in steady_group.depends_on


def test_both_kinds_of_allowance_sit_above_the_deny_all(config):
    rendering = build_spokes(config)
    rules = {subnet.name: inbound_rules(rendering, rendered) for _, subnet, rendered in spoke_subnets(rendering)}
    ehr = [(r["name"], r["priority"]) for r in rules["snet-ehr-app"]]
    assert ehr == [("allow-rdp-ssh-from-bastion", 100), ("allow-azure-load-balancer-probes", 110),
                   ("allow-w02-001-in", 1000), ("allow-s04-001", 1001), ("deny-all-inbound", 4096)]
    same_spoke = rules["snet-ehr-app"][3]
    assert (same_spoke["sourceAddressPrefixes"], same_spoke["destinationPortRanges"], same_spoke["protocol"]) == (
        [INTEGRATION], ["2575", "2576"], "Tcp")
    assert [r["name"] for r in rules["snet-management"]][-2:] == ["allow-s02-001", "deny-all-inbound"]


@pytest.mark.parametrize("subnet", [
    Subnet("snet-vm", "10.42.0.0/24"),
    Subnet("snet-pe", "10.42.1.0/24", private_endpoints=True),
    Subnet("snet-apim", "10.42.2.0/27", api_management=True),
])
def test_a_subnet_has_no_more_rules_of_its_own_than_the_overlay_limits_reserve(subnet):
    """`plan landing` counts NSG_OWN_RULES per subnet when it checks the 1,000-rule limit."""
    assert len(_subnet_rules(subnet, "10.40.0.128/26", ["10.42.2.0/27"])) <= NSG_OWN_RULES


def with_permanent_rules(config: dict) -> None:
    """A kept wave as `plan landing` writes it when a landed server depends on one kept on premises for good:
    the steady state's rule, then the permanent ones (its /32, the landing subnet), in one wave entry."""
    with_overlay_waves(config)
    wave = config["carelift:network"]["steadyStateWaves"][0]
    wave["rules"] += [
        {"name": "p02-001-in", "protocol": "TCP", "sources": ["10.3.0.15/32"], "destinations": [EHR], "ports": ["104"],
         "description": "Permanent: pacs-prd-gw01 stays on premises (retain). On-premises dependency pacs-prd-gw01 "
                        "-> clinical/snet-ehr-app (ehr-prd-app01), from wave 2."},
        {"name": "p02-002-out", "protocol": "TCP", "sources": [EHR], "destinations": ["10.6.0.1/32"], "ports": ["23"],
         "description": "Permanent: mainframe01 stays on premises (retain). On-premises dependency "
                        "clinical/snet-ehr-app (ehr-prd-app01) -> mainframe01, from wave 2."}]
    wave["allowances"] += [{"spoke": "clinical", "subnet": "snet-ehr-app", "name": "allow-p02-001-in",
                            "protocol": "TCP", "sources": ["10.3.0.15/32"], "ports": ["104"]}]


def test_permanent_rules_to_retained_servers_share_the_waves_kept_group(stack_config):
    config = stack_config(with_permanent_rules)
    rendering, _ = build_hub(config)
    groups = {g.inputs["ruleCollectionGroupName"]: g.inputs for g in children(rendering, GROUP)}
    # No group of their own: the wave's rcg-steady-wave-02 holds them after the steady state's rule.
    assert sorted(groups) == ["rcg-hybrid-network", "rcg-migration-wave-02", "rcg-platform-egress",
                              "rcg-steady-wave-02"]
    rules = groups["rcg-steady-wave-02"]["ruleCollections"][0]["rules"]
    assert [r["name"] for r in rules] == ["s02-001", "p02-001-in", "p02-002-out"]
    assert (rules[1]["sourceAddresses"], rules[1]["destinationAddresses"], rules[1]["destinationPorts"]) == (
        ["10.3.0.15/32"], [EHR], ["104"])
    assert rules[2]["description"].startswith("Permanent: mainframe01 stays on premises (retain).")
    assert rules[2]["description"].endswith("Steady state: keep after the migration.")
    # Its inbound allowance sits with the others above the EHR subnet's deny-all, in wave order.
    spokes = build_spokes(config)
    ehr = {subnet.name: inbound_rules(spokes, rendered) for _, subnet, rendered in spoke_subnets(spokes)}["snet-ehr-app"]
    assert [(r["name"], r["priority"]) for r in ehr][2:] == [
        ("allow-w02-001-in", 1000), ("allow-p02-001-in", 1001), ("allow-s04-001", 1002), ("deny-all-inbound", 4096)]
