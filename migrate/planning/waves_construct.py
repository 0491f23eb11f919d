"""The wave optimiser's construction: a first plan ordered by the dependency structure.

The objective is H = Σ weight(u, v) × |wave(u) − wave(v)| over the links between planned
servers, then the number of waves. Between groups it reads
    H = Σ_i pull_i × wave_i + Σ_{i<j} W_ij × |wave_i − wave_j|
where W_ij sums the links between groups i and j, and pull_i the links from group i to groups
fixed in wave 0 (the foundation): every wave a group waits costs pull_i more.

Construction fills waves one after the other. The next group for the current wave is the one
that fits and — earliest deadline first, for pinned waves and what must precede them — has the
highest marginal cost of waiting per share of a wave it uses: (links to groups already placed,
foundation included) − (links to groups still to place), over its largest share of a wave's
servers, vCPU or replication capacity. Groups become candidates only once their predecessors are
placed and their earliest wave has come, so the rules hold by construction.

Improvement (`waves_improve`) then moves groups to better waves while H decreases and every
rule still holds; `waves.optimise` improves each construction of PRIORITIES and keeps the best.

Everything iterates in index order (groups sorted by id), so the result is deterministic.
"""

from __future__ import annotations

import heapq
from typing import Sequence

from migrate.planning.constraints import EPSILON, UNBOUNDED, Problem
from migrate.planning.model import Infeasibility, InfeasiblePlan

PRIORITIES = (
    # The marginal cost of waiting: links to placed groups minus links to unplaced ones, with the
    # unplaced side weighted 1, ½ and 0 (pure "follow what has moved"). Each gives a construction;
    # improvement runs on each and the lowest H wins — cheap insurance against one rule's blind spots.
    lambda placed, total: 2 * placed - total,
    lambda placed, total: placed - 0.5 * (total - placed),
    lambda placed, total: placed,
)
MISS_LIMIT = 64
"""Consecutive candidates that do not fit before a wave is considered full."""


class Graph:
    """Group-level link weights: nbrs[i] = [(j, W_ij)] between movable groups, pull[i] to wave-0 groups.

    With `local_foundation`, links to foundation groups are left out (`shared_services.links: local`).
    """

    def __init__(self, p: Problem, group_of_server: dict[str, int], links: Sequence[tuple[str, str, int]],
                 local_foundation: bool = False):
        n = len(p.groups)
        zero = [hi == 0 for hi in p.hi]
        skip = [local_foundation and g.foundation for g in p.groups]
        pull = [0] * n
        pairs: dict[int, int] = {}
        for source, destination, weight in links:
            i, j = group_of_server.get(source), group_of_server.get(destination)
            if i is None or j is None or i == j or skip[i] or skip[j]:
                continue
            if zero[i] or zero[j]:
                if not zero[i]:
                    pull[i] += weight
                elif not zero[j]:
                    pull[j] += weight
                continue
            key = i * n + j if i < j else j * n + i
            pairs[key] = pairs.get(key, 0) + weight
        nbrs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for key in sorted(pairs):
            i, j = divmod(key, n)
            nbrs[i].append((j, pairs[key]))
            nbrs[j].append((i, pairs[key]))
        self.nbrs, self.pull, self.edges = nbrs, pull, len(pairs)


class Waves:
    """Wave loads and members, and the checks a move must pass."""

    def __init__(self, p: Problem):
        self.p = p
        cap = p.capacity
        self.cap = (cap.servers, cap.vcpu, cap.tb + EPSILON, cap.tier0)
        self.size = [(s.servers, s.vcpu, s.tb, int(s.tier0)) for s in p.sizes]
        self.wave = [-1] * len(p.groups)
        self.loads: list[list[float]] = [[0, 0, 0.0, 0]]
        self.members: list[set[int]] = [set()]

    def ensure(self, w: int) -> None:
        while len(self.loads) <= w:
            self.loads.append([0, 0, 0.0, 0])
            self.members.append(set())

    def fits(self, i: int, w: int, leaving: int | None = None) -> bool:
        """Group i fits wave w (≥ 1), with group `leaving` taken out of it first."""
        load, size, cap = self.loads[w], self.size[i], self.cap
        if leaving is None:
            return (load[0] + size[0] <= cap[0] and load[1] + size[1] <= cap[1] and load[2] + size[2] <= cap[2]
                    and load[3] + size[3] <= cap[3])
        out = self.size[leaving]
        return (load[0] - out[0] + size[0] <= cap[0] and load[1] - out[1] + size[1] <= cap[1]
                and load[2] - out[2] + size[2] <= cap[2] and load[3] - out[3] + size[3] <= cap[3])

    def within(self, w: int) -> bool:
        """Wave w (≥ 1) keeps every limit."""
        load, cap = self.loads[w], self.cap
        return load[0] <= cap[0] and load[1] <= cap[1] and load[2] <= cap[2] and load[3] <= cap[3]

    def overflow_change(self, i: int, a: int, b: int) -> float:
        """How much moving group i from wave a to wave b changes the two waves' excess over the
        limits (each limit's excess as a share of the limit, summed)."""
        size, cap = self.size[i], self.cap
        change = 0.0
        for k in range(4):
            if not size[k]:
                continue
            from_a, into_b = self.loads[a][k], self.loads[b][k]
            change += (max(0.0, into_b + size[k] - cap[k]) - max(0.0, into_b - cap[k])
                       - max(0.0, from_a - cap[k]) + max(0.0, from_a - size[k] - cap[k])) / (cap[k] or 1)
        return change

    def place(self, i: int, w: int) -> None:
        self.ensure(w)
        old = self.wave[i]
        if old >= 0:
            self.members[old].discard(i)
            if old > 0:
                load = self.loads[old]
                for k, amount in enumerate(self.size[i]):
                    load[k] -= amount
        self.wave[i] = w
        self.members[w].add(i)
        if w > 0:
            load = self.loads[w]
            for k, amount in enumerate(self.size[i]):
                load[k] += amount


def exposure(g: Graph, state: Waves) -> int:
    """H at the group level (links inside a group never cross)."""
    wave = state.wave
    total = sum(pull * wave[i] for i, pull in enumerate(g.pull))
    for i, peers in enumerate(g.nbrs):
        total += sum(w * abs(wave[i] - wave[j]) for j, w in peers if j > i)
    return total


def construct(p: Problem, g: Graph, priority=PRIORITIES[0]) -> Waves:  # noqa: C901 - one greedy loop whose branches share the wave state
    """A first plan, wave by wave (see the module docstring)."""
    n = len(p.groups)
    state = Waves(p)
    cap = p.capacity
    share = [max(s.servers / cap.servers, s.vcpu / cap.vcpu, s.tb / cap.tb if cap.tb else 0.0, 1e-6)
             for s in p.sizes]
    total = [g.pull[i] + sum(w for _, w in g.nbrs[i]) for i in range(n)]
    placed = list(g.pull)
    version = [0] * n
    released = [False] * n
    remaining = [len(p.preds[i]) for i in range(n)]
    earliest = list(p.lo)
    ready: list[tuple[int, float, int, int]] = []
    waiting: list[tuple[int, int]] = []
    deadline: dict[int, list[int]] = {}
    for i in range(n):
        if p.hi[i] < UNBOUNDED:
            deadline.setdefault(p.hi[i], []).append(i)

    def key(i: int) -> tuple[int, float, int, int]:
        return p.hi[i], -priority(placed[i], total[i]) / share[i], i, version[i]

    def release(i: int, w: int) -> None:
        if earliest[i] <= w:
            released[i] = True
            heapq.heappush(ready, key(i))
        else:
            heapq.heappush(waiting, (earliest[i], i))

    def put(i: int, w: int) -> None:
        state.place(i, w)
        for j, weight in g.nbrs[i]:
            if state.wave[j] < 0:
                placed[j] += weight
                version[j] += 1
                if released[j]:
                    heapq.heappush(ready, key(j))
        for j, gap in p.succs[i]:
            earliest[j] = max(earliest[j], w + gap)
            remaining[j] -= 1
            if not remaining[j] and state.wave[j] < 0:
                release(j, w)

    for i in range(n):
        if p.hi[i] == 0:
            put(i, 0)
    for i in range(n):
        if state.wave[i] < 0 and not remaining[i]:
            release(i, 1)
    left = sum(1 for i in range(n) if state.wave[i] < 0)
    w = 0
    limit = max([lo for lo in p.lo] + [0]) + n + 2
    while left:
        w += 1
        if w > limit:
            raise AssertionError("wave construction did not converge")  # a bug, not an input problem
        state.ensure(w)
        while waiting and waiting[0][0] <= w:
            _, i = heapq.heappop(waiting)
            released[i] = True
            heapq.heappush(ready, key(i))
        deferred, misses = [], 0
        while ready and misses <= MISS_LIMIT:
            entry = heapq.heappop(ready)
            i = entry[2]
            if state.wave[i] >= 0 or entry[3] != version[i]:
                continue
            if state.fits(i, w):
                put(i, w)
                left -= 1
                misses = 0
            else:
                deferred.append(entry)
                misses += 1
        for entry in deferred:
            heapq.heappush(ready, entry)
        late = [i for i in deadline.get(w, ()) if state.wave[i] < 0]
        if late:
            raise InfeasiblePlan([Infeasibility(
                p.hi_why[i][0] or "wave capacity",
                f"move group {p.groups[i].id} must move by wave {w} ({p.hi_why[i][1]}), but waves {p.lo[i]}–{w} "
                "are full with what must move before it", p.groups[i].servers) for i in late])
    return state
