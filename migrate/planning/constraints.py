"""The rules a wave plan keeps, compiled for the optimiser, and every way settings can break them.

`compile_problem` turns move groups and settings into a `Problem`: per group its size, the
window of waves it may take ([lo, hi], with the rule that set each end) and the precedences
between groups. Any conflict becomes an `Infeasibility` naming the constraint and the servers;
all of them are raised together as `InfeasiblePlan`.

The rules (README, "Migration plan"):
- wave 0 is the foundation: the extended-infrastructure groups, and any group pinned to wave 0.
  Wave limits apply from wave 1 on — the foundation is built before migration waves start. Every
  other rule holds for a group pinned to wave 0 as for any other (tier-0 floor, ordering), unless
  all its servers are in `allow_in_foundation`;
- per wave ≥ 1: at most `wave.max_servers` servers, `wave.max_vcpu` vCPU,
  `replication_tb_per_wave` TB to replicate and `wave.max_tier0_cutovers` tier-0 groups;
- per application: a group holding its non-production (tst, dev, trn, rel, poc) moves in an
  earlier wave than every group holding its production; a group holding its DR moves with its
  production or later (DR keeps protecting production where production runs). A group that
  holds production and other environments together (a strong link joined them) moves as one,
  and the foundation is exempt (it all moves first);
- `pilot_wave`: wave 1 holds only pilot-eligible groups — no PHI, no server of tier 0 or 1
  (servers of unknown tier or classification are eligible) — and at least one of them;
- `tier0_not_before_wave`: a group holding a tier-0 server moves in that wave or later;
- `pins`: a server's group, or every group holding an application (and environment), moves
  in the given wave, or in a later wave than every group holding the `after` application.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from migrate.inventory.model import Server
from migrate.planning.groups import NON_PRODUCTION, server_replication_tb, server_vcpu
from migrate.planning.model import Infeasibility, InfeasiblePlan, MoveGroup
from migrate.planning.names import NameResolver
from migrate.planning.settings import PlanSettings

UNBOUNDED = 1 << 30
"""hi of a group no rule bounds from above."""
EPSILON = 1e-9
"""Replicated TB are sums of floats: compare with a tolerance."""


@dataclass(frozen=True)
class Capacity:
    servers: int
    vcpu: int
    tb: float
    tier0: int

    def describe_excess(self, servers: int, vcpu: int, tb: float) -> list[tuple[str, str]]:
        """(settings key, sentence) for each limit the amounts exceed."""
        out = []
        if servers > self.servers:
            out.append(("wave.max_servers", f"{servers} servers, more than wave.max_servers {self.servers}"))
        if vcpu > self.vcpu:
            out.append(("wave.max_vcpu", f"{vcpu} vCPU, more than wave.max_vcpu {self.vcpu}"))
        if tb > self.tb + EPSILON:
            out.append(("wave.max_replication_tb", f"{tb:.2f} TB to replicate, more than the {self.tb:g} TB "
                        "a wave can replicate (wave.max_replication_tb, or bandwidth_mbps × replication window)"))
        return out


def capacity_of(settings: PlanSettings) -> Capacity:
    return Capacity(settings.wave.max_servers, settings.wave.max_vcpu, settings.replication_tb_per_wave,
                    settings.wave.max_tier0_cutovers)


@dataclass(frozen=True)
class Size:
    servers: int
    vcpu: int
    tb: float
    tier0: bool
    phi: bool
    tier01: bool
    """Holds a server of tier 0 or 1 (not pilot material)."""


def size_of(group: MoveGroup, servers: Mapping[str, Server]) -> Size:
    """A group's size from its servers (the inventory is the truth; the group's own flags add to it)."""
    members = [servers[name] for name in group.servers]
    return Size(servers=len(members), vcpu=sum(server_vcpu(s) for s in members),
                tb=sum(server_replication_tb(s) for s in members),
                tier0=group.tier0 or any(s.tier == 0 for s in members),
                phi=group.phi or any(s.data_classification == "phi" for s in members),
                tier01=any(s.tier in (0, 1) for s in members))


@dataclass
class Problem:
    groups: list[MoveGroup]
    sizes: list[Size]
    capacity: Capacity
    pilot: bool
    lo: list[int]
    hi: list[int]
    lo_why: list[tuple[str, str]]
    """(settings key, sentence) of the rule that set lo."""
    hi_why: list[tuple[str, str]]
    preds: list[list[tuple[int, int]]]
    """preds[i]: (j, gap) — wave[i] ≥ wave[j] + gap (gap 1: strictly later; 0: same wave or later)."""
    succs: list[list[tuple[int, int]]]
    edge_why: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    problems: list[Infeasibility] = field(default_factory=list)

    @property
    def fixed(self) -> list[bool]:
        return [lo == hi for lo, hi in zip(self.lo, self.hi, strict=True)]

    def eligible(self, i: int) -> bool:
        return not self.sizes[i].phi and not self.sizes[i].tier01


def compile_problem(groups: Sequence[MoveGroup], servers: Mapping[str, Server], settings: PlanSettings) -> Problem:
    """The problem the optimiser solves; raises InfeasiblePlan with every conflict found."""
    n = len(groups)
    sizes = [size_of(g, servers) for g in groups]
    p = Problem(groups=list(groups), sizes=sizes, capacity=capacity_of(settings), pilot=settings.pilot_wave,
                lo=[1] * n, hi=[UNBOUNDED] * n, lo_why=[("", "migration waves start at 1")] * n, hi_why=[("", "")] * n,
                preds=[[] for _ in range(n)], succs=[[] for _ in range(n)])
    index = _Index(groups, servers)
    allowed = _allowed_in_foundation(groups, servers, settings)
    pinned = _pins(p, index, settings)
    _windows(p, pinned, settings, allowed)
    _capacity(p, pinned)
    _ordering(p, index, allowed)
    _foundation_pins(p, allowed)
    order = _topological(p)
    if order is not None:
        _propagate(p, order)
        _pilot(p)
    if p.problems:
        raise InfeasiblePlan(p.problems)
    return p


class _Index:
    """Which groups hold which server, application and (application, environment)."""

    def __init__(self, groups: Sequence[MoveGroup], servers: Mapping[str, Server]):
        self.group_of: dict[str, int] = {}
        self.by_app: dict[str, set[int]] = defaultdict(set)
        self.by_app_env: dict[tuple[str, str | None], set[int]] = defaultdict(set)
        self.app_names: dict[str, str] = {}
        for i, group in enumerate(groups):
            for name in group.servers:
                self.group_of[name.lower()] = i
                server = servers[name]
                for app in server.applications or ():
                    self.app_names.setdefault(app.lower(), app)
                    self.by_app[app.lower()].add(i)
                    self.by_app_env[(app.lower(), server.environment)].add(i)

    def app_env_pairs(self):
        return sorted(self.by_app_env.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))


def _allowed_in_foundation(groups: Sequence[MoveGroup], servers: Mapping[str, Server],
                           settings: PlanSettings) -> set[int]:
    """Groups whose servers are all named (by server or application) in `allow_in_foundation`."""
    if not settings.allow_in_foundation:
        return set()
    resolver = NameResolver(servers, {name: s.applications for name, s in servers.items()})
    named = resolver.servers(settings.allow_in_foundation)
    return {i for i, g in enumerate(groups) if not g.foundation and all(name in named for name in g.servers)}


def _servers(p: Problem, *indexes: int) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for i in indexes:
        names.update(dict.fromkeys(p.groups[i].servers))
    return tuple(names)


def _pins(p: Problem, index: _Index, settings: PlanSettings) -> dict[int, list[tuple[int, int]]]:
    """Resolve the pins: group -> [(wave, pin number)]; "after" pins become precedences."""
    pinned: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for n, pin in enumerate(settings.pins):
        key = f"pins[{n}]"
        if pin.server is not None:
            found = index.group_of.get(pin.server.lower())
            if found is None:
                p.problems.append(Infeasibility(key, f"{key}: server {pin.server} is not in the plan (not in the "
                                                     "inventory, or retired or retained)", (pin.server,)))
                continue
            targets, who = [found], f"server {pin.server}"
        else:
            application = (pin.application or "").lower()  # a pin names a server or an application (settings)
            scope = (index.by_app_env.get((application, pin.environment), set())
                     if pin.environment is not None else index.by_app.get(application, set()))
            who = f"application {pin.application}" + (f" {pin.environment}" if pin.environment else "")
            if not scope:
                p.problems.append(Infeasibility(key, f"{key}: no planned server belongs to {who}"))
                continue
            targets = sorted(scope)
        for i in targets:
            group = p.groups[i]
            if group.foundation and pin.wave != 0:
                target = f"to wave {pin.wave}" if pin.wave is not None else f"after application {pin.after}"
                p.problems.append(Infeasibility(
                    key, f"{key}: {who} is in foundation group {group.id} (shared services, wave 0) and cannot "
                         f"move {target}; list its servers in shared_services.exclude to plan them as a normal "
                         "move group", _servers(p, i)))
                continue
            if pin.wave is not None:
                pinned[i].append((pin.wave, n))
        if pin.after is None:
            continue
        before = sorted(index.by_app.get(pin.after.lower(), set()))
        if not before:
            p.problems.append(Infeasibility(key, f"{key}: after application {pin.after}: no planned server "
                                                 f"belongs to {pin.after}"))
            continue
        for i in targets:
            if p.groups[i].foundation:
                continue
            if i in before:
                p.problems.append(Infeasibility(
                    key, f"{key}: move group {p.groups[i].id} holds servers of {pin.after} itself, so {who} cannot "
                         f"move after {pin.after}", _servers(p, i)))
                continue
            for j in before:
                _edge(p, j, i, 1, (key, f"{key}: {who} after application {pin.after}"))
    return pinned


def _edge(p: Problem, before: int, after: int, gap: int, why: tuple[str, str]) -> None:
    known = p.edge_why.get((before, after))
    if known is not None:
        if gap <= next(g for j, g in p.preds[after] if j == before):
            return
        p.preds[after] = [(j, g) for j, g in p.preds[after] if j != before]
        p.succs[before] = [(j, g) for j, g in p.succs[before] if j != after]
    p.preds[after].append((before, gap))
    p.succs[before].append((after, gap))
    p.edge_why[(before, after)] = why


def _windows(p: Problem, pinned: dict[int, list[tuple[int, int]]], settings: PlanSettings, allowed: set[int]) -> None:
    k = settings.tier0_not_before_wave
    for i, group in enumerate(p.groups):
        size = p.sizes[i]
        if group.foundation:
            p.lo[i] = p.hi[i] = 0
            p.lo_why[i] = p.hi_why[i] = ("foundation", "shared services move in the foundation wave 0")
            continue
        waves = sorted(set(pinned.get(i, ())))
        if len({w for w, _ in waves}) > 1:
            keys = ", ".join(f"pins[{n}]" for _, n in waves)
            p.problems.append(Infeasibility(
                keys, f"contradictory pins: move group {group.id} is pinned to "
                      + " and ".join(f"wave {w} (pins[{n}])" for w, n in waves), group.servers))
        if waves:
            wave, n = waves[0]
            p.lo[i] = p.hi[i] = wave
            p.lo_why[i] = p.hi_why[i] = (f"pins[{n}]", f"pins[{n}] puts it in wave {wave}")
            if size.tier0 and wave < k and not (wave == 0 and i in allowed):
                p.problems.append(Infeasibility(
                    f"pins[{n}], tier0_not_before_wave",
                    f"pins[{n}] puts move group {group.id}, which holds tier-0 servers, in wave {wave}; "
                    f"tier-0 systems move in wave {k} or later (tier0_not_before_wave)"
                    + (_FOUNDATION_HINT if wave == 0 else ""), group.servers))
            if p.pilot and wave == 1 and not p.eligible(i):
                p.problems.append(Infeasibility(
                    f"pins[{n}], pilot_wave",
                    f"pins[{n}] puts move group {group.id} in the pilot wave 1, which holds only low-risk systems "
                    f"without PHI (it holds {_risk(size)}); set pilot_wave: false or pin it later", group.servers))
            continue
        if size.tier0 and k > p.lo[i]:
            p.lo[i], p.lo_why[i] = k, ("tier0_not_before_wave", f"it holds tier-0 servers, which move in wave {k} "
                                                                  "or later (tier0_not_before_wave)")
        if p.pilot and not p.eligible(i) and p.lo[i] < 2:
            p.lo[i], p.lo_why[i] = 2, ("pilot_wave", f"the pilot wave 1 holds only low-risk systems without PHI "
                                                     f"(it holds {_risk(size)})")
    if p.capacity.tier0 == 0:
        tier0 = [i for i, g in enumerate(p.groups) if p.sizes[i].tier0 and not g.foundation]
        if tier0:
            p.problems.append(Infeasibility(
                "wave.max_tier0_cutovers",
                f"wave.max_tier0_cutovers is 0 but {len(tier0)} move group(s) hold tier-0 servers: "
                + ", ".join(p.groups[i].id for i in tier0), _servers(p, *tier0)))


def _risk(size: Size) -> str:
    return " and ".join(part for part, present in (("PHI", size.phi), ("tier-0/1 servers", size.tier01)) if present)


def _capacity(p: Problem, pinned: dict[int, list[tuple[int, int]]]) -> None:
    cap = p.capacity
    for i, group in enumerate(p.groups):
        if p.hi[i] == 0:
            continue
        s = p.sizes[i]
        for key, sentence in cap.describe_excess(s.servers, s.vcpu, s.tb):
            p.problems.append(Infeasibility(
                key, f"move group {group.id} is larger than a wave: {sentence}; raise the limit, or plan with "
                     "--relax to split it along its weakest links", group.servers))
    by_wave: dict[int, list[int]] = defaultdict(list)
    for i, waves in sorted(pinned.items()):
        if len({w for w, _ in waves}) == 1 and waves[0][0] > 0:
            by_wave[waves[0][0]].append(i)
    for wave, members in sorted(by_wave.items()):
        if len(members) < 2:
            continue
        total = [p.sizes[i] for i in members]
        pins = sorted({f"pins[{n}]" for i in members for _, n in pinned[i]})
        excess = cap.describe_excess(sum(s.servers for s in total), sum(s.vcpu for s in total),
                                     sum(s.tb for s in total))
        tier0 = sum(s.tier0 for s in total)
        if tier0 > cap.tier0:
            excess.append(("wave.max_tier0_cutovers",
                           f"{tier0} tier-0 cutovers, more than wave.max_tier0_cutovers {cap.tier0}"))
        for key, sentence in excess:
            p.problems.append(Infeasibility(
                f"{', '.join(pins)}, {key}",
                f"{', '.join(pins)} put {len(members)} move groups ({', '.join(p.groups[i].id for i in members)}) "
                f"in wave {wave}: {sentence}", _servers(p, *members)))


_FOUNDATION_HINT = ("; the foundation wave 0 is for extended infrastructure — list the application in "
                    "allow_in_foundation to move it there anyway")


def _ordering(p: Problem, index: _Index, allowed: set[int]) -> None:
    by_app: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for (app, env), members in index.app_env_pairs():
        kind = "prd" if env == "prd" else "dr" if env == "dr" else "nonprd" if env in NON_PRODUCTION else None
        if kind:
            by_app[app][kind].update(i for i in members if not p.groups[i].foundation
                                     and not (i in allowed and p.hi[i] == 0))
    for app, kinds in sorted(by_app.items()):
        name = index.app_names[app]
        production = sorted(kinds["prd"])
        for i in sorted(kinds["nonprd"] - kinds["prd"]):
            for j in production:
                _edge(p, i, j, 1, ("ordering", f"the non-production of {name} moves before its production"))
        for i in sorted(kinds["dr"] - kinds["prd"]):
            for j in production:
                _edge(p, j, i, 0, ("ordering", f"the DR of {name} moves with its production or later"))


def _foundation_pins(p: Problem, allowed: set[int]) -> None:
    """A group pinned to wave 0 keeps the ordering rules: nothing can move before wave 0, and what
    moves with it or earlier must be in wave 0 too. Each breach is one problem naming the pin and
    the rule; the edge is then dropped so the propagation does not report it again."""
    for i, group in enumerate(p.groups):
        if group.foundation or p.hi[i] != 0 or i in allowed:
            continue
        pin = p.lo_why[i][0]
        for j, gap in list(p.preds[i]):
            if gap == 0 and p.hi[j] == 0:
                continue
            key, why = p.edge_why[(j, i)]
            p.problems.append(Infeasibility(
                f"{pin}, {key}", f"{pin} puts move group {group.id} in wave 0, but {why}: {p.groups[j].id} would "
                                 f"have to move {'before' if gap else 'with'} it" + _FOUNDATION_HINT,
                _servers(p, j, i)))
            p.preds[i] = [(x, g) for x, g in p.preds[i] if x != j]
            p.succs[j] = [(x, g) for x, g in p.succs[j] if x != i]
            del p.edge_why[(j, i)]


def _topological(p: Problem) -> list[int] | None:
    """Groups in precedence order, or None after recording the cycle that makes the rules contradict."""
    n = len(p.groups)
    waiting = [len(p.preds[i]) for i in range(n)]
    ready = [i for i in range(n) if not waiting[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j, _ in p.succs[i]:
            waiting[j] -= 1
            if not waiting[j]:
                heapq.heappush(ready, j)
    if len(order) == n:
        return order
    left = {i for i in range(n) if waiting[i]}
    cycle = _cycle(p, left)
    steps = [f"{p.groups[a].id} before {p.groups[b].id} ({p.edge_why[(a, b)][1]})"
             for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)]
    keys = sorted({p.edge_why[(a, b)][0] for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True)})
    p.problems.append(Infeasibility(", ".join(keys), "the ordering rules and pins contradict each other: "
                                    + "; ".join(steps), _servers(p, *cycle)))
    return None


def _cycle(p: Problem, left: set[int]) -> list[int]:
    """One cycle among `left` (every node there has a predecessor there), in precedence order."""
    node = min(left)
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(j for j, _ in p.preds[node] if j in left)
    cycle = path[seen[node]:]
    return cycle[::-1]


def _propagate(p: Problem, order: list[int]) -> None:
    for i in order:
        for j, gap in p.succs[i]:
            if p.lo[i] + gap > p.lo[j]:
                p.lo[j] = p.lo[i] + gap
                key, why = p.edge_why[(i, j)]
                p.lo_why[j] = (f"{key}, {p.lo_why[i][0]}" if p.lo_why[i][0] and p.lo_why[i][0] != key else key,
                               f"{why}: it follows {p.groups[i].id}, which cannot move before wave {p.lo[i]}"
                               f" ({p.lo_why[i][1]})" if p.lo_why[i][0] else f"{why}: it follows {p.groups[i].id}")
    for i in reversed(order):
        for j, gap in p.preds[i]:
            if p.hi[i] < UNBOUNDED and p.hi[i] - gap < p.hi[j]:
                p.hi[j] = p.hi[i] - gap
                key, why = p.edge_why[(j, i)]
                p.hi_why[j] = (f"{key}, {p.hi_why[i][0]}" if p.hi_why[i][0] != key else key,
                               f"{why}: {p.groups[i].id} follows it and moves by wave {p.hi[i]} ({p.hi_why[i][1]})")
    for i in order:
        if p.lo[i] > p.hi[i]:
            keys = ", ".join(dict.fromkeys(k for part in (p.lo_why[i][0], p.hi_why[i][0]) for k in part.split(", ")
                                           if k))
            p.problems.append(Infeasibility(
                keys, f"move group {p.groups[i].id} has no possible wave: it cannot move before wave {p.lo[i]} "
                      f"({p.lo_why[i][1]}) but must move by wave {p.hi[i]} ({p.hi_why[i][1]})", p.groups[i].servers))


def _pilot(p: Problem) -> None:
    if not p.pilot:
        return
    movable = [i for i in range(len(p.groups)) if p.hi[i] >= 1]
    if movable and not any(p.lo[i] <= 1 <= p.hi[i] for i in movable):
        p.problems.append(Infeasibility(
            "pilot_wave", "pilot_wave: no move group can open the pilot wave 1 — every group holds PHI or a tier-0/1 "
                          "server, or a pin or ordering rule keeps it later; set pilot_wave: false, or plan a "
                          "low-risk system without PHI"))
