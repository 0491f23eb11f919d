"""Plan assembly and its JSON: the schema's shape, byte-identical output, digests, wave explanations."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from migrate.inventory.model import Application, Dependency, Disk, Server
from migrate.planning.build import Plan
from migrate.planning.canonical import canonical_json, settings_document
from migrate.planning.digests import inventory_digest
from migrate.planning.document import SCHEMA, plan_document, plan_sections, plan_to_json
from migrate.planning.encoder import Records, dump_document
from migrate.planning.model import (Cost, CrossingLink, DiskSizing, MoveGroup, Readiness, ServerAssessment, Sizing,
                                    Strategy, WaveAssignment)
from migrate.planning.schedule import schedule
from migrate.planning.settings import parse_settings

SERVERS = (
    Server(name="dc01", os_family="windows", cores=2, memory_mb=4096, environment="prd", tier=1),
    Server(name="epic-prd-app01", cores=8, memory_mb=32768, environment="prd", tier=0, data_classification="phi",
           applications=("Epic",), disks=(Disk("os", 128.0),)),
    Server(name="epic-prd-db01", cores=16, memory_mb=131072, environment="prd", tier=0, data_classification="phi",
           applications=("Epic",)),
    Server(name="epic-tst-app01", cores=4, memory_mb=16384, environment="tst", tier=2, applications=("Epic",)),
    Server(name="old01", power_state="off"),
)
APPLICATIONS = (Application(name="Epic", type="ehr", criticality=0,
                            servers=("epic-prd-app01", "epic-prd-db01", "epic-tst-app01")),)
DEPENDENCIES = (
    Dependency("epic-prd-app01", "epic-prd-db01", 1972, weight=500, destination_resolved=True),
    Dependency("epic-prd-app01", "dc01", 389, weight=40, destination_resolved=True),
    Dependency("epic-tst-app01", "dc01", 389, weight=12, destination_resolved=True),
    Dependency("epic-tst-app01", "epic-prd-app01", 443, weight=3, destination_resolved=True),
    Dependency("epic-prd-app01", "10.9.9.9", 53, weight=7),
)


def assessment(name: str, strategy: str = "rehost", sku: str | None = "Standard_D4s_v5", monthly: float = 100.0):
    return ServerAssessment(
        name=name,
        readiness=Readiness("Ready" if strategy == "rehost" else "Not ready",
                            () if strategy == "rehost" else ("Powered off in every source.",)),
        strategy=Strategy(strategy, f"R-{strategy.upper()}: test rule"),
        sizing=Sizing(sku=sku, vcpu=4 if sku else 0, memory_gb=16.0 if sku else 0.0, rule="nearest size",
                      disks=(DiskSizing("os", 128.0, "Premium SSD P10"),) if sku else ()),
        cost=Cost(compute_payg=monthly * 0.8, compute_ri1y=monthly * 0.5, compute_ri3y=monthly * 0.4,
                  storage=monthly * 0.2, monthly=monthly))


def sample_plan(**changes) -> Plan:
    settings = parse_settings({"pins": [{"application": "Epic", "environment": "prd", "wave": 2}]})
    groups = (
        MoveGroup("foundation", ("dc01",), reasons=("shared services",), vcpu=2),
        MoveGroup("epic-tst", ("epic-tst-app01",), ("Epic",), "tst", ("application Epic, environment tst",), vcpu=4,
                  storage_tb=0.1),
        MoveGroup("epic-prd", ("epic-prd-app01", "epic-prd-db01"), ("Epic",), "prd",
                  ("application Epic, environment prd", "strong link epic-prd-app01 → epic-prd-db01 port 1972"),
                  vcpu=24, storage_tb=2.5, tier0=True, phi=True),
    )
    waves = {"foundation": 0, "epic-tst": 1, "epic-prd": 2}
    crossing = (
        CrossingLink("epic-prd-app01", "dc01", 389, 40, 2, 0, ("ExpressRoute/VPN", "firewall rule TCP 389")),
        CrossingLink("epic-tst-app01", "dc01", 389, 12, 1, 0, ("ExpressRoute/VPN",)),
        CrossingLink("epic-tst-app01", "epic-prd-app01", 443, 3, 1, 2, ("ExpressRoute/VPN",)),
    )
    assessments = {s.name: assessment(s.name) for s in SERVERS}
    assessments["old01"] = assessment("old01", "retire", sku=None, monthly=0.0)
    assessments["epic-prd-db01"] = assessment("epic-prd-db01", monthly=1234.567)
    plan = Plan(settings=settings, servers=SERVERS, applications=APPLICATIONS, assessments=assessments,
                shared={"dc01": "identity: LDAP/Kerberos fan-in 2"}, excluded={"old01": "retire: R-RETIRE: test rule"},
                groups=groups, assignment=WaveAssignment(waves, crossing, hybrid_exposure=40 * 2 + 12 + 3,
                                                         notes=("a note",)),
                dates=tuple(schedule(set(waves.values()), settings)),
                inputs={"inventory": {"sha256": inventory_digest(SERVERS, APPLICATIONS, DEPENDENCIES)},
                        "settings": {"sha256": "s"}, "overrides": None},
                links=tuple(d for d in DEPENDENCIES if d.destination_resolved),
                pricing={"currency": "USD", "region": "eastus2", "option": "payg", "snapshot": "2026-11-01"})
    return replace(plan, **changes)


def test_the_document_has_the_issue_schema():
    document = json.loads(plan_to_json(sample_plan()))
    assert document["schema"] == SCHEMA == "carelift.plan/v1"
    assert {"waves", "servers", "crossing_links", "metrics", "settings", "inputs", "pricing", "applications",
            "notes"} <= set(document)
    for wave in document["waves"]:
        assert {"number", "name", "start", "cutover", "servers", "move_groups", "metrics"} <= set(wave)
    for entry in document["servers"].values():
        assert {"wave", "move_group", "readiness", "strategy", "target_sku", "monthly_cost"} <= set(entry)
    assert {"hybrid_exposure", "waves", "servers", "monthly_cost"} <= set(document["metrics"])
    assert set(document["inputs"]) == {"inventory", "settings", "overrides"}


def test_waves_in_order_with_the_foundation_first_and_their_calendar():
    document = plan_document(sample_plan())
    assert [(w["number"], w["name"]) for w in document["waves"]] == [(0, "Foundation"), (1, "Pilot"), (2, "Wave 2")]
    foundation, pilot, wave2 = document["waves"]
    assert foundation["servers"] == ["dc01"]
    assert wave2["servers"] == ["epic-prd-app01", "epic-prd-db01"]
    assert [g["id"] for g in wave2["move_groups"]] == ["epic-prd"]
    assert foundation["cutover"] == "2027-01-09T00:00:00-06:00" and pilot["cutover"] == "2027-01-16T00:00:00-06:00"
    assert wave2["start"] == "2027-01-18" and wave2["cutover_end"] == "2027-01-30T06:00:00-06:00"
    m = wave2["metrics"]
    assert (m["servers"], m["move_groups"], m["vcpu"], m["replication_tb"], m["tier0_cutovers"], m["phi_servers"]) == \
        (2, 1, 24, 2.5, 1, 2)
    assert m["monthly_cost"] == 1334.57
    assert m["monthly_cost_cumulative"] == 1534.57
    assert m["crossing_links"] == 2
    # After wave 1's cutover, tst→dc01 (waves 1/0) is home and tst→prd (1/2) is hybrid; prd→dc01 (2/0) too.
    assert (pilot["metrics"]["hybrid_links_after_cutover"], pilot["metrics"]["hybrid_weight_after_cutover"]) == (2, 43)


def test_servers_carry_wave_group_readiness_strategy_size_and_cost():
    servers = plan_document(sample_plan())["servers"]
    assert sorted(servers) == ["dc01", "epic-prd-app01", "epic-prd-db01", "epic-tst-app01", "old01"]
    db = servers["epic-prd-db01"]
    assert (db["wave"], db["move_group"], db["readiness"], db["strategy"], db["target_sku"], db["monthly_cost"]) == \
        (2, "epic-prd", "Ready", "rehost", "Standard_D4s_v5", 1234.57)
    assert db["strategy_rule"] == "R-REHOST: test rule"
    assert db["sizing"]["disks"] == [{"label": "os", "size_gb": 128.0, "tier": "Premium SSD P10"}]
    old = servers["old01"]
    assert (old["wave"], old["move_group"], old["strategy"], old["excluded"]) == \
        (None, None, "retire", "retire: R-RETIRE: test rule")
    assert old["readiness_reasons"] == ["Powered off in every source."]
    assert servers["dc01"]["shared_service"] == "identity: LDAP/Kerberos fan-in 2"


def test_metrics_costs_per_application_and_crossing_links():
    document = plan_document(sample_plan())
    m = document["metrics"]
    assert (m["hybrid_exposure"], m["waves"], m["servers"], m["servers_in_waves"], m["servers_excluded"]) == \
        (95, 3, 5, 4, 1)
    assert m["monthly_cost"] == 1534.57
    assert m["by_strategy"] == {"rehost": 4, "retire": 1}
    assert (m["first_cutover"], m["last_cutover"]) == ("2027-01-09T00:00:00-06:00", "2027-01-30T00:00:00-06:00")
    epic = document["applications"]["Epic"]
    assert (epic["waves"], epic["monthly_cost"], epic["strategies"]) == ([1, 2], 1434.57, {"rehost": 3})
    links = document["crossing_links"]
    assert [(c["source"], c["destination"]) for c in links] == [
        ("epic-tst-app01", "dc01"), ("epic-prd-app01", "dc01"), ("epic-tst-app01", "epic-prd-app01")]
    assert links[1]["needs"] == ["ExpressRoute/VPN", "firewall rule TCP 389"]
    assert document["notes"] == ["a note"]


def test_wave_reasons_name_the_rules_and_links():
    wave2 = plan_document(sample_plan())["waves"][2]
    reasons = wave2["move_groups"][0]["wave_reasons"]
    assert "pins[0]: Epic prd → wave 2" in reasons
    assert any(r.startswith("tier-0 clinical system: not before wave 3") for r in reasons)
    assert "production of Epic after its non-production environments (wave 1)" in reasons
    assert "linked to foundation (wave 0) with weight 40" in reasons
    foundation = plan_document(sample_plan())["waves"][0]["move_groups"][0]
    assert foundation["wave_reasons"][0] == "foundation: extended infrastructure dc01 (identity: LDAP/Kerberos fan-in 2)"


def test_the_effective_settings_are_in_the_plan():
    settings = plan_document(sample_plan())["settings"]
    assert settings["wave"] == {"max_servers": 40, "max_vcpu": 320, "max_replication_tb": None,
                                "max_tier0_cutovers": 1}
    assert settings["cutover_window"]["time_zone"] == "America/Chicago"
    assert settings["pins"] == [{"application": "Epic", "environment": "prd", "wave": 2}]
    assert settings["replication_tb_per_wave"] == 75.6
    ranged = settings_document(parse_settings({"blackout_dates": ["2027-12-20..2028-01-03", "2027-11-25"],
                                               "saas_replacements": {"Kronos": "UKG Pro"}}))
    assert ranged["blackout_dates"] == ["2027-11-25", "2027-12-20..2028-01-03"]
    assert ranged["saas_replacements"] == {"Kronos": "UKG Pro"}


def test_json_is_byte_identical_and_independent_of_input_order():
    first = plan_to_json(sample_plan())
    assert plan_to_json(sample_plan()) == first
    shuffled = sample_plan(servers=tuple(reversed(SERVERS)), groups=tuple(reversed(sample_plan().groups)),
                           shared=dict(reversed(list(sample_plan().shared.items()))))
    assert plan_to_json(shuffled) == first


def test_json_layout_is_sorted_with_one_record_per_line():
    text = plan_to_json(sample_plan())
    assert text.startswith("{\n") and text.endswith("}\n")
    lines = text.splitlines()
    top = [line.split('"')[1] for line in lines if line.startswith('  "')]
    assert top == sorted(top)
    assert sum(1 for line in lines if line.startswith('    "epic-prd-db01": {')) == 1
    assert json.loads(text) == json.loads(json.dumps(plan_document(sample_plan())))
    assert "-0.0" not in text


def test_dump_document_handles_empty_collections():
    text = dump_document({"schema": SCHEMA, "waves": [], "servers": {}, "notes": []})
    assert json.loads(text) == {"schema": SCHEMA, "waves": [], "servers": {}, "notes": []}


def test_inventory_digest_ignores_order_and_sees_every_field():
    digest = inventory_digest(SERVERS, APPLICATIONS, DEPENDENCIES)
    assert digest == inventory_digest(reversed(SERVERS), APPLICATIONS, reversed(DEPENDENCIES))
    assert len(digest) == 64
    changed = (replace(SERVERS[0], memory_mb=8192),) + SERVERS[1:]
    assert inventory_digest(changed, APPLICATIONS, DEPENDENCIES) != digest
    heavier = DEPENDENCIES[:-1] + (replace(DEPENDENCIES[-1], weight=8),)
    assert inventory_digest(SERVERS, APPLICATIONS, heavier) != digest
    assert inventory_digest(SERVERS, (), DEPENDENCIES) != digest
    assert inventory_digest((), (), ()) == inventory_digest([], [], [])


@pytest.mark.parametrize("value, expected", [
    ({"b": 1, "a": {2, 1}}, '{"a":[1,2],"b":1}'),
    ((Disk("os", 1.0),), '[{"label":"os","shared":false,"size_gb":1.0,"used_gb":null}]'),
])
def test_canonical_json(value, expected):
    assert canonical_json(value) == expected


def test_streamed_json_equals_the_built_document_written():
    plan = sample_plan()
    assert plan_to_json(plan) == dump_document(plan_document(plan))
    sections = plan_sections(plan)
    assert isinstance(sections["servers"], Records) and sections["servers"].mapping
    assert sections["metrics"]["migration_waves"] == 2
