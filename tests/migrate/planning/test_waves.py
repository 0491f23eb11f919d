"""Waves: the rules held, the optimiser's choices, crossing links, infeasible settings, --relax."""

from __future__ import annotations

import pytest

from migrate.inventory.model import Dependency, Disk, Server
from migrate.planning.groups import move_groups
from migrate.planning.model import InfeasiblePlan, MoveGroup
from migrate.planning.settings import parse_settings
from migrate.planning.waves import crossing_links, exposure_of, plan_waves

LOOSE = {"pilot_wave": False, "tier0_not_before_wave": 1, "wave": {"max_tier0_cutovers": 9}}


def server(name: str, app: str | None = None, env: str | None = "prd", *, tier: int | None = 2,
           phi: bool = False, cores: int = 2, tb: float = 0.1) -> Server:
    return Server(name=name, applications=(app,) if app else (), environment=env if app else None, tier=tier,
                  data_classification="phi" if phi else "internal", cores=cores,
                  disks=(Disk("d1", tb * 1000),))


def link(source: str, destination: str, port: int = 443, weight: int = 5, protocol: str = "tcp") -> Dependency:
    return Dependency(source, destination, port, protocol=protocol, weight=weight, destination_resolved=True)


def settings(**raw):
    merged = {**LOOSE, **raw}
    merged["wave"] = {**LOOSE["wave"], **raw.get("wave", {})}
    return parse_settings(merged)


def plan(servers, deps, shared=(), relax=False, **raw):
    s = settings(**raw)
    groups = move_groups(servers, [], deps, s, {n: "test" for n in shared}, ())
    return plan_waves(groups, deps, servers, s, relax=relax)


def wave_of(assignment, name: str) -> int:
    return next(assignment.waves[g.id] for g in assignment.groups if name in g.servers)


def problems(excinfo) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(p.constraint, p.message, p.servers) for p in excinfo.value.problems]


def test_connected_groups_share_a_wave_and_the_foundation_moves_first():
    servers = [server(f"a{i}", f"A{i}") for i in range(6)] + [server("dc", "Directory")]
    deps = [link("a0", "a1", weight=9), link("a2", "a3", weight=9), link("a4", "a5", weight=9)] + \
           [link(f"a{i}", "dc", 53, weight=1) for i in range(6)]
    assignment = plan(servers, deps, shared=["dc"], wave={"max_servers": 2}, shared_services={"links": "cross"})
    assert wave_of(assignment, "dc") == 0
    assert {wave_of(assignment, f"a{2 * k}") for k in range(3)} == {1, 2, 3}
    for k in range(3):  # each linked pair moves together: no weight-9 link crosses
        assert wave_of(assignment, f"a{2 * k}") == wave_of(assignment, f"a{2 * k + 1}")
    assert assignment.hybrid_exposure == 1 + 1 + 2 + 2 + 3 + 3  # only the DNS links to wave 0 cross
    assert all(c.destination == "dc" for c in assignment.crossing_links)


def test_links_to_extended_shared_services_never_cross_by_default():
    servers = [server(f"a{i}", f"A{i}") for i in range(4)] + [server("dc", "Directory")]
    deps = [link("a0", "a1", weight=9), link("a2", "a3", weight=9)] + [link(f"a{i}", "dc", 53) for i in range(4)]
    assignment = plan(servers, deps, shared=["dc"], wave={"max_servers": 2})
    assert wave_of(assignment, "dc") == 0
    assert assignment.hybrid_exposure == 0
    assert assignment.crossing_links == ()


def test_a_chain_of_applications_is_laid_out_in_order():
    # A—B—C—D with heavy links: the optimiser puts neighbours in neighbouring waves.
    servers = [server(name, name) for name in "ABCD"]
    deps = [link("A", "B", weight=10), link("B", "C", weight=10), link("C", "D", weight=10)]
    assignment = plan(servers, deps, wave={"max_servers": 1})
    order = sorted("ABCD", key=lambda n: wave_of(assignment, n))
    assert order in (list("ABCD"), list("DCBA"))
    assert assignment.hybrid_exposure == 30


def test_capacities_hold_per_wave():
    servers = [server(f"s{i}", f"App{i}", cores=8, tb=2.0, tier=0 if i < 3 else 2) for i in range(9)]
    assignment = plan(servers, [], wave={"max_servers": 3, "max_vcpu": 16, "max_replication_tb": 5,
                                         "max_tier0_cutovers": 1})
    loads = {}
    for g in assignment.groups:
        w = assignment.waves[g.id]
        servers_, vcpu, tier0 = loads.get(w, (0, 0, 0))
        loads[w] = (servers_ + len(g.servers), vcpu + g.vcpu, tier0 + g.tier0)
    assert all(s <= 3 and v <= 16 and t <= 1 for s, v, t in loads.values())
    assert max(assignment.waves.values()) == 5  # 9 servers × 8 vCPU at 16 vCPU a wave


def test_non_production_moves_before_production_and_dr_with_or_after_it():
    servers = [server("ehr-p", "EHR"), server("ehr-t", "EHR", "tst"), server("ehr-d", "EHR", "dev"),
               server("ehr-dr", "EHR", "dr")]
    deps = [link("ehr-p", "ehr-dr", weight=50), link("ehr-p", "ehr-t", weight=1)]
    assignment = plan(servers, deps, wave={"max_servers": 2})
    assert wave_of(assignment, "ehr-t") < wave_of(assignment, "ehr-p")
    assert wave_of(assignment, "ehr-d") < wave_of(assignment, "ehr-p")
    assert wave_of(assignment, "ehr-dr") == wave_of(assignment, "ehr-p")  # the heavy link keeps them together


def test_pilot_wave_takes_only_low_risk_systems_and_tier0_waits():
    servers = [server("crit", "Critical", tier=0), server("phi", "Charts", phi=True), server("lowrisk", "Intranet", tier=3),
               server("unknown", None, tier=None)]
    assignment = plan(servers, [], pilot_wave=True, tier0_not_before_wave=3, wave={"max_servers": 4})
    assert {wave_of(assignment, n) for n in ("lowrisk", "unknown")} == {1}
    assert wave_of(assignment, "phi") == 2
    assert wave_of(assignment, "crit") == 3


def test_pins_to_waves_and_after_applications_hold():
    servers = [server("x", "X"), server("y", "Y"), server("z", "Z")]
    deps = [link("x", "y", weight=10), link("y", "z", weight=10)]
    pins = [{"server": "X", "wave": 3}, {"application": "z", "after": "Y"}]
    assignment = plan(servers, deps, pins=pins, wave={"max_servers": 3})
    assert wave_of(assignment, "x") == 3
    assert wave_of(assignment, "z") > wave_of(assignment, "y")


def test_pin_to_wave_zero_joins_the_foundation():
    assignment = plan([server("x", "X"), server("y", "Y")], [], pins=[{"application": "X", "wave": 0}])
    assert wave_of(assignment, "x") == 0
    assert any("joins the foundation wave 0 (pins[0] puts it in wave 0)" in n for n in assignment.notes)


def test_crossing_links_name_ports_waves_and_needs():
    waves = {"app": 2, "db": 1, "dc": 0, "peer": 2}
    deps = [link("app", "db", 1433, weight=3), link("app", "dc", 53, weight=2, protocol="udp"),
            link("app", "peer", 80), link("app", "10.9.9.9", 443), link("gone", "app", 22)]
    links, exposure, foundation = crossing_links(waves, deps)
    assert [(c.source, c.destination, c.port, c.source_wave, c.destination_wave, c.needs) for c in links] == [
        ("app", "dc", 53, 2, 0, ("ExpressRoute/VPN", "DNS forwarding", "firewall rule udp/53")),
        ("app", "db", 1433, 2, 1, ("ExpressRoute/VPN", "firewall rule tcp/1433"))]
    assert (exposure, foundation) == (3 + 4, 4) == (exposure_of(waves, deps), 4)
    assert crossing_links(waves, deps, frozenset({"dc"}))[1:] == (3, 0)


def test_links_to_local_shared_services_count_nowhere():
    servers = [server("a", "A"), server("b", "B"), server("dc", "Directory")]
    deps = [link("a", "dc", 53, weight=10), link("a", "b", weight=1)]
    raw = {"shared_services": {"links": "local"}, "wave": {"max_servers": 1}}
    assignment = plan(servers, deps, shared=["dc"], **raw)
    assert [(c.source, c.destination) for c in assignment.crossing_links] == [("a", "b")]
    assert assignment.hybrid_exposure == 1
    assert any("shared_services.links: local" in n for n in assignment.notes)


@pytest.mark.slow
def test_same_inputs_give_identical_plans():
    servers = [server(f"s{i:02d}", f"App{i % 7}", env=("prd", "tst")[i % 2]) for i in range(40)]
    deps = [link(f"s{i:02d}", f"s{(i * 7 + 3) % 40:02d}", weight=i % 9 + 1) for i in range(40)]
    first = plan(servers, deps, wave={"max_servers": 5})
    assert plan(list(reversed(servers)), list(reversed(deps)), wave={"max_servers": 5}) == first


# -- infeasible settings ------------------------------------------------------------------------

def test_a_group_larger_than_a_wave_is_reported_with_its_servers():
    servers = [server(f"e{i}", "EHR", cores=8) for i in range(4)]
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan(servers, [], wave={"max_servers": 3, "max_vcpu": 16})
    found = problems(excinfo)
    assert [c for c, _, _ in found] == ["wave.max_servers", "wave.max_vcpu"]
    assert found[0][1].startswith("move group ehr-prd is larger than a wave: 4 servers, more than wave.max_servers 3")
    assert "--relax" in found[0][1] and found[0][2] == ("e0", "e1", "e2", "e3")


def test_contradictory_pins_and_pins_against_the_rules_are_all_reported():
    servers = [server("p", "App"), server("t", "App", "tst"), server("crit", "Crit", tier=0), server("x", "X"),
               server("dc", "Directory")]
    pins = [{"server": "x", "wave": 2}, {"application": "X", "wave": 4},       # contradictory
            {"application": "App", "environment": "prd", "wave": 1},          # production before its test
            {"server": "crit", "wave": 1},                                    # tier-0 too early
            {"server": "ghost", "wave": 2},                                   # unknown
            {"server": "dc", "wave": 3},                                      # a shared service
            {"application": "X", "after": "X"}]                               # after itself
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan(servers, [], shared=["dc"], pins=pins, tier0_not_before_wave=2)
    found = problems(excinfo)
    keys = [c for c, _, _ in found]
    assert "pins[4]" in keys and any("server ghost is not in the plan" in m for _, m, _ in found)
    assert any(c == "pins[5]" and "foundation group" in m and "shared_services.exclude" in m for c, m, _ in found)
    assert any(c == "pins[6]" and "holds servers of X itself" in m for c, m, _ in found)
    assert ("pins[0], pins[1]", "contradictory pins: move group x-prd is pinned to wave 2 (pins[0]) and wave 4 "
            "(pins[1])", ("x",)) in found
    assert any(c == "pins[3], tier0_not_before_wave" and s == ("crit",) for c, _, s in found)
    assert ("ordering, pins[2]", "move group app-tst has no possible wave: it cannot move before wave 1 (migration "
            "waves start at 1) but must move by wave 0 (the non-production of App moves before its production: "
            "app-prd follows it and moves by wave 1 (pins[2] puts it in wave 1))", ("t",)) in found


def test_ordering_cycles_and_impossible_pilots_are_reported():
    # A group holding A's production and B's test, another holding B's production and A's test.
    servers = [Server("one", applications=("A",), environment="prd", tier=3),
               Server("two", applications=("B",), environment="prd", tier=3),
               Server("three", applications=("A",), environment="tst", tier=3),
               Server("four", applications=("B",), environment="tst", tier=3)]
    groups = [MoveGroup("g1", ("one", "four")), MoveGroup("g2", ("two", "three"))]
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan_waves(groups, [], servers, settings())
    ((constraint, message, names),) = problems(excinfo)
    assert constraint == "ordering" and "contradict each other" in message and set(names) == {"one", "two", "three",
                                                                                               "four"}
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan([server("a", "A", phi=True), server("b", "B", tier=1)], [], pilot_wave=True)
    assert [c for c, _, _ in problems(excinfo)] == ["pilot_wave"]
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan([server("a", "A", tier=0)], [], wave={"max_tier0_cutovers": 0})
    assert [c for c, _, _ in problems(excinfo)] == ["wave.max_tier0_cutovers"]


def test_pins_that_overfill_a_wave_are_reported():
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan([server("a", "A"), server("b", "B")], [], wave={"max_servers": 1},
             pins=[{"server": "a", "wave": 2}, {"server": "b", "wave": 2}])
    ((constraint, message, names),) = problems(excinfo)
    assert constraint == "pins[0], pins[1], wave.max_servers"
    assert message.startswith("pins[0], pins[1] put 2 move groups (a-prd, b-prd) in wave 2: 2 servers")


# -- --relax ------------------------------------------------------------------------------------

def test_relax_splits_an_oversized_group_along_its_weakest_links():
    # Two tight clusters joined by one weak link, in one application: a wave holds one cluster.
    left, right = [f"l{i}" for i in range(3)], [f"r{i}" for i in range(3)]
    servers = [server(n, "Big") for n in left + right]
    deps = [link(a, b, weight=40) for a, b in zip(left, left[1:])] + \
           [link(a, b, weight=40) for a, b in zip(right, right[1:])] + [link("l2", "r0", weight=1)]
    assignment = plan(servers, deps, relax=True, wave={"max_servers": 3})
    pieces = sorted((g.id, g.servers) for g in assignment.groups)
    assert pieces == [("big-prd.1", ("l0", "l1", "l2")), ("big-prd.2", ("r0", "r1", "r2"))] or \
        pieces == [("big-prd.1", ("r0", "r1", "r2")), ("big-prd.2", ("l0", "l1", "l2"))]
    assert assignment.hybrid_exposure == 1
    (note,) = [n for n in assignment.notes if n.startswith("--relax")]
    assert "big-prd (6 servers" in note and "into 2 pieces" in note and "1 server pair(s) with link weight 1" in note
    assert all("--relax: piece" in g.reasons[-1] for g in assignment.groups)


def test_relax_cannot_split_a_server_larger_than_a_wave():
    with pytest.raises(InfeasiblePlan) as excinfo:
        plan([server("vault", "Imaging", tb=90.0), server("web", "Imaging")], [], relax=True,
             wave={"max_replication_tb": 50})
    ((constraint, message, names),) = problems(excinfo)
    assert constraint == "wave.max_replication_tb" and names == ("vault",)
    assert "server vault alone is larger than a wave" in message


def test_groups_naming_unknown_or_duplicate_servers_are_programming_errors():
    servers = [server("a", "A")]
    with pytest.raises(ValueError, match="not among the servers"):
        plan_waves([MoveGroup("g", ("a", "b"))], [], servers, settings())
    with pytest.raises(ValueError, match="is in move groups g and h"):
        plan_waves([MoveGroup("g", ("a",)), MoveGroup("h", ("a",))], [], servers, settings())
