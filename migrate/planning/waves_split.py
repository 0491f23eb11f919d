"""--relax: split move groups larger than a wave along their weakest links.

Each piece grows like Prim's algorithm from the most connected server left: it takes the
server with the heaviest links into the piece while the piece still fits a wave, then tops up
with unlinked servers (a pool of Citrix session hosts has no links between its members) in
name order. Strong links therefore stay inside pieces and the links cut are the weak ones; each
cut link crosses waves while the pieces move apart, and the plan's notes count them.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import replace
from typing import Mapping, Sequence

from migrate.inventory.model import Dependency, Server
from migrate.planning.constraints import EPSILON, Capacity
from migrate.planning.groups import server_replication_tb, server_vcpu
from migrate.planning.model import Infeasibility, MoveGroup


def oversized(group: MoveGroup, servers: Mapping[str, Server], capacity: Capacity) -> bool:
    members = [servers[name] for name in group.servers]
    return (not group.foundation and (len(members) > capacity.servers
                                      or sum(server_vcpu(s) for s in members) > capacity.vcpu
                                      or sum(server_replication_tb(s) for s in members) > capacity.tb + EPSILON))


def split_oversized(groups: Sequence[MoveGroup], servers: Mapping[str, Server], dependencies: Sequence[Dependency],
                    capacity: Capacity) -> tuple[list[MoveGroup], list[str], list[Infeasibility]]:
    """The groups with every oversized one replaced by its pieces; notes; servers too big for any wave."""
    big = {g.id: g for g in groups if oversized(g, servers, capacity)}
    if not big:
        return list(groups), [], []
    home = {name: g.id for g in big.values() for name in g.servers}
    links: dict[str, dict[str, dict[str, int]]] = {gid: defaultdict(lambda: defaultdict(int)) for gid in big}
    for d in dependencies:
        gid = home.get(d.source)
        if gid is not None and d.source != d.destination and home.get(d.destination) == gid:
            links[gid][d.source][d.destination] += d.weight
            links[gid][d.destination][d.source] += d.weight
    out, notes, problems = [], [], []
    for group in groups:
        if group.id not in big:
            out.append(group)
            continue
        too_big = [(s.name, capacity.describe_excess(1, server_vcpu(s), server_replication_tb(s)))
                   for s in (servers[name] for name in group.servers)]
        too_big = [(name, excess) for name, excess in too_big if excess]
        for name, excess in too_big:
            problems.append(Infeasibility(excess[0][0], f"server {name} alone is larger than a wave "
                                          f"({excess[0][1]}): --relax cannot split a server", (name,)))
        if too_big:
            continue
        pieces = _pieces(group, servers, links[group.id], capacity)
        cut = [(a, b, w) for a, peers in links[group.id].items() for b, w in peers.items()
               if a < b and pieces[a] != pieces[b]]
        count = max(pieces.values()) + 1
        notes.append(f"--relax split move group {group.id} ({len(group.servers)} servers, larger than a wave) into "
                     f"{count} pieces along its weakest links: {len(cut)} server pair(s) with link weight "
                     f"{sum(w for _, _, w in cut)} now cross between the pieces while they move apart")
        for k in range(count):
            members = [servers[name] for name in group.servers if pieces[name] == k]
            out.append(_piece(group, members, k + 1, count))
    return out, notes, problems


def _pieces(group: MoveGroup, servers: Mapping[str, Server], links: Mapping[str, Mapping[str, int]],
            capacity: Capacity) -> dict[str, int]:
    names = list(group.servers)
    piece_of: dict[str, int] = {}
    seeds = [(-sum(links.get(name, {}).values()), position, name) for position, name in enumerate(names)]
    heapq.heapify(seeds)
    piece = 0
    while len(piece_of) < len(names):
        while seeds[0][2] in piece_of:
            heapq.heappop(seeds)
        seed = heapq.heappop(seeds)[2]
        load = [0, 0, 0.0]

        # Defaults bind this piece's load, number, pull and frontier (B023).
        def fits(name: str, load: list = load) -> bool:
            s = servers[name]
            return (load[0] + 1 <= capacity.servers and load[1] + server_vcpu(s) <= capacity.vcpu
                    and load[2] + server_replication_tb(s) <= capacity.tb + EPSILON)

        def take(name: str, load: list = load, piece: int = piece) -> None:
            s = servers[name]
            piece_of[name] = piece
            load[0] += 1
            load[1] += server_vcpu(s)
            load[2] += server_replication_tb(s)

        take(seed)
        pull: dict[str, int] = defaultdict(int)
        frontier: list[tuple[int, str]] = []

        def reach(name: str, pull: dict = pull, frontier: list = frontier) -> None:
            for peer, weight in links.get(name, {}).items():
                if peer not in piece_of:
                    pull[peer] += weight
                    heapq.heappush(frontier, (-pull[peer], peer))

        reach(seed)
        while frontier:
            weight, name = heapq.heappop(frontier)
            if name in piece_of or -weight != pull[name]:
                continue
            if fits(name):
                take(name)
                reach(name)
        for name in names:
            if name not in piece_of and fits(name):
                take(name)
        piece += 1
    return piece_of


def _piece(group: MoveGroup, members: list[Server], k: int, count: int) -> MoveGroup:
    environments = sorted({s.environment for s in members}, key=lambda e: (e is None, e or ""))
    applications = sorted({a for s in members for a in s.applications}, key=lambda a: (a.lower(), a))
    return replace(
        group, id=f"{group.id}.{k}", servers=tuple(s.name for s in members),
        applications=tuple(applications) or group.applications,
        environment=environments[0] if len(environments) == 1 else None,
        reasons=group.reasons + (f"--relax: piece {k} of {count} of move group {group.id}, which is larger than a "
                                 "wave; split along its weakest links",),
        vcpu=sum(server_vcpu(s) for s in members),
        storage_tb=round(sum(server_replication_tb(s) for s in members), 3),
        tier0=any(s.tier == 0 for s in members), phi=any(s.data_classification == "phi" for s in members))
