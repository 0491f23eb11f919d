"""Hubs are applications, not foundation (issue 8 §2): an interface engine most clinical systems
reach is planned under every rule, outside wave 0, and H counts its links; wave-0 pins keep the
rules; every name list in settings takes application names."""

from __future__ import annotations

import pytest

from migrate.inventory.model import Application, Dependency, Disk, Server
from migrate.planning.groups import classify_services
from migrate.planning.model import InfeasiblePlan
from migrate.planning.build import build_plan
from migrate.planning.document import plan_document
from migrate.planning.settings import PlanSettings, parse_settings
from migrate.planning.waves import exposure_of

from tests.migrate.planning.estates import ENGINE, generated, with_interface_engine
from tests.migrate.planning.test_invariants import check


@pytest.mark.slow
@pytest.mark.parametrize("size, seed", [(300, 5), (400, 7), (600, 2)])
def test_an_interface_engine_most_clinical_systems_reach_keeps_every_rule_outside_wave_0(size, seed):
    servers, applications, deps = with_interface_engine(generated(size, seed))
    settings = PlanSettings()
    plan = build_plan(servers, applications, deps, settings, relax=True)
    engine = sorted(s.name for s in servers if ENGINE in s.applications and s.name not in plan.excluded)
    wave_of = {name: plan.assignment.waves[g.id] for g in plan.groups for name in g.servers}

    # A hub, found by fan-in — never extended infrastructure, never in wave 0.
    assert engine and all(name in plan.hubs and name not in plan.shared for name in engine)
    assert "connect to it on port 2575" in plan.hubs[engine[0]]
    assert all(wave_of[name] >= 1 for name in engine)
    # Every rule: its tier-0 production not before tier0_not_before_wave, its non-production before it.
    by_name = {s.name: s for s in servers}
    production = [wave_of[n] for n in engine if by_name[n].environment == "prd"]
    others = [wave_of[n] for n in engine if by_name[n].environment in ("tst", "dev", "poc", "trn", "rel")]
    assert min(production) >= settings.tier0_not_before_wave
    assert not others or max(others) < min(production)
    check(plan.assignment, servers, deps, settings, set(plan.excluded), plan.shared)
    # Its links do not glue the clinical systems to it: the engine's groups hold only the engine.
    for group in plan.groups:
        if set(group.servers) & set(engine):
            assert group.hub and group.applications == (ENGINE,)
    # H counts its links, exactly as carelift weighs every link.
    engine_links = [d for d in deps if {d.source, d.destination} & set(engine) and not {d.source, d.destination}
                    & set(plan.shared) and d.source in wave_of and d.destination in wave_of
                    and d.source != d.destination]
    engine_h = sum(d.weight * abs(wave_of[d.source] - wave_of[d.destination]) for d in engine_links)
    assert engine_h > 0
    assert plan.assignment.hybrid_exposure == exposure_of(wave_of, deps, frozenset(plan.shared))
    crossing = {(c.source, c.destination, c.port) for c in plan.assignment.crossing_links}
    assert {(d.source, d.destination, d.port) for d in engine_links
            if wave_of[d.source] != wave_of[d.destination]} <= crossing
    document = plan_document(plan)
    assert document["metrics"]["hubs"] == len(plan.hubs)
    assert document["servers"][engine[0]]["service_kind"] == "hub"
    engine_group = next(g for w in document["waves"] for g in w["move_groups"] if engine[0] in g["servers"])
    assert engine_group["kind"] == "hub"
    assert any(r.startswith(f"hub {engine_group['servers'][0]}") for r in engine_group["wave_reasons"])


def server(name, app, env="prd", tier=2):
    return Server(name=name, applications=(app,), environment=env, tier=tier, cores=2,
                  disks=(Disk("d1", 50.0, 10.0),))


def small_estate():
    servers = [server("dc01", "Active Directory", tier=1), server("eng-prd1", "Engine", tier=0),
               server("eng-tst1", "Engine", "tst", tier=3), server("bill01", "Billing"), server("bkp01", "Backup"),
               server("low01", "Lowrisk", tier=3)]
    deps = [Dependency("bill01", "eng-prd1", 2575, weight=30, destination_resolved=True),
            Dependency("bill01", "dc01", 389, weight=5, destination_resolved=True)]
    return servers, [Application("Active Directory", type="identity", servers=("dc01",))], deps


def test_hubs_exclude_and_affinities_accept_application_names():
    servers, applications, deps = small_estate()
    settings = parse_settings({"hubs": ["billing"], "shared_services": {"exclude": ["BACKUP"]},
                               "affinities": [["Engine", "low01"]]})
    services = classify_services(servers, applications, deps, settings)
    assert services.hubs == {"bill01": "application billing is listed in hubs"}
    assert sorted(services.infrastructure) == ["dc01"]  # Backup would be infrastructure by name: excluded
    plan = build_plan(servers, applications, deps, parse_settings({"affinities": [["Engine", "low01"]],
                                                                   "pilot_wave": False}), relax=True)
    together = next(g for g in plan.groups if "low01" in g.servers)
    assert {"eng-prd1", "eng-tst1", "low01"} <= set(together.servers)


def test_a_hub_listed_explicitly_is_never_extended_infrastructure_and_unknown_names_are_noted():
    servers, applications, deps = small_estate()
    settings = parse_settings({"hubs": ["Active Directory"], "shared_services": {"servers": ["nosuch"]}})
    services = classify_services(servers, applications, deps, settings)
    assert "dc01" in services.hubs and "dc01" not in services.infrastructure
    assert "shared_services.servers: nosuch matches no server or application in the inventory" in services.notes
    by_server = classify_services(servers, applications, deps,
                                  parse_settings({"shared_services": {"applications": ["LOW01"]}}))
    assert by_server.infrastructure["low01"] == "listed in shared_services.applications"


@pytest.mark.parametrize("pin, constraint", [
    ({"application": "Engine", "environment": "prd", "wave": 0}, "pins[0], tier0_not_before_wave"),
    ({"server": "low01", "wave": 0}, None),
])
def test_a_pin_to_wave_0_keeps_the_tier0_floor_unless_allowed_in_foundation(pin, constraint):
    servers, applications, deps = small_estate()
    if constraint is None:
        plan = build_plan(servers, applications, deps, parse_settings({"pins": [pin]}), relax=True)
        assert plan.assignment.waves[next(g.id for g in plan.groups if "low01" in g.servers)] == 0
        return
    with pytest.raises(InfeasiblePlan) as raised:
        build_plan(servers, applications, deps, parse_settings({"pins": [pin]}), relax=True)
    problem = next(p for p in raised.value.problems if p.constraint == constraint)
    assert "allow_in_foundation" in problem.message
    # The strong link bill01 → eng-prd1 made them one group: both must be allowed (by application or server name).
    plan = build_plan(servers, applications, deps,
                      parse_settings({"pins": [pin], "allow_in_foundation": ["engine", "BILL01"]}), relax=True)
    assert plan.assignment.waves[next(g.id for g in plan.groups if "eng-prd1" in g.servers)] == 0


def test_a_production_pinned_to_wave_0_breaks_the_ordering_rule_unless_allowed():
    servers, applications, deps = small_estate()
    servers = [s if s.name != "eng-prd1" else server("eng-prd1", "Engine", tier=2) for s in servers]
    raw = {"pins": [{"application": "Engine", "environment": "prd", "wave": 0}]}
    with pytest.raises(InfeasiblePlan) as raised:
        build_plan(servers, applications, deps, parse_settings(raw), relax=True)
    (problem,) = raised.value.problems
    assert problem.constraint == "pins[0], ordering"
    assert "the non-production of Engine moves before its production" in problem.message
    plan = build_plan(servers, applications, deps, parse_settings({**raw, "allow_in_foundation": ["eng-prd1", "Billing"]}),
                      relax=True)
    assert plan.assignment.waves[next(g.id for g in plan.groups if "eng-prd1" in g.servers)] == 0
