"""Local improvement of a wave plan: moves, swaps and ejections that lower H, whole waves
reordered, then kicks and a polish of several-for-several exchanges.

For one group, the cost of a wave b is c(b) = pull × b + Σ W_ij × |b − wave_j|: convex, minimal
at the weighted median of its neighbours' waves (the foundation's pull sits at wave 0). Candidate
waves are tried from that median outwards, while cheaper than the group's wave:
- a move, when the wave has room;
- otherwise an exchange with a group k of that wave: k takes the group's old wave (a swap) or
  the best other wave with room for it, possibly a new last wave (an ejection), when the total
  H falls — H comes before the number of waves;
- failing both, a move together with its most linked neighbour of the same wave (a heavy link
  pins each of two groups to the other, so neither moves alone).
A move is allowed only inside the group's window — its [lo, hi] and the waves of its
predecessors and successors — so every rule keeps holding. Groups are revisited only when
something near them changed: a neighbour, a predecessor or successor moved, or room opened in a
wave they wanted. Empty waves are closed when every group above may move one wave earlier, and
whole waves move to another position while that lowers H (`waves_reorder`: a full wave whose
groups all want the same neighbour never moves one group at a time).
Small problems then get kicks (iterated local search): one to three random moves — to any
allowed wave, a new last wave included (at most WAVE_SLACK past the starting plan) — and a new
descent and reordering, walking on while H does not rise; the best plan met (lowest H, then
fewest waves) is kept. The random generator is seeded, so the result is deterministic.
The polish (`polish`, small problems) then exchanges several groups for several between two
neighbouring waves, Kernighan–Lin style (`_Search.repartition`), and closes waves whose groups
fit elsewhere at no cost in H (`_Search.close_wave`).
"""

from __future__ import annotations

import random
from bisect import bisect_right

from migrate.planning.constraints import Problem
from migrate.planning.waves_construct import Graph, Waves, exposure
from migrate.planning.waves_reorder import WaveOrder

IMPROVE_ROUNDS = 8
"""Descents of `improve`, each followed by closing empty waves and reordering whole waves."""
SWAP_WAVES = 3
"""Cheapest candidate waves in which a blocked group looks for an exchange partner."""
SWAP_CANDIDATES = 24
"""Groups of one wave tried as exchange partners (in index order)."""
EJECT_SCAN = 4
"""Cheapest waves in which a group pushed out of a full wave looks for room."""
PAIR_SCAN = 4
"""Cheapest waves of each of two linked groups where they are tried together."""
KICK_ROUNDS = 3000
KICK_WORK = 1_000_000
"""Kicks: at most KICK_ROUNDS, fewer as the problem grows (none past KICK_WORK groups + links)."""
KICK_PATIENCE = 2000
"""Kicks stop after this many rounds in a row without a lower H."""
WAVE_SLACK = 3
"""Kicks may open waves up to this many past the plan they started from: room for an ordering
chain to spread, without walking a plateau of H into a plan twice as long."""


def improve(p: Problem, g: Graph, state: Waves, work: int) -> None:
    """Descend from `state` (in place) with at most about `work` cost evaluations, closing empty waves."""
    search = _Search(p, g, state, work)
    everything = [i for i in range(len(p.groups)) if search.movable[i]]
    dirty = everything
    for _ in range(IMPROVE_ROUNDS):
        search.descend(dirty)
        closed = _compact(p, state)
        if not search.reorder() and not closed:
            break
        search.costs.clear()
        dirty = everything


def polish(p: Problem, g: Graph, state: Waves, work: int) -> None:
    """Exchanges of several groups between neighbouring waves (`_Search.repartition`), each
    round followed by a descent and a reordering of whole waves, while H falls; then closes the
    waves whose groups fit elsewhere at no cost in H (`_Search.close_wave`). In place, within `work`."""
    search = _Search(p, g, state, work)
    everything = [i for i in range(len(p.groups)) if search.movable[i]]
    for _ in range(IMPROVE_ROUNDS):
        split = False
        for x in range(1, len(state.loads) - 1):
            if search.work <= 0:
                break
            split = search.repartition(x) or split
        if not split:
            break
        search.descend(everything)
        _compact(p, state)
        search.reorder()
        search.costs.clear()
    k = len(state.loads) - 1
    floor = max((w for i, w in enumerate(state.wave) if w == p.lo[i]), default=0)
    while k >= 1 and search.work > 0:
        if k < floor and k != len(state.loads) - 1:
            break  # below a group at its earliest wave nothing closes (close_wave)
        if search.close_wave(k):
            k = len(state.loads) - 1  # the waves moved: from the top again
            floor = max((w for i, w in enumerate(state.wave) if w == p.lo[i]), default=0)
        else:
            k -= 1


def kick(p: Problem, g: Graph, state: Waves, work: int, seed: int = 0) -> None:
    """Kicks and descents from `state` (in place), for small problems; then close empty waves.
    `seed` varies the random walk between the constructions that call it."""
    search = _Search(p, g, state, work)
    search.seed = seed
    search.kick()
    _compact(p, state)


class _Cost:
    """c(b) for one group, with its weighted median."""

    def __init__(self, g: Graph, state: Waves, i: int):
        items = sorted((state.wave[j], w) for j, w in g.nbrs[i])
        if g.pull[i]:
            items.insert(0, (0, g.pull[i]))
        self.xs = [x for x, _ in items]
        cw, cwx = [0], [0]
        for x, w in items:
            cw.append(cw[-1] + w)
            cwx.append(cwx[-1] + w * x)
        self.cw, self.cwx = cw, cwx
        half = cw[-1] / 2
        self.median = next((x for k, x in enumerate(self.xs) if cw[k + 1] >= half), 0)

    def __call__(self, b: int) -> int:
        k = bisect_right(self.xs, b)
        cw, cwx = self.cw, self.cwx
        return b * cw[k] - cwx[k] + (cwx[-1] - cwx[k]) - b * (cw[-1] - cw[k])

    def by_cost(self, low: int, high: int):
        """(wave, cost) for the waves in [low, high], cheapest first: walk out from the minimum."""
        start = min(max(self.median, low), high)
        left, right = start, start + 1
        c_left = self(left) if left >= low else None
        c_right = self(right) if right <= high else None
        while c_left is not None or c_right is not None:
            if c_right is None or (c_left is not None and c_left <= c_right):
                yield left, c_left
                left -= 1
                c_left = self(left) if left >= low else None
            else:
                yield right, c_right
                right += 1
                c_right = self(right) if right <= high else None


class _Search:
    def __init__(self, p: Problem, g: Graph, state: Waves, work: int):
        self.p, self.g, self.state = p, g, state
        self.movable = [lo < hi for lo, hi in zip(p.lo, p.hi, strict=True)]
        self.related = [{j for j, _ in p.preds[i]} | {j for j, _ in p.succs[i]} for i in range(len(p.groups))]
        self.blocked: dict[int, set[int]] = {}
        self.costs: dict[int, _Cost] = {}
        self.work = work
        self.seed = 0
        self.order = WaveOrder(p, g)

    def reorder(self) -> int:
        """Move whole waves while H falls (`waves_reorder`), charged to the budget; how much H fell."""
        if self.work <= 0:
            return 0
        before = self.order.spent
        gained = self.order.reorder(self.state, self.work)
        self.work -= self.order.spent - before
        if gained:
            self.costs.clear()
        return gained

    def cost(self, i: int) -> _Cost:
        found = self.costs.get(i)
        if found is None:
            found = self.costs[i] = _Cost(self.g, self.state, i)
            self.work -= len(found.xs) + 1
        return found

    def place(self, i: int, b: int) -> None:
        self.state.place(i, b)
        for j, _ in self.g.nbrs[i]:
            self.costs.pop(j, None)  # a group's costs depend on its neighbours' waves

    def window(self, i: int, beyond: bool = False) -> tuple[int, int]:
        """The waves group i may take given its rules and its neighbours in the precedence graph;
        `beyond` allows one wave after the last (a new wave)."""
        p, wave = self.p, self.state.wave
        low = max([p.lo[i]] + [wave[j] + gap for j, gap in p.preds[i]])
        high = min([p.hi[i], len(self.state.loads) - (0 if beyond else 1)] + [wave[j] - gap for j, gap in p.succs[i]])
        return low, high

    def descend(self, dirty: list[int]) -> None:
        """Improve the dirty groups, then whatever their changes touched, until nothing improves."""
        g = self.g
        while dirty and self.work > 0:
            touched: set[int] = set()
            for i in dirty:
                if self.work <= 0:
                    break
                for j, left in self.improve_one(i):
                    touched.update(self.blocked.pop(left, ()))  # room opened in the wave j left
                    touched.add(j)
                    touched.update(k for k, _ in g.nbrs[j])
                    touched.update(self.related[j])
            dirty = sorted(i for i in touched if self.movable[i])

    def repartition(self, x: int) -> bool:
        """Kernighan–Lin between waves x and x + 1: move their groups across one at a time, cheapest
        first even when H rises or a wave overflows, each group once; keep the prefix of moves with
        the lowest H that fits both waves. Finds exchanges of several groups for several, which no
        single move, swap or pair makes when the waves are full. True if H fell."""
        state, p = self.state, self.p
        y = x + 1
        # Groups without links cost the same in every wave: moving them changes nothing but room.
        pool = sorted(i for i in state.members[x] | state.members[y] if self.movable[i]
                      and (self.g.nbrs[i] or self.g.pull[i]))
        moved: list[tuple[int, int]] = []
        locked: set[int] = set()
        total = best_total = best_length = 0
        for _ in range(len(pool)):
            pick = None
            for i in pool:
                if i in locked:
                    continue
                a = state.wave[i]
                b = y if a == x else x
                low, high = self.window(i)
                if not low <= b <= high:
                    continue
                cost = self.cost(i)
                delta = cost(b) - cost(a)
                self.work -= 2
                # A move that overfills its wave more than it relieves the other comes last.
                key = (state.overflow_change(i, a, b) > 0, delta)
                if pick is None or key < pick[0]:
                    pick = (key, i, a, b)
            if pick is None:
                break
            (_, delta), i, a, b = pick
            self.place(i, b)
            locked.add(i)
            moved.append((i, a))
            total += delta
            if total < best_total and state.within(x) and state.within(y) \
                    and not (p.pilot and x == 1 and not state.members[1]):
                best_total, best_length = total, len(moved)
        for i, a in reversed(moved[best_length:]):
            self.place(i, a)
        return best_length > 0

    def close_wave(self, k: int) -> bool:
        """Empty wave k into the other waves without raising H (groups without links cost the same
        anywhere, and a kick's walk may have spread them), then close it: the last wave is dropped,
        a wave below it only when every group above may move one wave earlier (the waves above
        then move down, which never raises H). False, and nothing moved, if that cannot be done."""
        state, p = self.state, self.p
        top = len(state.loads) - 1
        # A group above k at its earliest wave cannot move down: then only the last wave closes.
        if k < 1 or k > top or (k < top and k < max((w for i, w in enumerate(state.wave) if w == p.lo[i]), default=0)):
            return False
        moved: list[int] = []
        for i in sorted(state.members[k], key=lambda i: (p.lo[i], i)):
            target = None
            if self.movable[i]:
                low, high = self.window(i)
                cost = self.cost(i)
                here = cost(k)
                for b, c in cost.by_cost(low, high):
                    self.work -= 1
                    if c > here:
                        break
                    if b != k and state.fits(i, b):
                        target = b
                        break
            if target is None:
                for j in reversed(moved):
                    self.place(j, k)
                return False
            self.place(i, target)
            moved.append(i)
        _compact(p, state)
        self.costs.clear()
        return True

    def improve_one(self, i: int) -> list[tuple[int, int]]:
        """Move group i to a cheaper wave if H falls; (group, wave it left) for what moved."""
        state = self.state
        a = state.wave[i]
        low, high = self.window(i)
        if low == high == a:
            return []
        cost = self.cost(i)
        here = cost(a)
        last_pilot = a == 1 and self.p.pilot and len(state.members[1]) == 1
        tried = 0
        for b, c in cost.by_cost(low, high):
            self.work -= 1
            if c >= here:
                break
            if b == a:
                continue
            if state.fits(i, b) and not last_pilot:
                self.place(i, b)
                return [(i, a)]
            self.blocked.setdefault(b, set()).add(i)
            if tried == SWAP_WAVES:
                continue
            tried += 1
            found = self.exchange(i, a, b, c - here, last_pilot)
            if found is not None:
                k, c_k = found
                self.place(i, b)
                self.place(k, c_k)
                return [(i, a), (k, b)]
        return self.move_pair(i, a, low, high)

    def move_pair(self, i: int, a: int, low: int, high: int) -> list[tuple[int, int]]:
        """Move i together with its most linked neighbour of the same wave, when that lowers H:
        a heavy link holds each of the two in place, so neither moves alone."""
        state, p = self.state, self.p
        partner, weight = None, 0
        for j, w in self.g.nbrs[i]:
            if w > weight and state.wave[j] == a and self.movable[j] and j not in self.related[i]:
                partner, weight = j, w
        if partner is None or (a == 1 and p.pilot and len(state.members[1]) == 2):
            return []
        j = partner
        low_j, high_j = self.window(j)
        low, high = max(low, low_j), min(high, high_j)
        cost_i, cost_j = self.cost(i), self.cost(j)
        here = cost_i(a) + cost_j(a)
        # Only the PAIR_SCAN cheapest waves of each group are scanned (zip stops there).
        waves = sorted({b for cost in (cost_i, cost_j) for b, _ in
                        (pair for _, pair in zip(range(PAIR_SCAN), cost.by_cost(low, high), strict=False))} - {a})
        best, best_cost = None, here
        size, cap = state.size, state.cap
        for b in waves:
            self.work -= 2
            # Each cost counted the i–j link with the other at a; together it does not stretch.
            together = cost_i(b) + cost_j(b) - 2 * weight * abs(b - a)
            load = state.loads[b]
            if together < best_cost and all(load[k] + size[i][k] + size[j][k] <= cap[k] for k in range(4)):
                best, best_cost = b, together
        if best is None:
            return []
        self.place(i, best)
        self.place(j, best)
        return [(i, a), (j, a)]

    def exchange(self, i: int, a: int, b: int, gain: int, last_pilot: bool) -> tuple[int, int] | None:
        """The group k of wave b, and its new wave, that make room for i in b at the lowest H:
        k takes i's wave (a swap) or its cheapest other wave with room (an ejection)."""
        state = self.state
        weights = None
        best, best_delta = None, 0
        for k in sorted(state.members[b])[:SWAP_CANDIDATES]:
            if not self.movable[k] or k in self.related[i] or not state.fits(i, b, leaving=k):
                continue
            # k may go to a new wave after the last: H first, then the number of waves.
            low, high = self.window(k, beyond=True)
            cost = self.cost(k)
            away = cost(b)
            if weights is None:
                weights = dict(self.g.nbrs[i])
            w_ik = weights.get(k, 0)

            def delta(c: int, cost=cost, away: int = away, w_ik: int = w_ik) -> int:  # this k's (B023)
                # The link i–k, if any, was counted with the other group unmoved in both gains.
                return gain + cost(c) - away + w_ik * (abs(b - c) - abs(c - a) + abs(b - a))

            self.work -= 2
            if low <= a <= high and a < len(state.loads) and delta(a) < best_delta and state.fits(k, a, leaving=i):
                best, best_delta = (k, a), delta(a)
            if last_pilot:
                continue  # i leaves the pilot wave: only a swap keeps it open
            for scanned, (c, c_k) in enumerate(cost.by_cost(low, high)):
                self.work -= 1
                if scanned == EJECT_SCAN or gain + c_k - away >= best_delta:
                    break  # c_k only grows from here, and the link term is never negative
                if c in (a, b) or delta(c) >= best_delta:
                    continue
                state.ensure(c)
                if not state.fits(k, c):
                    continue
                best, best_delta = (k, c), delta(c)
                break
        return best

    def kick(self) -> None:
        """Kick one to three random groups to random allowed waves and descend again; a result as
        good as the current one is kept to walk on (plateaus are common when few links cross),
        and the best one found is the answer."""
        p, g, state = self.p, self.g, self.state
        candidates = [i for i in range(len(p.groups)) if self.movable[i]]
        rounds = min(KICK_ROUNDS, KICK_WORK // (g.edges + len(p.groups) + 1))
        if not candidates or rounds <= 0:
            return
        rng = random.Random(len(p.groups) + self.seed)
        best = current = (exposure(g, state), len(state.loads))
        ceiling = len(state.loads) + WAVE_SLACK
        best_state = _snapshot(state)
        stale = 0
        for _ in range(rounds):
            if self.work <= 0 or stale == KICK_PATIENCE:
                break
            stale += 1
            saved = _snapshot(state)
            kicked = []
            for _ in range(rng.randint(1, 3)):
                i = rng.choice(candidates)
                a = state.wave[i]
                if a == 1 and p.pilot and len(state.members[1]) == 1:
                    continue
                # A kick may open a wave after the last: the best plan often has one more wave
                # than the construction made (an ordering chain needs room to spread).
                low, high = self.window(i, beyond=len(state.loads) < ceiling)
                top = len(state.loads)
                options = [b for b in range(low, high + 1) if b != a and (b == top or state.fits(i, b))]
                if options:
                    self.place(i, rng.choice(options))
                    kicked.append(i)
            if not kicked:
                continue
            self.blocked.clear()
            self.descend(sorted({k for i in kicked for k in [i] + [j for j, _ in g.nbrs[i]] if self.movable[k]}))
            while len(state.loads) > 1 and not state.members[-1]:  # a kick's new wave left empty
                state.loads.pop()
                state.members.pop()
            # The best plan: H first, then the number of waves.
            now = (exposure(g, state), len(state.loads))
            self.work -= len(p.groups) + g.edges
            if self.reorder():  # whole waves in a better order: descend again from there
                self.blocked.clear()
                self.descend(candidates)
                while len(state.loads) > 1 and not state.members[-1]:
                    state.loads.pop()
                    state.members.pop()
                now = (exposure(g, state), len(state.loads))
                self.work -= len(p.groups) + g.edges
            if now < best:
                best, best_state, stale = now, _snapshot(state), 0
            if now[0] <= current[0]:  # walk on while H does not rise (plateaus are common)
                current = now
            else:
                _restore(state, saved)
                self.costs.clear()
        _restore(state, best_state)
        self.costs.clear()


def _snapshot(state: Waves):
    return list(state.wave), [list(load) for load in state.loads], [set(m) for m in state.members]


def _restore(state: Waves, saved) -> None:
    state.wave, state.loads, state.members = (list(saved[0]), [list(load) for load in saved[1]],
                                              [set(m) for m in saved[2]])


def _compact(p: Problem, state: Waves) -> bool:
    """Close empty waves when every group above may move one wave earlier; True if any closed."""
    closed = False
    top = max(state.wave, default=0)
    for k in range(top - 1, 0, -1):
        if state.members[k]:
            continue
        above = [i for i, w in enumerate(state.wave) if w > k]
        if all(p.lo[i] <= state.wave[i] - 1 for i in above):
            for i in sorted(above, key=lambda i: state.wave[i]):
                state.place(i, state.wave[i] - 1)
            closed = True
    while len(state.loads) > 1 and not state.members[-1]:
        state.loads.pop()
        state.members.pop()
    return closed
