"""Move groups → numbered waves: rules (`constraints`), optimiser (`waves_construct`, `waves_improve`).

    assignment = plan_waves(groups, dependencies, servers, settings, relax=False)

Wave 0 is the foundation: the caller passes the extended infrastructure as groups marked `foundation`
(`groups.move_groups` makes them); they — and any group pinned to wave 0 — stay in wave 0 and
the per-wave limits apply from wave 1 on. Every other group gets a wave ≥ 1 that keeps the
capacities, the environment ordering, the pilot wave, the tier-0 rule and the pins (see
`constraints`), minimising the hybrid exposure

    H = Σ over dependency links (u, v) between planned servers of weight × |wave(u) − wave(v)|

then the number of waves. Links to the foundation count: the foundation moves first, so a link
from a server of wave w to extended infrastructure spends w waves crossing between on-premises and
Azure. Links to external endpoints and to servers outside the plan (retired, retained) do not.
With `shared_services.links: local` the extended infrastructure is built on both sides instead of moved,
and links to them count nowhere (neither in H nor among the crossing links).

With `relax=True`, groups larger than a wave are split along their weakest links first
(`waves_split`); the notes say which and how much link weight the cuts expose.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

from migrate.inventory.model import Dependency, Server
from migrate.planning.constraints import Problem, capacity_of, compile_problem
from migrate.planning.model import CrossingLink, Infeasibility, InfeasiblePlan, MoveGroup, WaveAssignment
from migrate.planning.settings import PlanSettings
from migrate.planning.waves_construct import PRIORITIES, Graph, Waves, construct, exposure
from migrate.planning.waves_improve import improve, kick, polish
from migrate.planning.waves_split import split_oversized

HYBRID_LINK = "ExpressRoute/VPN"
DNS_FORWARDING = "DNS forwarding"
NAME_RESOLUTION_PORTS = (53,)
WORK_PER_ITEM = 40
"""Improvement budget, shared by the constructions: cost evaluations per group and group link
(at least MIN_WORK) — generous for a hospital's few thousand groups, a bound at 100,000 servers."""
MIN_WORK = 1_000_000
SMALL_PROBLEM = 1_000
POLISH_SHARE = 3
SMALL_PROBLEM_WORK = 3_000_000
"""Up to SMALL_PROBLEM groups the budget is at least SMALL_PROBLEM_WORK: a second or two that
brings plans of a hospital's few hundred groups within 1 % of the exact optimum."""


def plan_waves(groups: Sequence[MoveGroup], dependencies: Sequence[Dependency], servers: Sequence[Server],
               settings: PlanSettings, *, relax: bool = False) -> WaveAssignment:
    """Assign every group a wave (0 = foundation). Raises InfeasiblePlan naming every conflict."""
    by_name = {s.name: s for s in servers}
    _check_groups(groups, by_name)
    groups = sorted(groups, key=lambda g: g.id)
    capacity = capacity_of(settings)
    notes: list[str] = []
    problems: list[Infeasibility] = []
    if relax:
        groups, split_notes, problems = split_oversized(groups, by_name, dependencies, capacity)
        groups.sort(key=lambda g: g.id)
        notes.extend(split_notes)
    try:
        problem = compile_problem(groups, by_name, settings)
    except InfeasiblePlan as infeasible:
        raise InfeasiblePlan(problems + list(infeasible.problems)) from None
    if problems:
        raise InfeasiblePlan(problems)
    group_of = {name: i for i, g in enumerate(groups) for name in g.servers}
    local = settings.shared_services.links == "local"
    graph = Graph(problem, group_of, [(d.source, d.destination, d.weight) for d in dependencies], local)
    state = optimise(problem, graph)
    wave_of_group = {g.id: state.wave[i] for i, g in enumerate(groups)}
    wave_of_server = {name: state.wave[i] for name, i in group_of.items()}
    uncounted = frozenset(name for g in groups if g.foundation for name in g.servers) if local else frozenset()
    links, exposure, foundation_part = crossing_links(wave_of_server, dependencies, uncounted)
    notes.extend(_notes(problem, state.wave, settings, wave_of_server, exposure, foundation_part))
    return WaveAssignment(waves=wave_of_group, crossing_links=links, hybrid_exposure=exposure, notes=tuple(notes),
                          groups=tuple(groups))


def optimise(p: Problem, g: Graph) -> Waves:
    """The best plan over the constructions of PRIORITIES, each improved then kicked (and, up to
    SMALL_PROBLEM groups, polished) while its share of the budget lasts: lowest H, then fewest waves."""
    best, best_key = None, None
    floor = SMALL_PROBLEM_WORK if len(p.groups) <= SMALL_PROBLEM else MIN_WORK
    work = max(floor, WORK_PER_ITEM * (g.edges + len(p.groups))) // len(PRIORITIES)
    for n, priority in enumerate(PRIORITIES):
        state = construct(p, g, priority)
        improve(p, g, state, work)
        kick(p, g, state, work, n)
        if len(p.groups) <= SMALL_PROBLEM:
            polish(p, g, state, work // POLISH_SHARE)
        key = (exposure(g, state), len(state.loads))
        if best_key is None or key < best_key:
            best, best_key = state, key
    assert best is not None, "PRIORITIES is empty"  # one construction per priority: never empty
    return best


def _check_groups(groups: Sequence[MoveGroup], servers: Mapping[str, Server]) -> None:
    seen: dict[str, str] = {}
    ids = set()
    for group in groups:
        if group.id in ids:
            raise ValueError(f"two move groups have the id {group.id}")
        ids.add(group.id)
        for name in group.servers:
            if name not in servers:
                raise ValueError(f"move group {group.id} names server {name}, which is not among the servers")
            if name in seen:
                raise ValueError(f"server {name} is in move groups {seen[name]} and {group.id}")
            seen[name] = group.id


def exposure_of(wave_of_server: Mapping[str, int], dependencies: Sequence[Dependency],
                uncounted: frozenset[str] = frozenset()) -> int:
    """H for any assignment of servers to waves (servers missing from it are outside the plan;
    links touching `uncounted` servers — shared services under `links: local` — never cross)."""
    total = 0
    for d in dependencies:
        a, b = wave_of_server.get(d.source), wave_of_server.get(d.destination)
        if a is not None and b is not None and d.source != d.destination and d.source not in uncounted \
                and d.destination not in uncounted:
            total += d.weight * abs(a - b)
    return total


def crossing_links(wave_of_server: Mapping[str, int], dependencies: Sequence[Dependency],
                   uncounted: frozenset[str] = frozenset()) -> tuple[tuple[CrossingLink, ...], int, int]:
    """The links whose ends move in different waves, sorted by waves then names; H; H's part on
    wave-0 links. Links touching `uncounted` servers are left out (see `exposure_of`)."""
    out = []
    exposure = foundation = 0
    for d in dependencies:
        a, b = wave_of_server.get(d.source), wave_of_server.get(d.destination)
        if a is None or b is None or a == b or d.source == d.destination or d.source in uncounted \
                or d.destination in uncounted:
            continue
        cost = d.weight * abs(a - b)
        exposure += cost
        if a == 0 or b == 0:
            foundation += cost
        needs = [HYBRID_LINK]
        if d.port in NAME_RESOLUTION_PORTS:
            needs.append(DNS_FORWARDING)
        needs.append(f"firewall rule {d.protocol}/{d.port}")
        out.append(CrossingLink(source=d.source, destination=d.destination, port=d.port, weight=d.weight,
                                source_wave=a, destination_wave=b, needs=tuple(needs)))
    out.sort(key=lambda c: (min(c.source_wave, c.destination_wave), max(c.source_wave, c.destination_wave),
                            c.source.lower(), c.destination.lower(), c.port, c.source, c.destination, c.needs))
    return tuple(out), exposure, foundation


def _notes(p: Problem, wave: list[int], settings: PlanSettings, wave_of_server: Mapping[str, int], exposure: int,
           foundation_part: int) -> list[str]:
    notes = []
    cap = p.capacity
    zero = [i for i, w in enumerate(wave) if w == 0]
    if zero:
        sizes = [p.sizes[i] for i in zero]
        excess = cap.describe_excess(sum(s.servers for s in sizes), sum(s.vcpu for s in sizes),
                                     sum(s.tb for s in sizes))
        if excess:
            notes.append(f"the foundation wave 0 holds {'; '.join(sentence for _, sentence in excess)}: wave limits "
                         "apply from wave 1 on, so build the foundation (shared services) before the first migration "
                         "wave")
    for i in zero:
        if not p.groups[i].foundation:
            notes.append(f"move group {p.groups[i].id} joins the foundation wave 0 ({p.lo_why[i][1]})")
    members: dict[int, list[int]] = defaultdict(list)
    for i, w in enumerate(wave):
        members[w].append(i)
    top = max(wave, default=0)
    for w in range(1, top):
        if not members.get(w):
            later = sorted({p.lo_why[i][0] for i, x in enumerate(wave) if x > w and p.lo[i] > w and p.lo_why[i][0]})
            notes.append(f"wave {w} holds no move group: what is left may not move that early"
                         + (f" ({', '.join(later)})" if later else ""))
    lower = {name.lower(): name for name in wave_of_server}
    for n, affinity in enumerate(settings.affinities):
        absent = [name for name in affinity if name.lower() not in lower]
        present = [lower[name.lower()] for name in affinity if name.lower() in lower]
        if absent:
            notes.append(f"affinities[{n}]: {', '.join(absent)} not in the plan (unknown, retired or retained)")
        if len({wave_of_server[name] for name in present}) > 1:
            notes.append(f"affinities[{n}]: {', '.join(present)} move in different waves (a shared service stays in "
                         "the foundation, and --relax may split a group)")
    if settings.shared_services.links == "local":
        notes.append(f"hybrid exposure H = {exposure}: links to the extended infrastructure (directory, monitoring, "
                     "backup, ...) do not count, it is served on each side once the foundation builds it in Azure "
                     "(shared_services.links: local); links to hubs count like any other")
    elif exposure:
        notes.append(f"hybrid exposure H = {exposure}: {foundation_part} on links to the foundation (wave 0), "
                     f"{exposure - foundation_part} between migration waves")
    return notes


__all__ = ["plan_waves", "crossing_links", "exposure_of"]
