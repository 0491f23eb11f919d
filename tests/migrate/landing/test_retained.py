"""Permanent hybrid rules: a link between a server that lands in Azure and one the plan keeps on premises for
good (retain) gets exact hub firewall rules (and an NSG allowance when the landed end receives it) from the
landed server's wave on, kept after the migration; retired peers get none and are counted."""

from __future__ import annotations

import copy
import ipaddress
import random

import pytest
import yaml

from infra import landing_overlay
from infra.config import config_from_stack_document
from infra.landing_overlay import merge_overlay
from migrate.inventory.model import Dependency
from migrate.landing.placement import LandingError, ServerFacts
from migrate.landing.retained import merge_waves, retained_rules, stays_on_premises
from migrate.landing.service import land, wave_runbook
from tests.conftest import load_stack
from tests.migrate.landing.conftest import FACTS, PLAN, server
from tests.migrate.landing.test_hybrid import landed

EHR = "10.42.0.0/23"            # clinical/snet-ehr-app (ehr-prd-app01, wave 2)
CLINICAL_APPS = "10.42.3.0/29"  # clinical/snet-clinical-apps, proposed (lis-prd-app01, wave 3)

# The conftest plan (old-prd-app01 is retired there) plus what stays on premises for good: a lab
# analyser's interface box feeding the LIS, a mainframe the EHR calls and that sends back, a retained
# server the inventory has no address for; and a domain controller in Azure (foundation wave 0).
RETAINED_PLAN = copy.deepcopy(PLAN)
RETAINED_PLAN["servers"].update({
    "lab-analyser01": server(None, strategy="retain", applications=("Laboratory (LIS)",),
                             excluded="retain: R-RETAIN-DEVICE-GATEWAY"),
    "mainframe01": server(None, strategy="retain", applications=("Patient accounting",),
                          excluded="retain: R-RETAIN-UNSUPPORTED-PLATFORM"),
    "keep-noip01": server(None, strategy="retain", applications=("Intranet",), excluded="retain: R-RETAIN-APPLIANCE"),
    "rbh-dc01": server(0, applications=("Active Directory",), tier=0),
})
RETAINED_FACTS = {
    **FACTS,
    "lab-analyser01": ServerFacts("lab-analyser01", ("10.5.0.7",), "phi", "Lab IT", "linux"),
    # Two addresses (and an IPv6 one, which no IPv4 rule can name): both /32s, nothing wider.
    "mainframe01": ServerFacts("mainframe01", ("10.6.0.2", "10.6.0.1", "fe80::2"), "phi", "Finance", "other"),
    "keep-noip01": ServerFacts("keep-noip01", (), None, None, "linux"),
    "old-prd-app01": ServerFacts("old-prd-app01", ("10.7.0.1",), None, None, "windows"),
}

LINKS = [
    # Inbound to the LIS (wave 3): the analyser sends results over MLLP, two ports, one rule.
    Dependency("lab-analyser01", "lis-prd-app01", 2575),
    Dependency("lab-analyser01", "lis-prd-app01", 2576),
    # Outbound from the EHR (wave 2) to the mainframe (TN3270 and its TLS port), and inbound back over UDP.
    Dependency("ehr-prd-app01", "mainframe01", 23),
    Dependency("ehr-prd-app01", "mainframe01", 992),
    Dependency("mainframe01", "ehr-prd-app01", 5000, "udp"),
    # Retired: no rule, counted once per link (the repeated observation is the same link).
    Dependency("ehr-prd-app01", "old-prd-app01", 443),
    Dependency("ehr-prd-app01", "old-prd-app01", 443, weight=7),
    Dependency("old-prd-app01", "lis-prd-app01", 80),
    # A retained server with no address: reported, no rule.
    Dependency("ehr-prd-app01", "keep-noip01", 445),
    # A replatformed server (no VM subnet): its Azure address is not known here: reported, no rule.
    Dependency("lab-analyser01", "erp-prd-db01", 1433),
    # Nothing at all: both ends on premises; an address outside the inventory.
    Dependency("lab-analyser01", "mainframe01", 23),
    Dependency("lab-analyser01", "10.9.9.9", 443),
    # Inside Azure: the steady state's, not these (one subnet pair of one spoke, one across spokes).
    Dependency("ehr-prd-app01", "lis-prd-app01", 8080),
    Dependency("ehr-prd-app01", "rbh-dc01", 53, "udp"),
]


@pytest.fixture
def placement(prod_bare):
    return landed(RETAINED_PLAN, prod_bare)


def by_wave(plan):
    return {w["wave"]: w for w in plan.waves}


def test_which_servers_stay_on_premises_for_good():
    servers = RETAINED_PLAN["servers"]
    assert sorted(n for n, s in servers.items() if stays_on_premises(s)) == [
        "keep-noip01", "lab-analyser01", "mainframe01"]
    # Retired (no wave either) is not "on premises": it is switched off.
    assert not stays_on_premises(servers["old-prd-app01"])
    # Any other strategy the plan keeps out of the waves stays on premises too.
    assert stays_on_premises(server(None, strategy="relocate"))


def test_inbound_and_outbound_links_to_a_retained_server_get_exact_permanent_rules(placement):
    retained = retained_rules(RETAINED_PLAN, placement, RETAINED_FACTS, LINKS)
    waves = by_wave(retained)
    # Each from its landed server's wave: the EHR's 2, the LIS's 3.
    assert sorted(waves) == [2, 3]
    assert waves[3]["rules"] == [{
        "name": "p03-001-in", "protocol": "TCP", "sources": ["10.5.0.7/32"], "destinations": [CLINICAL_APPS],
        "ports": ["2575", "2576"],
        "description": "Permanent: lab-analyser01 stays on premises (retain). On-premises dependency lab-analyser01 "
                       "-> clinical/snet-clinical-apps (lis-prd-app01), from wave 3."}]
    # Inbound: the landed subnet's NSG admits exactly the analyser on exactly those ports.
    assert waves[3]["allowances"] == [{"spoke": "clinical", "subnet": "snet-clinical-apps",
                                       "name": "allow-p03-001-in", "protocol": "TCP", "sources": ["10.5.0.7/32"],
                                       "ports": ["2575", "2576"],
                                       "description": "Permanent from wave 3: lab-analyser01 stays on premises "
                                                      "(retain)"}]
    mainframe = ["10.6.0.1/32", "10.6.0.2/32"]
    assert [(r["name"], r["protocol"], r["sources"], r["destinations"], r["ports"]) for r in waves[2]["rules"]] == [
        ("p02-001-in", "UDP", mainframe, [EHR], ["5000"]),
        ("p02-002-out", "TCP", [EHR], mainframe, ["23", "992"])]
    assert waves[2]["rules"][1]["description"] == (
        "Permanent: mainframe01 stays on premises (retain). On-premises dependency clinical/snet-ehr-app "
        "(ehr-prd-app01) -> mainframe01, from wave 2.")
    # Outbound needs the firewall only: the NSG is inbound, and the landed end starts the connection.
    assert [a["name"] for a in waves[2]["allowances"]] == ["allow-p02-001-in"]
    assert retained.links == 5 and retained.servers == 2


def test_a_retired_peer_gets_no_rule_and_is_counted(placement):
    retained = retained_rules(RETAINED_PLAN, placement, RETAINED_FACTS, LINKS)
    everything = [a for w in retained.waves for r in w["rules"] + w["allowances"]
                  for a in r["sources"] + r.get("destinations", [])]
    assert "10.7.0.1/32" not in everything
    # ehr -> old 443 (observed twice: one link) and old -> lis 80.
    assert retained.retired == 2
    alone = retained_rules(RETAINED_PLAN, placement, RETAINED_FACTS, [Dependency("ehr-prd-app01", "old-prd-app01", 443)])
    assert (alone.waves, alone.skipped, alone.links, alone.retired) == ((), (), 0, 1)


def test_a_peer_without_an_address_or_a_subnet_is_reported_without_a_rule(placement):
    retained = retained_rules(RETAINED_PLAN, placement, RETAINED_FACTS, LINKS)
    assert [(s.link, s.reason) for s in retained.skipped] == [
        ("ehr-prd-app01 -> keep-noip01 tcp/445",
         "the inventory holds no IPv4 address for keep-noip01: no exact rule can be written (never a wildcard)"),
        ("lab-analyser01 -> erp-prd-db01 tcp/1433",
         "erp-prd-db01 lands on no VM subnet, so its Azure address range is not known here")]
    other = retained_rules(RETAINED_PLAN, placement, RETAINED_FACTS,
                           [Dependency("mainframe01", "ehr-prd-app01", 0, "icmp")])
    assert other.waves == () and [s.reason for s in other.skipped] == [
        "protocol 'icmp': a rule names TCP or UDP (never Any)"]


def test_no_rule_is_wider_than_its_links(placement):
    retained = retained_rules(RETAINED_PLAN, placement, RETAINED_FACTS, LINKS)
    prefixes = {t.address_prefix for t in placement.targets.values()}
    link_ports = {str(d.port) for d in LINKS}
    for wave in retained.waves:
        for entry in wave["rules"] + wave["allowances"]:
            assert set(entry["ports"]) <= link_ports and "*" not in entry["ports"]
            if "destinations" not in entry:  # an NSG allowance: on its landing subnet, from the /32s only
                assert all(ipaddress.ip_network(a).prefixlen == 32 for a in entry["sources"])
                continue
            # A firewall rule: one side a landing subnet, the other the on-premises server's own /32s.
            sides = (entry["sources"], entry["destinations"])
            assert any(all(a in prefixes for a in side) for side in sides)
            assert any(all(ipaddress.ip_network(a).prefixlen == 32 for a in side) for side in sides)


def test_the_overlay_keeps_them_with_the_steady_state_one_group_per_wave(prod_bare):
    result = land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, LINKS)
    kept = {w["wave"]: w for w in yaml.safe_load(result.overlay)["overlay"]["steadyStateWaves"]}
    # Wave 2: the spoke-to-spoke steady rule (EHR -> domain controller), then the mainframe's permanent ones.
    assert [r["name"] for r in kept[2]["rules"]] == ["s02-001", "p02-001-in", "p02-002-out"]
    # Wave 3: the EHR -> LIS allowance (one spoke: no firewall rule), then the analyser's.
    assert [a["name"] for a in kept[3]["allowances"]] == ["allow-s03-001", "allow-p03-001-in"]
    assert all("removeAfterWave" not in w for w in kept.values())
    assert list(kept.values()) == list(merge_waves(result.steady.waves, result.retained.waves))
    # The hybrid rules (the plan's crossing links) are the same with or without these links.
    assert result.hybrid == land(RETAINED_PLAN, RETAINED_FACTS, prod_bare).hybrid
    assert "(rules s..), and links between a server landed then and one that stays on premises" in result.overlay


def deployed(prod_bare, links=LINKS):
    """The prod stack with the overlay merged as the render and the program merge it, and validated."""
    overlay = yaml.safe_load(land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, links).overlay)
    document = copy.deepcopy(load_stack("prod"))
    raw = {k.removeprefix("carelift:"): v for k, v in document["config"].items() if k.startswith("carelift:")}
    merged = merge_overlay(raw, overlay, "landing.yaml")
    document["config"] = {**{k: v for k, v in document["config"].items() if not k.startswith("carelift:")},
                          **{f"carelift:{k}": v for k, v in merged.items()}}
    return config_from_stack_document(document, stack="prod", source="Pulumi.prod.yaml")


def test_the_stack_accepts_the_overlay_with_its_permanent_rules(prod_bare):
    """What `carelift render`/the program do with the overlay: merged into carelift:network and held to the
    stack's own checks (exact addresses, no '*', subnets that exist)."""
    config = deployed(prod_bare)
    permanent = [r for w in config.network.steady_state_waves for r in w.rules if r.name.startswith("p")]
    assert [(r.name, r.sources, r.destinations) for r in permanent] == [
        ("p02-001-in", ("10.6.0.1/32", "10.6.0.2/32"), (EHR,)),
        ("p02-002-out", (EHR,), ("10.6.0.1/32", "10.6.0.2/32")),
        ("p03-001-in", ("10.5.0.7/32",), (CLINICAL_APPS,))]
    assert [a.name for a in config.network.allowances("clinical") if a.name.startswith("allow-p")] == [
        "allow-p02-001-in", "allow-p03-001-in"]


def test_the_overlay_is_the_same_bytes_whatever_the_order_of_the_links_and_servers(prod_bare):
    once = land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, LINKS).overlay
    shuffled = list(LINKS)
    random.Random(11).shuffle(shuffled)
    plan = copy.deepcopy(RETAINED_PLAN)
    plan["servers"] = dict(reversed(list(plan["servers"].items())))
    facts = dict(reversed(list(RETAINED_FACTS.items())))
    assert land(plan, facts, prod_bare, shuffled).overlay == once


def test_kept_rules_share_their_waves_group_in_the_firewall_limit(prod_bare, monkeypatch):
    """Two platform groups, hybrid waves 2 and 3, kept waves 2 and 3 (steady and permanent rules of one
    wave in one group): 6 groups. A policy allowing 6 takes it; one allowing 5 refuses it with the counts."""
    monkeypatch.setattr(landing_overlay, "FIREWALL_MAX_GROUPS", 6)
    land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, LINKS)
    monkeypatch.setattr(landing_overlay, "FIREWALL_MAX_GROUPS", 5)
    with pytest.raises(LandingError) as caught:
        land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, LINKS)
    assert caught.value.problems == [
        "the hub firewall policy would hold 6 rule collection groups (2 platform, 2 hybrid, 2 steady-state): "
        "Azure allows 5"]


def test_permanent_allowances_count_in_the_nsg_limit(prod_bare, monkeypatch):
    monkeypatch.setattr(landing_overlay, "NSG_MAX_RULES", landing_overlay.NSG_OWN_RULES + 1)
    with pytest.raises(LandingError) as caught:
        land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, [Dependency("mainframe01", "ehr-prd-app01", 5000, "udp"),
                                                       Dependency("lab-analyser01", "ehr-prd-app01", 2575)])
    # The hybrid allowance of the engine's link (wave 2) and the two permanent ones.
    assert caught.value.problems == [
        "the NSG of clinical/snet-ehr-app would hold 3 allowances and up to 4 rules of its own: Azure allows 5 "
        "rules per NSG, and priorities 1000-4095 hold 1 allowances at most above its deny-all"]


def test_the_runbook_lists_the_waves_permanent_rules_to_deploy_and_verify(prod_bare):
    config = deployed(prod_bare)
    text = wave_runbook(RETAINED_PLAN, 2, RETAINED_FACTS, config)
    assert ("- [ ] Permanent rules to what stays on premises (servers kept there, devices and addresses outside the "
            "inventory) deployed in `rcg-steady-wave-02` (2 rule(s), 1 NSG allowance(s); never deleted): after "
            "cutover, verify each:") in text
    assert ("  - `p02-002-out` TCP 10.42.0.0/23 -> 10.6.0.1/32, 10.6.0.2/32 port(s) 23, 992: Permanent: mainframe01 "
            "stays on premises (retain).") in text
    assert "s02-001" not in text  # the steady state's rules are not the runbook's to list
    # Never among what the wave's decommission deletes.
    assert "p02" not in text.split("## Decommission")[1]
    # A wave without permanent rules says nothing of them.
    assert "Permanent rules" not in wave_runbook(RETAINED_PLAN, 1, RETAINED_FACTS, config)
