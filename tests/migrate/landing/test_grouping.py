"""Permanent rules grouped: addresses outside the inventory (and, in test_retained_grouping, servers kept on
premises) that share wave, direction, landing subnet, protocol and port set share one permanent rule (and one NSG
allowance), never wider than their links, cut at what Azure allows per rule; the NSG's 4,000 source prefixes are
checked across its rules. The Hypothesis test draws links to both kinds."""

from __future__ import annotations

import copy
import functools
import ipaddress
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra import landing_overlay
from infra.landing_overlay import FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES, NSG_OWN_RULES, limit_problems
from migrate.inventory.model import Dependency
from migrate.landing.external import external_rules
from migrate.landing.hybrid import ipv4_hosts
from migrate.landing.placement import LandingError, ServerFacts, place
from migrate.landing.propose import propose
from migrate.landing.retained import retained_rules
from migrate.landing.service import land, load_bare_stack, wave_runbook, with_proposal
from tests.conftest import STACKS
from tests.migrate.landing.conftest import server
from tests.migrate.landing.test_external import into, out
from tests.migrate.landing.test_retained import CLINICAL_APPS, EHR, RETAINED_FACTS, RETAINED_PLAN, deployed

PRINTERS = [f"172.20.30.{n}" for n in range(10, 70)]


@functools.lru_cache(maxsize=1)
def placed():
    """The retained plan placed in prod with its proposals (as `land` places it): computed once, for Hypothesis."""
    bare = load_bare_stack(STACKS / "Pulumi.prod.yaml")
    config = with_proposal(bare, propose(place(RETAINED_PLAN, RETAINED_FACTS, bare), bare))
    return place(RETAINED_PLAN, RETAINED_FACTS, config), config


def rules_of(links, limits=(FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES)):
    placement, config = placed()
    return external_rules(RETAINED_PLAN, placement, RETAINED_FACTS, links, config, limits)


def rules(external):
    return [r for w in external.waves for r in w["rules"]]


def test_sixty_printers_on_one_port_are_one_rule_not_sixty():
    # The EHR (wave 2) prints to 60 label printers, shuffled as an export lists them: one rule, sorted /32s.
    links = [out("ehr-prd-app01", address, 9100) for address in PRINTERS]
    random.Random(3).shuffle(links)
    external = rules_of(links)
    assert [(r["name"], r["sources"], r["destinations"], r["ports"]) for r in rules(external)] == [
        ("e02-001-out", [EHR], [f"{a}/32" for a in PRINTERS], ["9100"])]
    assert rules(external)[0]["description"] == (
        "Permanent: 60 addresses are not in the inventory (devices or unlisted servers). On-premises dependency "
        "clinical/snet-ehr-app (ehr-prd-app01) -> 60 addresses (172.20.30.10, 172.20.30.11, 172.20.30.12 and 57 "
        "more), from wave 2.")
    assert (external.links, external.addresses, external.held()) == (60, 60, (60, 0))


def test_analysers_sending_to_the_lis_share_one_rule_and_one_allowance():
    links = [into(f"172.20.20.{n}", "lis-prd-app01", 5001) for n in range(10, 30)]
    external = rules_of(links)
    hosts = [f"172.20.20.{n}/32" for n in range(10, 30)]
    assert [(r["name"], r["sources"], r["destinations"]) for r in rules(external)] == [
        ("e03-001-in", hosts, [CLINICAL_APPS])]
    assert external.waves[0]["allowances"] == [{"spoke": "clinical", "subnet": "snet-clinical-apps",
                                                "name": "allow-e03-001-in", "protocol": "TCP", "sources": hosts,
                                                "ports": ["5001"],
                                                "description": "Permanent from wave 3: 20 addresses are not in the "
                                                               "inventory (devices or unlisted servers)"}]
    assert external.held() == (20, 20)


def test_addresses_with_other_ports_get_rules_of_their_own():
    # .10 and .11 print on 9100 only; .12 also takes LPD (515): grouping it with them would open 515 to them.
    links = [out("ehr-prd-app01", "172.20.30.10", 9100), out("ehr-prd-app01", "172.20.30.11", 9100),
             out("ehr-prd-app01", "172.20.30.12", 9100), out("ehr-prd-app01", "172.20.30.12", 515),
             # Same port, other protocol or direction: other rules too.
             out("ehr-prd-app01", "172.20.30.13", 9100, "udp"), into("172.20.30.14", "ehr-prd-app01", 9100)]
    got = [(r["name"], r["protocol"], r["sources"], r["destinations"], r["ports"]) for r in rules(rules_of(links))]
    assert got == [
        ("e02-001-out", "TCP", [EHR], ["172.20.30.10/32", "172.20.30.11/32"], ["9100"]),
        ("e02-002-out", "TCP", [EHR], ["172.20.30.12/32"], ["515", "9100"]),
        ("e02-003-out", "UDP", [EHR], ["172.20.30.13/32"], ["9100"]),
        ("e02-004-in", "TCP", ["172.20.30.14/32"], [EHR], ["9100"])]


def test_the_same_address_from_two_subnets_or_waves_is_in_each_rule():
    # The EHR (wave 2) and the LIS (wave 3) both print to .10: a rule in each wave, the subnet of each.
    external = rules_of([out("ehr-prd-app01", "172.20.30.10", 9100), out("lis-prd-app01", "172.20.30.10", 9100),
                         out("lis-prd-app01", "172.20.30.11", 9100)])
    assert [(w["wave"], r["sources"], r["destinations"]) for w in external.waves for r in w["rules"]] == [
        (2, [EHR], ["172.20.30.10/32"]), (3, [CLINICAL_APPS], ["172.20.30.10/32", "172.20.30.11/32"])]
    assert (external.addresses, external.held()) == (2, (3, 0))


def test_beyond_the_per_rule_limit_the_sorted_addresses_are_cut_in_order():
    # Limits of 7 addresses per firewall rule and 5 per NSG allowance: 12 senders -> 5, 5, 2 (the allowance's
    # limit binds an inbound rule); 12 printers -> 7, 5 (outbound: no allowance).
    senders = [f"172.20.20.{n}" for n in range(10, 22)]
    printers = PRINTERS[:12]
    links = [into(a, "lis-prd-app01", 5001) for a in senders] + [out("lis-prd-app01", a, 9100) for a in printers]
    external = rules_of(links, limits=(7, 5))
    got = [(r["name"], r["sources"] if r["name"].endswith("-in") else r["destinations"]) for r in rules(external)]
    assert got == [
        ("e03-001-in", [f"{a}/32" for a in senders[:5]]),
        ("e03-002-in", [f"{a}/32" for a in senders[5:10]]),
        ("e03-003-in", [f"{a}/32" for a in senders[10:]]),
        ("e03-004-out", [f"{a}/32" for a in printers[:7]]),
        ("e03-005-out", [f"{a}/32" for a in printers[7:]])]
    assert [a["sources"] for a in external.waves[0]["allowances"]] == [g[1] for g in got[:3]]
    assert "part 2 of 3, cut at the addresses Azure allows per rule" in rules(external)[1]["description"]
    # Deterministic: the same links in another order give the same rules.
    random.Random(1).shuffle(links)
    assert rules_of(links, limits=(7, 5)).waves == external.waves


def test_a_description_stays_under_the_cap_with_thousands_of_named_devices():
    # 4,000 modalities the export named (long names): the description counts them and stays well under 1,000.
    links = [into(str(ipaddress.IPv4Address("172.21.0.0") + n), "lis-prd-app01", 104) for n in range(4000)]
    links = [type(d)(f"modality-with-a-very-long-name-{n:04d}-" + "x" * 40, d.destination, d.port, d.protocol,
                     source_ip=d.source_ip, destination_resolved=True) for n, d in enumerate(links)]
    (rule,) = rules(rules_of(links))
    assert len(rule["sources"]) == 4000 and len(rule["description"]) < 1000
    assert rule["description"].startswith("Permanent: 4000 addresses are not in the inventory")
    assert "172.21.0.0 (modality-with-a-very-long-name-0000-" in rule["description"]


def test_the_runbook_names_a_few_addresses_and_counts_the_rest(prod_bare):
    links = [out("lis-prd-app01", address, 9100) for address in PRINTERS]
    text = wave_runbook(RETAINED_PLAN, 3, RETAINED_FACTS, deployed(prod_bare, links))
    assert ("  - `e03-001-out` TCP 10.42.3.0/29 -> 172.20.30.10/32, 172.20.30.11/32, 172.20.30.12/32, "
            "172.20.30.13/32, 172.20.30.14/32 and 55 more (60 addresses) port(s) 9100: Permanent: 60 addresses are "
            "not in the inventory (devices or unlisted servers).") in text


def test_an_nsg_holds_at_most_4000_source_prefixes_across_its_rules():
    def allowance(n):
        return {"spoke": "clinical", "subnet": "snet-imaging", "name": f"a{n}", "sources": ["10.9.0.1/32"] * n}
    room = NSG_MAX_PREFIXES - NSG_OWN_RULES
    assert limit_problems([], [{"wave": 1, "rules": [], "allowances": [allowance(room - 100), allowance(100)]}]) == []
    assert limit_problems([], [{"wave": 1, "rules": [], "allowances": [allowance(room - 100)]},
                               {"wave": 2, "rules": [], "allowances": [allowance(101)]}]) == [
        "the NSG of clinical/snet-imaging would hold 3,997 source addresses in its allowances and up to 4 in its "
        "own rules: Azure allows 4,000 per NSG, all rules together"]


def test_plan_landing_refuses_devices_beyond_an_nsgs_prefixes(prod_bare, monkeypatch):
    links = [into(f"172.20.20.{n}", "lis-prd-app01", 5001) for n in range(10, 30)]
    assert land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, links).external.held() == (20, 20)
    monkeypatch.setattr(landing_overlay, "NSG_MAX_PREFIXES", NSG_OWN_RULES + 19)
    with pytest.raises(LandingError) as caught:
        land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, links)
    # The 20 analysers and the engine's hybrid allowance (hl7-prd-eng01 -> lis-prd-app01 until wave 4).
    assert caught.value.problems == [
        "the NSG of clinical/snet-clinical-apps would hold 21 source addresses in its allowances and up to 4 in its "
        "own rules: Azure allows 23 per NSG, all rules together"]


# Random link sets: landed servers of four waves and subnets (and a replatformed one), a pool of on-premises
# addresses outside the inventory and of servers kept on premises (one address, two, one shared by two servers,
# an IPv6 one beside an IPv4 one, none), a few ports, both protocols and directions; tiny per-rule limits so
# the cut is exercised too.
SERVERS = ("ehr-prd-app01", "ehr-tst-app01", "lis-prd-app01", "hl7-prd-eng01", "rbh-dc01", "erp-prd-db01")
ADDRESSES = tuple(f"172.20.{a}.{b}" for a in (30, 31) for b in range(10, 16))
KEPT = {"box01": ("10.8.0.1",), "box02": ("10.8.0.3", "10.8.0.2"), "box03": ("10.8.0.1",),
        "box04": ("10.8.0.4", "fe80::4"), "box05": ("10.8.0.9",)}
GROUP_PLAN = copy.deepcopy(RETAINED_PLAN)
GROUP_PLAN["servers"].update({name: server(None, strategy="relocate" if name == "box05" else "retain",
                                           excluded="retain: R-RETAIN-APPLIANCE") for name in KEPT})
GROUP_FACTS = {**RETAINED_FACTS, **{name: ServerFacts(name, ips, None, None, "linux") for name, ips in KEPT.items()}}
ON_PREMISES = (*ADDRESSES, *KEPT, "mainframe01", "lab-analyser01", "keep-noip01")
LINK = st.tuples(st.sampled_from(SERVERS), st.sampled_from(ON_PREMISES), st.sampled_from((104, 443, 515, 9100)),
                 st.sampled_from(("tcp", "udp")), st.booleans())


def link(server_name, peer, port, protocol, inbound):
    if peer in GROUP_FACTS:  # a server kept on premises: an edge between two inventory servers
        return Dependency(peer, server_name, port, protocol) if inbound else Dependency(server_name, peer, port, protocol)
    return into(peer, server_name, port, protocol) if inbound else out(server_name, peer, port, protocol)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINK, max_size=40), st.integers(1, 4), st.integers(1, 4))
def test_every_rule_is_exact_and_every_link_has_one(drawn, max_rule, max_allowance):
    links = [link(*d) for d in drawn]
    placement, config = placed()
    limits = (max_rule, max_allowance)

    def both(some_links):
        return (external_rules(GROUP_PLAN, placement, GROUP_FACTS, some_links, config, limits),
                retained_rules(GROUP_PLAN, placement, GROUP_FACTS, some_links, limits))

    external, retained = both(links)
    # What the links ask for, per kind: (wave, outbound, landed subnet, protocol, address /32, port).
    real: dict[str, set] = {"e": set(), "p": set()}
    for server_name, peer, port, protocol, inbound in drawn:
        target = placement.targets.get(server_name)
        if target is not None:
            kind, hosts = ("p", ipv4_hosts(GROUP_FACTS[peer])) if peer in GROUP_FACTS else ("e", [f"{peer}/32"])
            real[kind] |= {(GROUP_PLAN["servers"][server_name]["wave"], not inbound, target.address_prefix,
                            protocol.upper(), host, port) for host in hosts}
    for kind, plan in (("e", external), ("p", retained)):
        granted = set()
        for wave in plan.waves:
            allowances = {a["name"]: a for a in wave["allowances"]}
            for rule in wave["rules"]:
                assert rule["name"].startswith(kind)
                outbound = rule["name"].endswith("-out")
                (subnet,), hosts = ((rule["sources"], rule["destinations"]) if outbound
                                    else (rule["destinations"], rule["sources"]))
                assert len(hosts) <= (max_rule if outbound else min(max_rule, max_allowance))
                assert hosts == sorted(hosts, key=ipaddress.ip_network) and len(set(hosts)) == len(hosts)
                pairs = {(wave["wave"], outbound, subnet, rule["protocol"], host, int(port))
                         for host in hosts for port in rule["ports"]}
                assert pairs <= real[kind], f"{rule['name']} opens {sorted(pairs - real[kind])}, which no link uses"
                granted |= pairs
                allowance = allowances.pop(f"allow-{rule['name']}", None)
                if outbound:
                    assert allowance is None
                else:
                    assert (allowance["sources"], allowance["ports"], allowance["protocol"]) == (
                        rule["sources"], rule["ports"], rule["protocol"])
                    assert allowance["description"].startswith(f"Permanent from wave {wave['wave']}: ")
                    assert len(allowance["description"]) <= 140  # Azure's limit for a security rule's description
            assert not allowances  # every allowance is an inbound rule's
        assert granted == real[kind]
    assert external.addresses == len({host for *_, host, _ in real["e"]})
    assert retained.servers == len({peer for server_name, peer, *_ in drawn
                                    if peer in GROUP_FACTS and ipv4_hosts(GROUP_FACTS[peer])
                                    and placement.targets.get(server_name) is not None})
    shuffled = list(links)
    random.Random(len(links)).shuffle(shuffled)
    again = both(shuffled)
    assert (again[0].waves, again[1].waves) == (external.waves, retained.waves)
