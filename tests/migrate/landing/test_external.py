"""Endpoints outside the inventory: a landed server's link to or from a device or an unlisted server (a bare
address in the dependency export) gets an exact permanent rule when the address is on premises, and is
listed with why when it is public, unusable, an Azure address, or the link is not TCP/UDP."""

from __future__ import annotations

import ipaddress
import random

import pytest
import yaml

from migrate.inventory.dependencies import azure_migrate
from migrate.inventory.model import Dependency, ParsedFile, Server
from migrate.inventory.store import SourceFile, Workspace
from migrate.landing.external import AZURE, INVENTORY, NO_SUBNET, PROTOCOL, PUBLIC, UNUSABLE, classify, external_rules
from migrate.landing.service import land, wave_runbook, with_proposal
from migrate.landing.propose import propose
from migrate.landing.placement import place
from tests.migrate.landing.test_retained import EHR, CLINICAL_APPS, RETAINED_FACTS, RETAINED_PLAN, deployed


def out(server, address, port, protocol="tcp", name=None):
    """An edge as the store returns one whose destination is outside the inventory: Azure Migrate leaves
    "Destination server name" blank for it, so it is recorded by its address (or by the name a generic
    export or host list gave, with or without an address)."""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return Dependency(server, name or address, port, protocol)
    return Dependency(server, name or address, port, protocol, destination_ip=address)


def into(address, server, port, protocol="tcp"):
    """An edge from an endpoint outside the inventory: blank "Source server name", its "Source IP" kept."""
    return Dependency(address, server, port, protocol, source_ip=address, destination_resolved=True)


LINKS = [
    # A lab analyser sends results to the LIS (wave 3) on two ports: one inbound rule, one allowance.
    into("172.20.20.11", "lis-prd-app01", 5001),
    into("172.20.20.11", "lis-prd-app01", 5002),
    # The EHR (wave 2) prints to a label printer, reaches an unlisted fax server the export named, and a
    # patient monitor sends it syslog over UDP.
    out("ehr-prd-app01", "172.20.30.10", 9100),
    out("ehr-prd-app01", "10.8.1.5", 445, name="legacy-fax01"),
    into("172.20.50.5", "ehr-prd-app01", 514, "udp"),
    # No rule, each with why.
    out("ehr-prd-app01", "52.96.10.20", 443),          # public: the firewall's egress policy
    out("ehr-prd-app01", "203.0.113.80", 443),         # RFC 5737: the sample estate's stand-in for a partner
    out("ehr-prd-app01", "127.0.0.1", 8080),           # loopback, as agent-based exports record it
    out("ehr-prd-app01", "fe80::1", 5355),             # IPv6 link-local (LLMNR)
    out("ehr-prd-app01", "169.254.169.254", 80),       # link-local (a metadata service)
    out("ehr-prd-app01", "printsrv.riverbend.local", 515),  # a host name only (generic CSV, host lists)
    out("ehr-prd-app01", "10.42.2.9", 1521),           # inside spoke clinical: an Azure address
    out("ehr-prd-app01", "10.44.7.7", 443),            # inside the spoke pool: Azure's to allocate
    out("ehr-prd-app01", "10.4.0.10", 2575),           # an inventory server's address the store did not resolve
    into("172.20.20.11", "lis-prd-app01", 0, "icmp"),  # neither TCP nor UDP
    into("172.20.20.12", "erp-prd-db01", 1433),        # replatformed: no VM subnet, no known Azure address
    # Not landing business: ignored, not listed.
    into("172.20.10.10", "mainframe01", 23),           # to a server kept on premises (both ends stay)
    out("old-prd-app01", "172.20.30.11", 9100),        # from a retired server
    Dependency("172.20.10.10", "172.20.30.12", 9100),  # two endpoints outside the inventory
    Dependency("ehr-prd-app01", "lis-prd-app01", 8080),  # two servers: the steady state's
]


@pytest.fixture
def placed(prod_bare):
    first = place(RETAINED_PLAN, RETAINED_FACTS, prod_bare)
    config = with_proposal(prod_bare, propose(first, prod_bare))
    return place(RETAINED_PLAN, RETAINED_FACTS, config), config


def rules_of(links, placed):
    placement, config = placed
    return external_rules(RETAINED_PLAN, placement, RETAINED_FACTS, links, config)


@pytest.mark.parametrize("text, kind, why", [
    ("172.20.20.11", "private", ""),
    ("10.8.1.5", "private", ""),
    ("192.168.4.20", "private", ""),
    ("::ffff:172.20.20.11", "private", ""),  # IPv4-mapped IPv6: the IPv4 address
    ("52.96.10.20", PUBLIC, "52.96.10.20 is a public address: internet egress is the firewall's egress policy, "
                            "not opened per link"),
    ("198.51.100.40", PUBLIC, "198.51.100.40 is in a documentation range (RFC 5737), read as an internet address: "
                              "internet egress is the firewall's egress policy, not opened per link"),
    ("127.0.0.1", UNUSABLE, "127.0.0.1 is loopback (the server itself): not a host a rule can reach"),
    ("0.0.0.0", UNUSABLE, "0.0.0.0 is unspecified ('this network', 0.0.0.0/8): not a host a rule can reach"),
    ("169.254.169.254", UNUSABLE, "169.254.169.254 is link-local (169.254.0.0/16, never routed off its segment): "
                                  "not a host a rule can reach"),
    ("224.0.0.251", UNUSABLE, "224.0.0.251 is multicast: not a host a rule can reach"),
    ("255.255.255.255", UNUSABLE, "255.255.255.255 is reserved (240.0.0.0/4 or the broadcast address): not a host "
                                  "a rule can reach"),
    ("100.64.1.1", UNUSABLE, "100.64.1.1 is a special-purpose address (neither private nor public)"),
    ("fe80::1", UNUSABLE, "fe80::1 is IPv6: the hybrid rules are IPv4"),
    ("modality-ct01", UNUSABLE, "'modality-ct01' is no IP address (a host name only?): no exact rule without an "
                                "IPv4 address"),
    ("", UNUSABLE, "a blank address is no IP address (a host name only?): no exact rule without an IPv4 address"),
    ("10.0.0.300", UNUSABLE, "'10.0.0.300' is no IP address (a host name only?): no exact rule without an IPv4 "
                             "address"),
])
def test_what_an_address_is(text, kind, why):
    assert classify(text)[0] == kind and classify(text)[2] == why


def test_on_premises_addresses_get_exact_permanent_rules_from_the_landed_servers_wave(placed):
    external = rules_of(LINKS, placed)
    waves = {w["wave"]: w for w in external.waves}
    assert sorted(waves) == [2, 3]
    assert waves[3]["rules"] == [{
        "name": "e03-001-in", "protocol": "TCP", "sources": ["172.20.20.11/32"], "destinations": [CLINICAL_APPS],
        "ports": ["5001", "5002"],
        "description": "Permanent: 172.20.20.11 is not in the inventory (a device or unlisted server). On-premises "
                       "dependency 172.20.20.11 -> clinical/snet-clinical-apps (lis-prd-app01), from wave 3."}]
    assert waves[3]["allowances"] == [{"spoke": "clinical", "subnet": "snet-clinical-apps", "name": "allow-e03-001-in",
                                       "protocol": "TCP", "sources": ["172.20.20.11/32"], "ports": ["5001", "5002"],
                                       "description": "Permanent from wave 3: 172.20.20.11 is not in the inventory "
                                                      "(a device or unlisted server)"}]
    assert [(r["name"], r["protocol"], r["sources"], r["destinations"], r["ports"]) for r in waves[2]["rules"]] == [
        ("e02-001-out", "TCP", [EHR], ["10.8.1.5/32"], ["445"]),
        ("e02-002-out", "TCP", [EHR], ["172.20.30.10/32"], ["9100"]),
        ("e02-003-in", "UDP", ["172.20.50.5/32"], [EHR], ["514"])]
    # The name the export gave the unlisted server is kept beside its address.
    assert waves[2]["rules"][0]["description"] == (
        "Permanent: 10.8.1.5 is not in the inventory (a device or unlisted server). On-premises dependency "
        "clinical/snet-ehr-app (ehr-prd-app01) -> 10.8.1.5 (legacy-fax01), from wave 2.")
    # Outbound needs the firewall only; the monitor's syslog is received, so its subnet's NSG admits it.
    assert [(a["name"], a["protocol"], a["sources"]) for a in waves[2]["allowances"]] == [
        ("allow-e02-003-in", "UDP", ["172.20.50.5/32"])]
    assert (external.links, external.addresses) == (5, 4)


def test_links_without_a_rule_are_listed_with_why_and_counted_by_reason(placed):
    external = rules_of(LINKS, placed)
    listed = {s.link: (s.kind, s.reason) for s in external.skipped}
    assert listed["ehr-prd-app01 -> 52.96.10.20 tcp/443"][0] == PUBLIC
    assert listed["ehr-prd-app01 -> 203.0.113.80 tcp/443"][0] == PUBLIC
    assert listed["ehr-prd-app01 -> 127.0.0.1 tcp/8080"][0] == UNUSABLE
    assert listed["ehr-prd-app01 -> printsrv.riverbend.local tcp/515"] == (
        UNUSABLE, "'printsrv.riverbend.local' is no IP address (a host name only?): no exact rule without an IPv4 "
                  "address")
    assert listed["ehr-prd-app01 -> 10.42.2.9 tcp/1521"] == (
        AZURE, "10.42.2.9 is inside spoke clinical's address space 10.42.0.0/20: an Azure address, not an "
               "on-premises one")
    assert listed["ehr-prd-app01 -> 10.44.7.7 tcp/443"] == (
        AZURE, "10.44.7.7 is inside network.spokeAddressPool 10.44.0.0/14: an Azure address, not an on-premises one")
    assert listed["ehr-prd-app01 -> 10.4.0.10 tcp/2575"] == (
        INVENTORY, "10.4.0.10 is the address of inventory server(s) hl7-prd-eng01: the export could not say which")
    assert listed["172.20.20.11 -> lis-prd-app01 icmp/0"] == (
        PROTOCOL, "protocol 'icmp': a rule names TCP or UDP (never Any)")
    assert listed["172.20.20.12 -> erp-prd-db01 tcp/1433"] == (
        NO_SUBNET, "erp-prd-db01 lands on no VM subnet, so its Azure address range is not known here")
    assert external.by_reason() == [(PUBLIC, 2), (UNUSABLE, 4), (AZURE, 2), (INVENTORY, 1), (PROTOCOL, 1),
                                    (NO_SUBNET, 1)]
    # What is not landing business is neither ruled nor listed.
    for ignored in ("mainframe01", "old-prd-app01", "172.20.30.12", "ehr-prd-app01 -> lis-prd-app01"):
        assert not any(ignored in s.link for s in external.skipped)
    everything = {a for w in external.waves for r in w["rules"] for a in r["sources"] + r["destinations"]}
    assert not everything & {"172.20.10.10/32", "172.20.30.11/32", "172.20.30.12/32"}


def test_a_port_outside_1_65535_is_listed_never_a_wildcard(placed):
    external = rules_of([into("172.20.20.11", "lis-prd-app01", 70000, "udp")], placed)
    assert external.waves == () and [(s.kind, s.reason) for s in external.skipped] == [
        (PROTOCOL, "port 70000 is not 1-65535 (never '*')")]
    assert rules_of([], placed) == type(external)((), (), 0, 0)


def test_no_rule_is_wider_than_its_links(placed):
    external = rules_of(LINKS, placed)
    prefixes = {t.address_prefix for t in placed[0].targets.values()}
    for wave in external.waves:
        for entry in wave["rules"] + wave["allowances"]:
            assert "*" not in entry["ports"] and all(1 <= int(p) <= 65535 for p in entry["ports"])
            sides = [entry["sources"]] + ([entry["destinations"]] if "destinations" in entry else [])
            hosts = [side for side in sides if all(ipaddress.ip_network(a).prefixlen == 32 for a in side)]
            assert len(hosts) == 1 and len(hosts[0]) == 1  # one device's /32, never a range
            assert all(all(a in prefixes for a in side) for side in sides if side is not hosts[0])


def test_the_overlay_keeps_them_beside_the_other_kept_rules_and_the_stack_accepts_them(prod_bare):
    result = land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, LINKS)
    kept = {w["wave"]: w for w in yaml.safe_load(result.overlay)["overlay"]["steadyStateWaves"]}
    # Wave 3: the EHR -> LIS steady-state allowance, then the analyser's; no name is shared.
    assert [a["name"] for a in kept[3]["allowances"]] == ["allow-s03-001", "allow-e03-001-in"]
    assert [r["name"] for r in kept[2]["rules"]] == ["e02-001-out", "e02-002-out", "e02-003-in"]
    config = deployed(prod_bare, LINKS)
    assert [r.name for w in config.network.steady_state_waves for r in w.rules if r.name.startswith("e")] == [
        "e02-001-out", "e02-002-out", "e02-003-in", "e03-001-in"]
    # The same bytes whatever the order of the links.
    shuffled = list(LINKS)
    random.Random(5).shuffle(shuffled)
    assert land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, shuffled).overlay == result.overlay


def test_the_runbook_lists_them_to_deploy_and_verify_and_never_to_delete(prod_bare):
    text = wave_runbook(RETAINED_PLAN, 3, RETAINED_FACTS, deployed(prod_bare, LINKS))
    assert ("  - `e03-001-in` TCP 172.20.20.11/32 -> 10.42.3.0/29 port(s) 5001, 5002: Permanent: 172.20.20.11 is "
            "not in the inventory (a device or unlisted server).") in text
    assert "e03" not in text.split("## Decommission")[1]


CSV = """Time slot,Source server name,Source IP,Source application,Source process,Destination server name,\
Destination IP,Destination application,Destination process,Destination port
7/28/2026 12:00-18:00,,172.20.20.11,,,lis-prd-app01,10.3.0.20,,Middleware.exe,5001
7/28/2026 18:00-24:00,,172.20.20.11,,,lis-prd-app01,10.3.0.20,,Middleware.exe,5001
7/28/2026 12:00-18:00,ehr-prd-app01,10.2.0.10,,Epic.exe,,172.20.30.10,,,9100
7/28/2026 12:00-18:00,ehr-prd-app01,10.2.0.10,,Epic.exe,,13.107.42.14,,,443
7/28/2026 12:00-18:00,ehr-prd-app01,10.2.0.10,,Epic.exe,,127.0.0.1,,,8080
7/28/2026 12:00-18:00,ehr-prd-app01,10.2.0.10,,Epic.exe,,::1,,,8080
7/28/2026 12:00-18:00,ehr-prd-app01,10.2.0.10,,Epic.exe,,10.3.0.20,,,8080
"""


def test_an_azure_migrate_export_through_the_store(tmp_path, placed):
    """The shapes of a real agentless dependency export (blank server names for what discovery did not see,
    their addresses in the IP columns, loopback and IPv6 destinations, the same flow in several slots),
    parsed and stored as `carelift deps import` does: what the landing reads back from the workspace."""
    path = tmp_path / "deps.csv"
    path.write_text(CSV, encoding="utf-8")
    parsed = azure_migrate.parse(path, "utf-8", "deps.csv")
    servers = tuple(Server(name=f.name, ips=f.ips) for f in RETAINED_FACTS.values())
    with Workspace.open(tmp_path / "ws") as store:
        store.import_files([(SourceFile("inv", "a" * 64, "csv"), ParsedFile("inv", "csv", servers=servers)),
                            (SourceFile("deps.csv", "b" * 64, "azure-migrate"), parsed)], now="2026-12-06T00:00:00Z")
        stored = store.dependencies()
    external = rules_of(stored, placed)
    assert [(r["name"], r["sources"], r["destinations"], r["ports"]) for w in external.waves for r in w["rules"]] == [
        ("e02-001-out", [EHR], ["172.20.30.10/32"], ["9100"]),
        ("e03-001-in", ["172.20.20.11/32"], [CLINICAL_APPS], ["5001"])]
    assert sorted((s.link, s.kind) for s in external.skipped) == [
        ("ehr-prd-app01 -> 127.0.0.1 tcp/8080", UNUSABLE),
        ("ehr-prd-app01 -> 13.107.42.14 tcp/443", PUBLIC),
        ("ehr-prd-app01 -> ::1 tcp/8080", UNUSABLE)]
    # 10.3.0.20 is the LIS's own address: the store resolved it to the server (the steady state's link).
    assert not any("10.3.0.20" in s.link for s in external.skipped)
