"""Servers kept on premises grouped like the devices outside the inventory: those a landed subnet reaches in one
wave, direction and protocol on the same port set share one permanent rule (their /32s) and one NSG allowance, not
one each; other port sets stay apart, an address two servers share is listed once, Azure's per-rule caps cut the
sorted addresses in order, and one server alone is described as before."""

from __future__ import annotations

import copy
import random

import yaml

from migrate.inventory.model import Dependency
from migrate.landing.placement import ServerFacts
from migrate.landing.retained import retained_rules
from migrate.landing.service import land, wave_runbook
from tests.migrate.landing.conftest import server
from tests.migrate.landing.test_grouping import placed
from tests.migrate.landing.test_retained import CLINICAL_APPS, EHR, RETAINED_FACTS, RETAINED_PLAN

# Forty interface boxes of the lab, kept on premises; box07 has a second address, box41 is relocated later.
BOXES = {f"box{n:02d}": (f"10.8.0.{n}",) for n in range(1, 41)}
BOXES["box07"] = ("10.8.0.7", "10.8.1.7")
PLAN = copy.deepcopy(RETAINED_PLAN)
PLAN["servers"].update({name: server(None, strategy="retain", applications=("Laboratory (LIS)",),
                                     excluded="retain: R-RETAIN-DEVICE-GATEWAY") for name in BOXES})
PLAN["servers"]["box41"] = server(None, strategy="relocate", excluded="relocate: R-RELOCATE-LATER")
FACTS = {**RETAINED_FACTS, **{name: ServerFacts(name, ips, "phi", "Lab IT", "linux") for name, ips in BOXES.items()},
         "box41": ServerFacts("box41", ("10.8.0.41",), "phi", "Lab IT", "linux")}
HOSTS = sorted((f"{ip}/32" for ips in BOXES.values() for ip in ips), key=lambda h: tuple(map(int, h[:-3].split("."))))


def rules_of(links, limits=(5000, 4000)):
    placement, _ = placed()
    return retained_rules(PLAN, placement, FACTS, links, limits)


def rules(kept):
    return [r for w in kept.waves for r in w["rules"]]


def test_forty_retained_boxes_on_one_port_are_one_rule_and_one_allowance_not_forty():
    links = [Dependency(name, "lis-prd-app01", 2575) for name in BOXES]
    random.Random(5).shuffle(links)
    kept = rules_of(links)
    assert [(r["name"], r["sources"], r["destinations"], r["ports"]) for r in rules(kept)] == [
        ("p03-001-in", HOSTS, [CLINICAL_APPS], ["2575"])]
    assert rules(kept)[0]["description"] == (
        "Permanent: 40 servers stay on premises (retain). On-premises dependency 40 servers (box01, box02, box03 "
        "and 37 more) -> clinical/snet-clinical-apps (lis-prd-app01), from wave 3.")
    assert kept.waves[0]["allowances"] == [{
        "spoke": "clinical", "subnet": "snet-clinical-apps", "name": "allow-p03-001-in", "protocol": "TCP",
        "sources": HOSTS, "ports": ["2575"], "description": "Permanent from wave 3: 40 servers stay on premises (retain)"}]
    assert (kept.links, kept.servers, kept.held()) == (40, 40, (41, 41))


def test_other_port_sets_protocols_and_directions_stay_apart_and_strategies_are_named():
    links = [
        # The EHR (wave 2) calls the mainframe (two addresses) and box01 on 23 and 992, box41 too: one rule.
        *(Dependency("ehr-prd-app01", peer, port) for peer in ("mainframe01", "box01", "box41") for port in (23, 992)),
        # box02 on 23 only: grouping it with them would open 992 to it.
        Dependency("ehr-prd-app01", "box02", 23),
        # Same port, other protocol or direction: other rules too.
        Dependency("ehr-prd-app01", "box03", 23, "udp"), Dependency("box04", "ehr-prd-app01", 23)]
    kept = rules_of(links)
    assert [(r["name"], r["protocol"], r["sources"], r["destinations"], r["ports"]) for r in rules(kept)] == [
        ("p02-001-out", "TCP", [EHR], ["10.6.0.1/32", "10.6.0.2/32", "10.8.0.1/32", "10.8.0.41/32"], ["23", "992"]),
        ("p02-002-out", "TCP", [EHR], ["10.8.0.2/32"], ["23"]),
        ("p02-003-out", "UDP", [EHR], ["10.8.0.3/32"], ["23"]),
        ("p02-004-in", "TCP", ["10.8.0.4/32"], [EHR], ["23"])]
    # Several servers: counted, their strategies named, in the order of their first address.
    assert rules(kept)[0]["description"] == (
        "Permanent: 3 servers stay on premises (relocate, retain). On-premises dependency clinical/snet-ehr-app "
        "(ehr-prd-app01) -> 3 servers (mainframe01, box01, box41), from wave 2.")
    # One server: as before.
    assert rules(kept)[1]["description"] == (
        "Permanent: box02 stays on premises (retain). On-premises dependency clinical/snet-ehr-app (ehr-prd-app01) "
        "-> box02, from wave 2.")
    assert kept.waves[0]["allowances"][0]["description"] == "Permanent from wave 2: box04 stays on premises (retain)"


def test_an_address_two_retained_servers_share_is_listed_once():
    facts = {**FACTS, "box02": ServerFacts("box02", ("10.8.0.1",), "phi", "Lab IT", "linux")}
    placement, _ = placed()
    kept = retained_rules(PLAN, placement, facts, [Dependency("ehr-prd-app01", "box01", 443),
                                                   Dependency("ehr-prd-app01", "box02", 443)])
    (rule,) = rules(kept)
    assert rule["destinations"] == ["10.8.0.1/32"]
    assert "-> 2 servers (box01, box02)" in rule["description"]


def test_beyond_the_per_rule_limit_the_sorted_addresses_are_cut_in_order():
    # 5 addresses per NSG allowance: 12 boxes (box07's two addresses among them, 13 /32s) -> 5, 5, 3.
    names = [f"box{n:02d}" for n in range(1, 13)]
    links = [Dependency(name, "lis-prd-app01", 2575) for name in names]
    kept = rules_of(links, limits=(7, 5))
    hosts = sorted((f"{ip}/32" for name in names for ip in BOXES[name]),
                   key=lambda h: tuple(map(int, h[:-3].split("."))))
    assert [(r["name"], r["sources"]) for r in rules(kept)] == [
        ("p03-001-in", hosts[:5]), ("p03-002-in", hosts[5:10]), ("p03-003-in", hosts[10:])]
    assert [a["sources"] for a in kept.waves[0]["allowances"]] == [hosts[:5], hosts[5:10], hosts[10:]]
    # 10.8.1.7 sorts last: box07 is in part 2 (10.8.0.7) and part 3 (10.8.1.7).
    assert rules(kept)[2]["description"].startswith(
        "Permanent: 3 servers stay on premises (retain). On-premises dependency 3 servers (box11, box12, box07; "
        "part 3 of 3, cut at the addresses Azure allows per rule) -> ")
    random.Random(2).shuffle(links)
    assert rules_of(links, limits=(7, 5)).waves == kept.waves


def test_plan_landing_writes_them_and_the_runbook_lists_them(prod_bare):
    links = [Dependency("lis-prd-app01", name, 443) for name in BOXES]
    result = land(PLAN, FACTS, prod_bare, links)
    kept = {w["wave"]: w for w in yaml.safe_load(result.overlay)["overlay"]["steadyStateWaves"]}
    assert [(r["name"], len(r["destinations"])) for r in kept[3]["rules"]] == [("p03-001-out", 41)]
    assert result.retained.held() == (41, 0)
    text = wave_runbook(PLAN, 3, FACTS, result_config(prod_bare, result))
    assert ("  - `p03-001-out` TCP 10.42.3.0/29 -> 10.8.0.1/32, 10.8.0.2/32, 10.8.0.3/32, 10.8.0.4/32, 10.8.0.5/32 "
            "and 36 more (41 addresses) port(s) 443: Permanent: 40 servers stay on premises (retain).") in text


def result_config(prod_bare, result):
    """The prod stack with this landing's overlay merged and validated (as the render and the program do)."""
    from infra.config import config_from_stack_document
    from infra.landing_overlay import merge_overlay
    from tests.conftest import load_stack

    document = copy.deepcopy(load_stack("prod"))
    raw = {k.removeprefix("carelift:"): v for k, v in document["config"].items() if k.startswith("carelift:")}
    merged = merge_overlay(raw, yaml.safe_load(result.overlay), "landing.yaml")
    document["config"] = {**{k: v for k, v in document["config"].items() if not k.startswith("carelift:")},
                          **{f"carelift:{k}": v for k, v in merged.items()}}
    return config_from_stack_document(document, stack="prod", source="Pulumi.prod.yaml")
