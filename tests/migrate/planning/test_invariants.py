"""Invariants of every wave plan, on generated and hypothesis-built estates under random settings.

Every planned server in exactly one group and one wave; the foundation in wave 0; capacities,
environment ordering, the pilot wave, the tier-0 rule and pins held; H and the crossing links
exactly as defined; the same inputs (in any order) give the same plan. Infeasible settings must
instead raise InfeasiblePlan whose every conflict names a constraint.
"""

from __future__ import annotations

import random
from collections import defaultdict

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import pytest

from migrate.inventory.model import Dependency, Disk, Server
from migrate.planning.groups import NON_PRODUCTION, classify_services, move_groups, server_replication_tb
from migrate.planning.model import InfeasiblePlan
from migrate.planning.settings import parse_settings
from migrate.planning.waves import plan_waves

from tests.conftest import examples
from tests.migrate.planning.estates import generated

pytestmark = pytest.mark.slow  # plans of many generated estates (over a minute in all)

FAST = hsettings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(servers, applications, deps, raw, relax):
    settings = parse_settings(raw)
    excluded = {s.name for s in servers if s.power_state == "off"}
    services = classify_services(servers, applications, deps, settings)
    shared = {k: v for k, v in services.infrastructure.items() if k not in excluded}
    hubs = {k: v for k, v in services.hubs.items() if k not in excluded}
    assert not set(shared) & set(hubs)
    groups = move_groups(servers, applications, deps, settings, shared, excluded, hubs)
    try:
        assignment = plan_waves(groups, deps, servers, settings, relax=relax)
    except InfeasiblePlan as infeasible:
        assert infeasible.problems
        for problem in infeasible.problems:
            assert problem.constraint and problem.message
        return None
    check(assignment, servers, deps, settings, excluded, shared)
    return assignment


def check(assignment, servers, deps, settings, excluded, shared) -> None:
    by_name = {s.name: s for s in servers}
    waves = assignment.waves
    assert set(waves) == {g.id for g in assignment.groups}
    wave_of = {}
    for group in assignment.groups:
        for name in group.servers:
            assert name not in wave_of, f"{name} in two groups"
            wave_of[name] = waves[group.id]
    assert set(wave_of) == {s.name for s in servers} - excluded
    cap, cap_tb = settings.wave, settings.replication_tb_per_wave
    load = defaultdict(lambda: [0, 0, 0.0, 0])
    for group in assignment.groups:
        w = waves[group.id]
        if group.foundation:
            assert w == 0 and set(group.servers) <= set(shared)
            continue
        assert not set(group.servers) & set(shared)
        members = [by_name[n] for n in group.servers]
        for k, amount in enumerate((len(members), sum(s.cores or 0 for s in members),
                                    sum(server_replication_tb(s) for s in members), any(s.tier == 0 for s in members))):
            load[w][k] += amount
        # Every rule holds outside the extended infrastructure, in wave 0 too (no allow_in_foundation here).
        if any(s.tier == 0 for s in members):
            assert w >= settings.tier0_not_before_wave
        if settings.pilot_wave and w == 1:
            assert not any(s.data_classification == "phi" or s.tier in (0, 1) for s in members)
    for w, (count, vcpu, tb, tier0) in load.items():
        if w:
            assert count <= cap.max_servers and vcpu <= cap.max_vcpu and tb <= cap_tb + 1e-6
            assert tier0 <= cap.max_tier0_cutovers
    movable = [g for g in assignment.groups if waves[g.id] > 0]
    if settings.pilot_wave and movable:
        assert any(waves[g.id] == 1 for g in movable)
    # Non-production of an application before its production, DR with it or after.
    kinds = defaultdict(lambda: defaultdict(set))
    for group in assignment.groups:
        if group.foundation:
            continue
        for name in group.servers:
            server = by_name[name]
            kind = {"prd": "prd", "dr": "dr"}.get(server.environment or "", "nonprd" if server.environment in
                                                    NON_PRODUCTION else None)
            for app in server.applications if kind else ():
                kinds[app][kind].add(group.id)
    for app, found in kinds.items():
        for earlier in found["nonprd"] - found["prd"]:
            assert all(waves[earlier] < waves[p] for p in found["prd"]), app
        for dr in found["dr"] - found["prd"]:
            assert all(waves[dr] >= waves[p] for p in found["prd"]), app
    # Pins.
    for pin in settings.pins:
        held = [n for n in wave_of if (pin.server and n.lower() == pin.server.lower()) or (
            pin.application and pin.application.lower() in {a.lower() for a in by_name[n].applications}
            and (pin.environment is None or by_name[n].environment == pin.environment))]
        if pin.wave is not None:
            group_waves = {waves[g.id] for g in assignment.groups if set(g.servers) & set(held)}
            assert group_waves <= {pin.wave}
        else:
            before = [n for n in wave_of if pin.after.lower() in {a.lower() for a in by_name[n].applications}]
            assert all(wave_of[a] > wave_of[b] for a in held for b in before)
    # H and the crossing links, as defined.
    uncounted = set(shared) if settings.shared_services.links == "local" else set()
    expected, crossing = 0, []
    for d in deps:
        a, b = wave_of.get(d.source), wave_of.get(d.destination)
        if a is None or b is None or d.source == d.destination or {d.source, d.destination} & uncounted:
            continue
        expected += d.weight * abs(a - b)
        if a != b:
            crossing.append((d.source, d.destination, d.port, d.weight, a, b))
    assert assignment.hybrid_exposure == expected
    assert sorted((c.source, c.destination, c.port, c.weight, c.source_wave, c.destination_wave)
                  for c in assignment.crossing_links) == sorted(crossing)
    assert all(c.needs[0] == "ExpressRoute/VPN" and c.needs[-1].startswith("firewall rule") for c in
               assignment.crossing_links)


@st.composite
def plan_settings(draw, servers):
    biggest_vcpu = max([1] + [s.cores or 0 for s in servers])
    biggest_tb = max(server_replication_tb(s) for s in servers)
    raw = {"wave": {"max_servers": draw(st.integers(3, 60)),
                    "max_vcpu": biggest_vcpu + draw(st.integers(0, 300)),
                    "max_replication_tb": round(biggest_tb + draw(st.floats(0.5, 80)), 3),
                    "max_tier0_cutovers": draw(st.integers(1, 3))},
           "pilot_wave": draw(st.booleans()), "tier0_not_before_wave": draw(st.integers(1, 4)),
           "shared_services": {"links": draw(st.sampled_from(["cross", "local"]))}}
    apps = sorted({a for s in servers for a in s.applications})
    pins = []
    for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2)))):
        if apps and draw(st.booleans()):
            pin = {"application": draw(st.sampled_from(apps))}
        else:
            pin = {"server": draw(st.sampled_from([s.name for s in servers]))}
        if apps and draw(st.booleans()):
            pin["after"] = draw(st.sampled_from(apps))
        else:
            pin["wave"] = draw(st.integers(2, 12))
        pins.append(pin)
    raw["pins"] = pins
    return raw


@FAST
@given(size=st.integers(21, 160), seed=st.integers(0, 10_000), data=st.data())
def test_plans_of_generated_estates_keep_every_rule(size, seed, data):
    servers, applications, deps = generated(size, seed)
    raw = data.draw(plan_settings(servers))
    run(servers, applications, deps, raw, relax=True)


@st.composite
def estates(draw):
    count = draw(st.integers(2, 40))
    apps = [f"App{n}" for n in range(draw(st.integers(1, 6)))]
    servers = []
    for n in range(count):
        app = draw(st.sampled_from(apps + [None]))
        servers.append(Server(
            name=f"srv{n:02d}", applications=(app,) if app else (),
            environment=draw(st.sampled_from(("prd", "tst", "dev", "dr", None))),
            tier=draw(st.sampled_from((0, 1, 2, 3, None))),
            data_classification=draw(st.sampled_from(("phi", "internal", None))),
            cores=draw(st.sampled_from((None, 1, 2, 4, 8))),
            disks=(Disk("d1", float(draw(st.integers(10, 2000))), draw(st.sampled_from((None, 5.0)))),),
            power_state=draw(st.sampled_from(("on", "on", "on", "off")))))
    names = [s.name for s in servers] + ["10.0.0.1"]
    deps = {}
    for _ in range(draw(st.integers(0, 80))):
        a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        port = draw(st.sampled_from((53, 443, 1433, 2575, 8080)))
        deps[(a, b, port)] = Dependency(a, b, port, weight=draw(st.integers(1, 30)), destination_resolved=b != "10.0.0.1")
    return servers, list(deps.values())


@FAST
@given(estate=estates(), data=st.data())
def test_plans_of_random_estates_keep_every_rule(estate, data):
    servers, deps = estate
    raw = data.draw(plan_settings(servers))
    raw["affinities"] = [[servers[0].name, servers[-1].name]]
    run(servers, [], deps, raw, relax=data.draw(st.booleans()))


@hsettings(max_examples=examples(5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(40, 160), seed=st.integers(0, 10_000), data=st.data())
def test_same_inputs_in_any_order_give_the_same_plan(size, seed, data):
    servers, applications, deps = generated(size, seed)
    raw = data.draw(plan_settings(servers))
    first = run(servers, applications, deps, raw, relax=True)
    rng = random.Random(seed)
    shuffled = [list(servers), list(applications), list(deps)]
    for items in shuffled:
        rng.shuffle(items)
    assert run(*shuffled, raw, relax=True) == first
