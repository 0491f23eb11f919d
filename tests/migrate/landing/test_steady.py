"""Steady-state rules: links whose two ends both land in Azure get NSG allowances (and hub firewall rules
between spokes) from the later end's wave on, kept after the migration."""

from __future__ import annotations

import copy
import ipaddress
import random

import pytest
import yaml

from infra import landing_overlay
from migrate.inventory.model import Dependency
from migrate.landing.hybrid import hybrid_rules
from migrate.landing.placement import LandingError
from migrate.landing.service import land
from migrate.landing.steady import steady_rules
from tests.migrate.landing.conftest import FACTS, PLAN, server
from tests.migrate.landing.test_hybrid import landed

EHR = "10.42.0.0/23"           # clinical/snet-ehr-app (in the prod stack)
INTEGRATION = "10.42.6.0/25"   # clinical/snet-integration
MANAGEMENT = "10.41.0.64/26"   # shared/snet-management

# The conftest plan, plus the EHR's database on the EHR subnet (wave 3), a domain controller in the
# shared spoke (foundation wave 0) and a server the plan keeps on premises (retain: no wave).
STEADY_PLAN = copy.deepcopy(PLAN)
STEADY_PLAN["servers"].update({
    "ehr-prd-db01": server(3),
    "rbh-dc01": server(0, applications=("Active Directory",), tier=0),
    "rbh-keep01": server(None, strategy="retain", applications=("Intranet",)),
})

LINKS = [
    # Same subnet: the EHR app (wave 2) calls its database (wave 3) on SQL Server's port.
    Dependency("ehr-prd-app01", "ehr-prd-db01", 1433),
    # Two subnets of one spoke: the engine (wave 4) feeds the EHR (wave 2) over MLLP.
    Dependency("hl7-prd-eng01", "ehr-prd-app01", 2575),
    Dependency("hl7-prd-eng01", "ehr-prd-app01", 2576),
    # Two spokes: the EHR (clinical) asks the domain controller (shared) for names and Kerberos tickets.
    Dependency("ehr-prd-app01", "rbh-dc01", 53, "udp"),
    Dependency("ehr-prd-app01", "rbh-dc01", 53, "tcp"),
    Dependency("ehr-prd-app01", "rbh-dc01", 88, "tcp"),
    # A server that stays on premises, one that lands on no VM subnet, one outside the inventory.
    Dependency("ehr-prd-app01", "rbh-keep01", 445),
    Dependency("ehr-prd-app01", "erp-prd-db01", 1433),
    Dependency("ehr-prd-app01", "10.9.9.9", 443),
]


@pytest.fixture
def placement(prod_bare):
    return landed(STEADY_PLAN, prod_bare)


def by_wave(steady):
    return {w["wave"]: w for w in steady.waves}


def test_each_landed_link_is_allowed_on_its_destination_subnet_from_the_later_wave(placement):
    steady = steady_rules(STEADY_PLAN, placement, LINKS)
    waves = by_wave(steady)
    assert sorted(waves) == [2, 3, 4]
    # Same subnet: the NSG applies inside its subnet too, so the database's subnet admits the app's subnet.
    assert waves[3]["allowances"] == [{"spoke": "clinical", "subnet": "snet-ehr-app", "name": "allow-s03-001",
                                       "protocol": "TCP", "sources": [EHR], "ports": ["1433"],
                                       "description": "Steady state from wave 3: clinical/snet-ehr-app -> "
                                                      "clinical/snet-ehr-app, 1 server pair(s) inside Azure"}]
    # Two subnets of one spoke: never leaves the VNet, so no firewall rule, only the destination's NSG.
    assert waves[4]["rules"] == []
    assert waves[4]["allowances"] == [{"spoke": "clinical", "subnet": "snet-ehr-app", "name": "allow-s04-001",
                                       "protocol": "TCP", "sources": [INTEGRATION], "ports": ["2575", "2576"],
                                       "description": "Steady state from wave 4: clinical/snet-integration -> "
                                                      "clinical/snet-ehr-app, 1 server pair(s) inside Azure"}]
    # Two spokes: the hub firewall (spoke-to-spoke routes) and the destination NSG, one per protocol.
    rules = {r["protocol"]: r for r in waves[2]["rules"]}
    assert {p: (r["sources"], r["destinations"], r["ports"]) for p, r in rules.items()} == {
        "TCP": ([EHR], [MANAGEMENT], ["53", "88"]), "UDP": ([EHR], [MANAGEMENT], ["53"])}
    assert [(a["subnet"], a["name"], a["protocol"], a["ports"]) for a in waves[2]["allowances"]] == [
        ("snet-management", "allow-s02-001", "TCP", ["53", "88"]),
        ("snet-management", "allow-s02-002", "UDP", ["53"])]
    assert [r["name"] for r in waves[2]["rules"]] == ["s02-001", "s02-002"]  # the NSG allowance's name, less allow-
    # Each says whom it carries and from when; hybrid ones say when they can go, these do not.
    assert rules["TCP"]["description"] == (
        "Landed dependency clinical/snet-ehr-app -> shared/snet-management: ehr-prd-app01 (wave 2) -> rbh-dc01 "
        "(wave 0). Both ends are in Azure from wave 2.")
    # The server kept on premises, the replatformed one and the outside address: no steady-state rule.
    assert steady.links == 6 and steady.skipped == ()


def test_no_rule_is_wider_than_its_links(placement):
    steady = steady_rules(STEADY_PLAN, placement, LINKS)
    link_ports = {str(d.port) for d in LINKS}
    prefixes = {t.address_prefix for t in placement.targets.values()}
    for wave in steady.waves:
        for entry in wave["rules"] + wave["allowances"]:
            assert set(entry["ports"]) <= link_ports and "*" not in entry["ports"]
            for address in entry["sources"] + entry.get("destinations", []):
                assert address in prefixes and ipaddress.ip_network(address).prefixlen > 0


def test_the_hybrid_rules_are_unchanged_by_the_landed_links(prod_bare):
    """A link to a server still on premises keeps its hybrid rule only, the same with or without the
    dependencies: the steady-state rules are added beside it, never into it."""
    without = land(STEADY_PLAN, FACTS, prod_bare)
    with_links = land(STEADY_PLAN, FACTS, prod_bare, LINKS)
    assert with_links.hybrid == without.hybrid
    hybrid = yaml.safe_load(with_links.overlay)["overlay"]["hybridWaves"]
    assert hybrid == yaml.safe_load(without.overlay)["overlay"]["hybridWaves"]
    assert hybrid == list(hybrid_rules(STEADY_PLAN, with_links.placement, FACTS).waves)
    assert yaml.safe_load(without.overlay)["overlay"]["steadyStateWaves"] == []


def test_the_overlay_keeps_steady_state_apart_and_says_so(prod_bare):
    overlay = land(STEADY_PLAN, FACTS, prod_bare, LINKS).overlay
    assert ("# steadyStateWaves: kept after the migration, from that wave on: links whose two ends are both in "
            "Azure\n# (rules s..)") in overlay
    document = yaml.safe_load(overlay)["overlay"]
    assert [w["wave"] for w in document["steadyStateWaves"]] == [2, 3, 4]
    assert all("removeAfterWave" not in w for w in document["steadyStateWaves"])
    assert len(document["dependencies"]) == 64  # the digest of the links the rules come from


def test_the_overlay_is_the_same_bytes_whatever_the_order_of_the_links(prod_bare):
    once = land(STEADY_PLAN, FACTS, prod_bare, LINKS).overlay
    shuffled = list(LINKS)
    random.Random(7).shuffle(shuffled)
    assert land(copy.deepcopy(STEADY_PLAN), dict(FACTS), prod_bare, shuffled).overlay == once


def test_a_link_in_another_protocol_is_listed_without_a_rule(placement):
    steady = steady_rules(STEADY_PLAN, placement, [Dependency("ehr-prd-app01", "ehr-prd-db01", 0, "icmp")])
    assert steady.waves == ()
    assert [s.reason for s in steady.skipped] == ["protocol 'icmp': a rule names TCP or UDP (never Any)"]


def test_rules_beyond_azures_limits_are_refused_with_the_counts(prod_bare, monkeypatch):
    """The same plan against an NSG that could hold only one allowance: no overlay, exit 2 (LandingError)."""
    monkeypatch.setattr(landing_overlay, "NSG_MAX_RULES", landing_overlay.NSG_OWN_RULES + 1)
    with pytest.raises(LandingError) as caught:
        land(STEADY_PLAN, FACTS, prod_bare, LINKS)
    assert caught.value.title == "the landing rules do not fit Azure's limits in stack prod"
    assert caught.value.problems == [
        "the NSG of clinical/snet-ehr-app would hold 3 allowances and up to 4 rules of its own: Azure allows 5 "
        "rules per NSG, and priorities 1000-4095 hold 1 allowances at most above its deny-all",
        "the NSG of shared/snet-management would hold 2 allowances and up to 4 rules of its own: Azure allows 5 "
        "rules per NSG, and priorities 1000-4095 hold 1 allowances at most above its deny-all"]
