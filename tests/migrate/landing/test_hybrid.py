from __future__ import annotations

import ipaddress

from migrate.landing.hybrid import hybrid_rules
from migrate.landing.placement import ServerFacts, place
from migrate.landing.service import with_proposal
from migrate.landing.propose import propose
from tests.migrate.landing.conftest import FACTS


def landed(plan, config):
    first = place(plan, FACTS, config)
    return place(plan, FACTS, with_proposal(config, propose(first, config)))


def test_each_rule_is_exactly_its_links(plan, prod_bare):
    placement = landed(plan, prod_bare)
    hybrid = hybrid_rules(plan, placement, FACTS)
    ehr = placement.targets["ehr-prd-app01"].address_prefix
    lis = placement.targets["lis-prd-app01"].address_prefix
    by_wave = {w["wave"]: w for w in hybrid.waves}
    assert sorted(by_wave) == [2, 3]
    two = by_wave[2]
    assert two["removeAfterWave"] == 4
    rules = {(tuple(r["sources"]), tuple(r["destinations"])): r for r in two["rules"]}
    # The engine (on premises until wave 4) calls the EHR (moved in wave 2): its one IPv4 address only.
    inbound = rules[(("10.4.0.10/32",), (ehr,))]
    assert inbound["ports"] == ["2575", "2576"] and inbound["protocol"] == "TCP"
    outbound = rules[((ehr,), ("10.4.0.10/32",))]
    assert outbound["ports"] == ["443"]
    assert "Both ends have moved after wave 4" in inbound["description"]
    # Inbound flows also open the moved end's NSG; outbound ones need no allowance.
    (allowance,) = two["allowances"]
    assert allowance == {"spoke": "clinical", "subnet": "snet-ehr-app", "name": "allow-" + inbound["name"],
                         "protocol": "TCP", "sources": ["10.4.0.10/32"], "ports": ["2575", "2576"],
                         # The NSG rule says what it is for too (names alone told the kinds apart before).
                         "description": "Hybrid from wave 2, not needed after wave 4: hl7-prd-eng01 -> ehr-prd-app01"}
    assert by_wave[3]["rules"][0]["destinations"] == [lis]


def test_no_rule_is_wider_than_its_links(plan, prod_bare):
    hybrid = hybrid_rules(plan, landed(plan, prod_bare), FACTS)
    link_ports = {str(link["port"]) for link in plan["crossing_links"]}
    for wave in hybrid.waves:
        for rule in wave["rules"]:
            assert set(rule["ports"]) <= link_ports
            for address in rule["sources"] + rule["destinations"]:
                assert address != "*" and ipaddress.ip_network(address).prefixlen >= 16


def test_a_link_without_a_known_address_gets_no_rule_and_says_why(plan, prod_bare):
    facts = {**FACTS, "hl7-prd-eng01": ServerFacts("hl7-prd-eng01")}
    hybrid = hybrid_rules(plan, landed(plan, prod_bare), facts)
    assert hybrid.waves == ()
    assert {s.reason for s in hybrid.skipped} == {
        "the inventory holds no IPv4 address for hl7-prd-eng01: no exact rule can be written (never a wildcard)"}
