"""Shared services and move groups: what moves first, what moves together, and why."""

from __future__ import annotations

import random

import pytest

from migrate.inventory.model import Application, Dependency, Disk, Server
from migrate.planning.groups import (SERVICE_PORT_MIN_CLIENTS, classify_services, move_groups, server_replication_tb,
                                     shared_service_kind, shared_services)
from migrate.planning.settings import PlanSettings, parse_settings

from tests.migrate.planning.estates import generated


def server(name: str, app: str | None = None, env: str | None = "prd", **fields) -> Server:
    return Server(name=name, applications=(app,) if app else (), environment=env if app else fields.pop("env", None),
                  cores=fields.pop("cores", 4), disks=fields.pop("disks", (Disk("d1", 100.0, 40.0),)), **fields)


def link(source: str, destination: str, port: int, weight: int = 4) -> Dependency:
    return Dependency(source, destination, port, weight=weight, destination_resolved=True)


def by_id(groups):
    return {g.id: g for g in groups}


# -- shared services ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, kind", [
    ("Active Directory", "a directory, name or time service"), ("Monitoring", "a monitoring or log-collection service"),
    ("Security Logging", "a monitoring or log-collection service"), ("Backup", "a backup service"),
    ("Patch Management", "a patching service"), ("Endpoint Protection", "an antivirus service"),
    ("Patient Monitoring Gateway", None), ("Fetal Monitoring", None), ("Time and Attendance", None),
    ("EHR", None), ("Blood Bank", None)])
def test_application_names_say_what_is_a_shared_service(name, kind):
    assert shared_service_kind(name) == kind


def test_identity_type_names_ports_and_settings_make_shared_services():
    servers = [server("dc01"), server("ntp01"), server("mon01", "Monitoring"), server("idp01", "Okta Bridge"),
               server("app01", "Billing"), server("app02", "Billing"), server("app03", "Billing"),
               server("odd01", "Odd"), server("keep01", "Backup")]
    applications = [Application("Okta Bridge", type="identity", servers=("idp01",))]
    deps = [link(f"app0{i}", "dc01", 53) for i in (1, 2, 3)] + [link("app01", "ntp01", 123), link("app02", "ntp01", 123)]
    settings = parse_settings({"shared_services": {"servers": ["ODD01"], "exclude": ["keep01"]}})
    shared = shared_services(servers, applications, deps, settings)
    assert sorted(shared) == ["dc01", "idp01", "mon01", "odd01"]
    assert shared["dc01"] == f"serves DNS (port 53) to {SERVICE_PORT_MIN_CLIENTS} servers"
    assert "identity service" in shared["idp01"]
    assert shared["odd01"] == "listed in shared_services.servers"
    # Two NTP clients are not enough evidence; keep01 would be (Backup) but is excluded.
    assert "ntp01" not in shared and "keep01" not in shared


def test_a_servers_reasons_come_rule_by_rule_and_each_application_meets_its_first_rule_only():
    # Listed servers first, then each application in name order with the first rule it meets (listed,
    # identity, name), then what the links showed; repeated evidence is said once.
    servers = [Server(name="mix01", applications=("Billing", "Backup", "Okta Bridge", "Antivirus"), environment="prd"),
               *(server(f"app0{i}", "Portal") for i in (1, 2, 3))]
    applications = [Application("Okta Bridge", type="identity", servers=("mix01",))]
    deps = [link(f"app0{i}", "mix01", 88) for i in (1, 2, 3)]
    settings = parse_settings({"shared_services": {"servers": ["mix01"], "applications": ["billing", "Backup"]}})
    shared = shared_services(servers, applications, deps, settings)
    assert shared["mix01"].split("; ") == [
        "listed in shared_services.servers",
        "application Antivirus is an antivirus service",  # by name order, before the listed ones
        "application Backup is listed in shared_services.applications",  # listed: its name rule is not asked
        "application Billing is listed in shared_services.applications",
        "application Okta Bridge is an identity service",
        "serves Kerberos (port 88) to 3 servers",  # each of its applications showed it through mix01 alone: said once
    ]


def test_fan_in_makes_a_hub_never_infrastructure_and_counts_only_many_other_applications():
    servers = [server("sql01", "Shared SQL"), server("sql02", "Shared SQL", env="tst"),
               server("web01", "Portal"), server("web02", "Portal")]
    deps = []
    for n in range(30):
        app = f"App{n % 3}"
        servers.append(server(f"c{n:02d}", app))
        deps.append(link(f"c{n:02d}", "sql01", 1433))
        servers.append(server(f"v{n:02d}", "Citrix"))
        deps.append(link(f"v{n:02d}", "web01", 443))
    services = classify_services(servers, [], deps, PlanSettings())
    # 30 clients of 3 applications: a hub, with its test server too — never extended infrastructure
    # (fan-in alone does not put anything in wave 0). 30 clients of one application (Citrix
    # sessions on a web front end) are that application's users, not a hub.
    assert services.infrastructure == {}
    assert sorted(services.hubs) == ["sql01", "sql02"]
    assert services.hubs["sql02"].startswith("application Shared SQL: 30 servers of 3 other applications connect to "
                                             "it on port 1433")


# -- move groups --------------------------------------------------------------------------------

def test_application_environment_strong_links_and_affinities_join_servers():
    servers = [server("ehr-web1", "EHR"), server("ehr-web2", "EHR"), server("ehr-db", "EHR"),
               server("ehr-tst1", "EHR", env="tst"), server("lab-app", "Lab"), server("lab-db", "Lab DB"),
               server("box1"), server("box2"), server("box3"), server("dc01", "Active Directory")]
    deps = [link("lab-app", "lab-db", 1521),            # database port: strong whatever the weight
            link("box1", "box2", 8080, weight=25),     # weight ≥ 20: strong
            link("box2", "box3", 8080, weight=5),      # weak
            link("ehr-web1", "dc01", 389, weight=99),  # to a shared service: never glues
            link("box3", "203.0.113.9", 443, weight=99),  # external endpoint
            link("ehr-tst1", "retired1", 1433)]
    settings = parse_settings({"affinities": [["BOX3", "lab-app"]]})
    shared = {"dc01": "directory"}
    groups = by_id(move_groups(servers + [server("retired1", "EHR")], [], deps, settings, shared, {"retired1"}))
    assert sorted(groups) == ["ehr-prd", "ehr-tst", "foundation-active-directory-prd", "lab-prd", "srv-box1"]
    assert groups["ehr-prd"].servers == ("ehr-db", "ehr-web1", "ehr-web2")
    assert groups["lab-prd"].servers == ("box3", "lab-app", "lab-db")
    assert groups["srv-box1"].servers == ("box1", "box2")
    assert groups["foundation-active-directory-prd"].foundation
    assert not any(g.foundation for gid, g in groups.items() if not gid.startswith("foundation"))
    lab = groups["lab-prd"].reasons
    assert "application+environment: Lab prd (1 server)" in lab
    assert "strong link: lab-app → lab-db tcp/1521, weight 4 (database/file port)" in lab
    assert "affinity: box3, lab-app (affinities[0])" in lab
    assert "strong link: box1 → box2 tcp/8080, weight 25 (weight ≥ 20)" in groups["srv-box1"].reasons
    assert groups["ehr-tst"].environment == "tst" and groups["lab-prd"].environment is None


def test_group_sizes_flags_and_ids_come_from_content():
    servers = [server("a1", "Pharmacy", tier=0, data_classification="phi", cores=8,
                      disks=(Disk("d1", 500.0, 100.0), Disk("d2", 1000.0))),
               server("a2", "Pharmacy", tier=2, cores=None), server("x", "PHARMACY!", env="dev")]
    groups = by_id(move_groups(servers, [], [], PlanSettings(), {}, ()))
    assert sorted(groups) == ["pharmacy-dev", "pharmacy-prd"]
    pharmacy = groups["pharmacy-prd"]
    assert (pharmacy.vcpu, pharmacy.tier0, pharmacy.phi) == (8, True, True)
    assert pharmacy.storage_tb == pytest.approx(1.14)  # used space when known, else the disk size
    assert server_replication_tb(servers[0]) == pytest.approx(1.1)


def test_clashing_ids_are_numbered_in_a_stable_order():
    servers = [server("a", "Lab (LIS)"), server("b", "Lab LIS")]
    groups = move_groups(servers, [], [], PlanSettings(), {}, ())
    assert [(g.id, g.servers) for g in groups] == [("lab-lis-prd", ("a",)), ("lab-lis-prd-2", ("b",))]


def test_groups_of_a_generated_estate_partition_the_planned_servers_whatever_the_input_order():
    servers, applications, deps = generated(300, 11)
    settings = PlanSettings()
    excluded = {s.name for s in servers if s.power_state == "off"}
    shared = {k: v for k, v in shared_services(servers, applications, deps, settings).items() if k not in excluded}
    groups = move_groups(servers, applications, deps, settings, shared, excluded)
    names = [name for g in groups for name in g.servers]
    assert sorted(names) == sorted(s.name for s in servers if s.name not in excluded)
    assert len({g.id for g in groups}) == len(groups)
    assert {name for g in groups if g.foundation for name in g.servers} == set(shared)
    assert all(g.reasons for g in groups)
    rng = random.Random(5)
    shuffled = [list(servers), list(applications), list(deps)]
    for items in shuffled:
        rng.shuffle(items)
    again_shared = shared_services(*shuffled, settings)
    assert {k: v for k, v in again_shared.items() if k not in excluded} == shared
    assert move_groups(*shuffled, settings, shared, excluded) == groups
