"""Reordering whole waves: a move that no single-group step can make.

The local search (`waves_improve`) moves one or two groups at a time. When a wave is full of
groups that all want the same neighbour, none of them can move alone: on the benchmark's
few-hundred-server estates a wave holding the laboratory system and PACS sat between the EHR and
the Citrix farm that the EHR talks to most, and the better plan had the two waves the other way
round. Moving a whole wave to another position keeps every capacity (its load moves with it), so
only the order rules need checking, at the wave level:

- a wave may take position b only if b is inside every member's [lo, hi];
- a wave holding a group that must move before (or with, as DR with production) a group of
  another wave stays before that wave;
- with `pilot_wave`, position 1 keeps a non-empty wave (the members' lo already keeps higher-risk
  groups out of it): wave 1 moves right only past a non-empty wave 2, and an empty wave never moves
  left into position 1. Wave 0, the foundation, never moves.

H at the wave level is Σ M[x][y] × |pos x − pos y|, with M the link weight between the groups of
waves x and y (wave 0 at position 0). Moving wave x one position past its neighbour z changes
only x's and z's distances to the rest: by (left of x − right of x) + (right of z − left of z),
each side excluding the pair, so every insertion position of every wave is priced in O(waves²)
per pass. The best move that lowers H is applied, until none does (at most MAX_PASSES).
"""

from __future__ import annotations

from migrate.planning.constraints import UNBOUNDED, Problem
from migrate.planning.waves_construct import Graph, Waves

MAX_PASSES = 50
"""Moves applied per call at most (each is a full pass over the waves)."""
REACH = 24
"""Positions a wave is walked at most, each way: a pass costs O(waves × REACH), not O(waves²),
on plans of a hundred waves and more."""


class WaveOrder:
    """The group-level links and order rules, flattened once for repeated `reorder` calls."""

    def __init__(self, p: Problem, g: Graph):
        self.p = p
        self.links = [(i, j, w) for i, peers in enumerate(g.nbrs) for j, w in peers if j > i]
        self.pull = [(i, w) for i, w in enumerate(g.pull) if w]
        self.order = [(i, j) for i, succs in enumerate(p.succs) for j, _ in succs]
        self.bounded = [i for i in range(len(p.groups)) if p.lo[i] > 1 or p.hi[i] < UNBOUNDED]
        self.spent = 0
        """Work done so far, in the optimiser's units (about one per link, rule and pair of waves)."""

    def reorder(self, state: Waves, budget: int = UNBOUNDED) -> int:
        """Move whole waves (not wave 0) while H falls, in place; the amount H fell. Stops once
        `budget` units are spent (`spent`)."""
        gained = 0
        start = self.spent
        for _ in range(MAX_PASSES):
            if self.spent - start >= budget:
                break
            found = self._best_move(state)
            if found is None:
                break
            delta, order = found
            _apply(state, order)
            gained -= delta
        return gained

    def _best_move(self, state: Waves) -> tuple[int, list[int]] | None:  # noqa: C901 - one scan, both directions
        count = len(state.loads)
        if count <= 2:
            return None
        p, wave, members = self.p, state.wave, state.members
        self.spent += count * min(count, 2 * REACH) + len(self.links) + len(self.pull) + len(self.order) + len(self.bounded)
        # Wave-level links; waves are numbered by position: x is at position x.
        links: list[dict[int, int]] = [{} for _ in range(count)]
        for i, j, weight in self.links:
            x, y = wave[i], wave[j]
            if x != y:
                row = links[x]
                row[y] = row.get(y, 0) + weight
                row = links[y]
                row[x] = row.get(x, 0) + weight
        for i, weight in self.pull:
            x = wave[i]
            if x:
                links[x][0] = links[x].get(0, 0) + weight
                links[0][x] = links[0].get(x, 0) + weight
        low = [1] * count
        high = [UNBOUNDED] * count
        for i in self.bounded:
            x = wave[i]
            if p.lo[i] > low[x]:
                low[x] = p.lo[i]
            if p.hi[i] < high[x]:
                high[x] = p.hi[i]
        after: list[set[int]] = [set() for _ in range(count)]
        for i, j in self.order:
            if wave[i] != wave[j]:
                after[wave[i]].add(wave[j])
        total = [sum(row.values()) for row in links]
        left = [sum(w for y, w in row.items() if y < x) for x, row in enumerate(links)]
        pilot = p.pilot
        best: tuple[int, int, int] | None = None  # (delta, wave, new position)
        for x in range(1, count):
            if low[x] == high[x]:
                continue  # pinned
            row = links[x]
            # Rightwards: x passes z = x+1, x+2, ...
            lx, delta, top, rules = left[x], 0, high[x], after[x]
            for z in range(x + 1, min(count, x + REACH + 1)):
                if z > top or z in rules or z - 1 < low[z] or (pilot and z == 2 and not members[z]):
                    break
                m = row.get(z, 0)
                delta += 2 * lx + m - total[x] + total[z] - 2 * left[z] + m
                lx += m
                if delta < 0 and (best is None or delta < best[0]):
                    best = (delta, x, z)
            # Leftwards: x passes z = x-1, x-2, ..., 1.
            lx, delta, bottom = left[x], 0, low[x]
            for z in range(x - 1, max(0, x - REACH - 1), -1):
                if z < bottom or x in after[z] or z + 1 > high[z] or (pilot and z == 1 and not members[x]):
                    break  # (an empty wave never takes the pilot wave's place)
                m = row.get(z, 0)
                delta += total[x] - 2 * lx + m + 2 * left[z] - total[z] + m
                lx -= m
                if delta < 0 and (best is None or delta < best[0]):
                    best = (delta, x, z)
        if best is None:
            return None
        delta, x, b = best
        order = [y for y in range(count) if y != x]
        order.insert(b, x)
        return delta, order


def reorder(p: Problem, g: Graph, state: Waves) -> int:
    """Move whole waves (not wave 0) while H falls, in place; the amount H fell."""
    return WaveOrder(p, g).reorder(state)


def _apply(state: Waves, order: list[int]) -> None:
    """order[k] is the old wave that takes position k (order[0] == 0)."""
    position = [0] * len(order)
    for k, x in enumerate(order):
        position[x] = k
    state.wave = [position[x] for x in state.wave]
    state.loads = [state.loads[x] for x in order]
    state.members = [state.members[x] for x in order]
