"""Why a move group is in its wave: the rules and links that put it there, as sentences."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from migrate.planning.groups import NON_PRODUCTION
from migrate.planning.model import MoveGroup

if TYPE_CHECKING:
    from migrate.planning.build import Plan


class WaveReasons:
    """Sentences saying which rules and links put a move group in its wave."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.settings = plan.settings
        self.wave_of_group = plan.assignment.waves
        self.group_of = {server: g.id for g in plan.groups for server in g.servers}
        self.app_env_waves: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for g in plan.groups:
            for app in g.applications:
                self.app_env_waves[app][g.environment or ""].add(self.wave_of_group[g.id])
        # Heaviest links from each group to other groups: what pulls it towards its neighbours.
        self.peers: dict[str, Counter] = defaultdict(Counter)
        for d in plan.links:
            a, b = self.group_of.get(d.source), self.group_of.get(d.destination)
            if a and b and a != b:
                self.peers[a][b] += d.weight
                self.peers[b][a] += d.weight

    def of(self, group: MoveGroup, wave: int) -> list[str]:
        s, out = self.settings, []
        shared = [f"{name} ({self.plan.shared[name]})" for name in group.servers if name in self.plan.shared]
        if shared:
            out.append(f"foundation: extended infrastructure {', '.join(shared)}")
        hubs = [name for name in group.servers if name in self.plan.hubs]
        if hubs:
            out.append(f"hub {', '.join(hubs)} ({self.plan.hubs[hubs[0]]}): planned like any application under "
                       "every rule, placed by the optimiser; its links count in H while they cross")
        for i, pin in enumerate(s.pins):
            if self._pinned(pin, group):
                target = f"wave {pin.wave}" if pin.wave is not None else f"after application {pin.after}"
                who = pin.server or ((pin.application or "") + (f" {pin.environment}" if pin.environment else ""))
                out.append(f"pins[{i}]: {who} → {target}")
        if wave == 1 and s.pilot_wave and not group.tier0 and not group.phi:
            out.append("pilot wave (pilot_wave): low-risk systems, no PHI and no tier-0/1 server, move first")
        if group.tier0:
            out.append(f"tier-0 clinical system: not before wave {s.tier0_not_before_wave}, "
                       f"at most {s.wave.max_tier0_cutovers} tier-0 cutover(s) per wave")
        if group.environment == "prd":
            for app in group.applications:
                earlier = sorted({w for env, waves in self.app_env_waves[app].items() if env in NON_PRODUCTION
                                  for w in waves})
                if earlier:
                    out.append(f"production of {app} after its non-production environments "
                               f"(wave{'s' if len(earlier) > 1 else ''} {', '.join(map(str, earlier))})")
        for peer, weight in sorted(self.peers[group.id].items(), key=lambda kv: (-kv[1], kv[0]))[:3]:
            peer_wave = self.wave_of_group[peer]
            where = "same wave" if peer_wave == wave else f"wave {peer_wave}"
            out.append(f"linked to {peer} ({where}) with weight {weight}")
        return out

    def _pinned(self, pin, group: MoveGroup) -> bool:
        if pin.server is not None:
            return any(pin.server.lower() == name.lower() for name in group.servers)
        return any(pin.application.lower() == app.lower() for app in group.applications) and \
            (pin.environment is None or pin.environment == group.environment)
