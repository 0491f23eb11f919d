"""Firewall rules and NSG allowances for links inside Azure, from the wave in which both ends have landed.

The hybrid rules (`hybrid.py`) carry a link only while it is split across the ExpressRoute/VPN. Once
both ends have moved, every landing subnet's NSG still ends in an explicit deny-all inbound, and
spokes reach one another only through the hub firewall (their route tables send everything leaving
the VNet there), so without these rules the EHR could not reach its database after cutover:
- every link gets an inbound allowance on its destination subnet's NSG, same-subnet links included
  (the NSG applies to traffic within its subnet too);
- a link between two spokes also gets a hub firewall network rule; within one spoke (two subnets of
  one VNet) traffic never leaves the VNet, so the NSG is all it meets.
Addresses are the two ends' landing subnets: a server's address in Azure is not known before it
lands (the hybrid rules use the same prefix for the moved end). Protocol and port are the link's own;
links that share waves, subnets and protocol share a rule with exactly their ports. Each rule belongs
to the later of the two ends' waves and stays after the migration (steady state).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from migrate.inventory.model import Dependency
from migrate.landing.hybrid import Skipped, nsg_description
from migrate.landing.placement import Placement

PROTOCOLS = ("TCP", "UDP")


@dataclass(frozen=True)
class SteadyPlan:
    waves: tuple[dict[str, Any], ...]
    """``network.steadyStateWaves`` entries of the landing overlay."""
    skipped: tuple[Skipped, ...]
    """Links between two landed servers that get no rule, with why."""
    links: int
    """Links whose two ends both land on a subnet (each counted once per port and protocol)."""


def steady_rules(plan: Mapping[str, Any], placement: Placement, dependencies: Sequence[Dependency]) -> SteadyPlan:
    """One NSG allowance per (wave, source subnet, destination subnet, protocol), holding exactly its links'
    ports, and a firewall rule with the same addresses and ports where the two subnets are in different spokes.

    Only links whose two ends both have a landing target count: a server that stays on premises has
    its hybrid rule, and one that lands on no VM subnet (or is not in the plan) has no known address."""
    servers = plan.get("servers", {})
    grouped: dict[tuple, dict[str, Any]] = {}
    skipped: list[Skipped] = []
    links = set()
    for d in dependencies:
        source, destination = placement.targets.get(d.source), placement.targets.get(d.destination)
        if source is None or destination is None or d.source == d.destination:
            continue
        label = f"{d.source} -> {d.destination} {d.protocol}/{d.port}"
        protocol = str(d.protocol or "").upper()
        if protocol not in PROTOCOLS:
            skipped.append(Skipped(label, f"protocol {d.protocol!r}: a rule names TCP or UDP (never Any)"))
            continue
        if not 1 <= int(d.port) <= 65535:
            skipped.append(Skipped(label, f"port {d.port} is not 1-65535 (never '*')"))
            continue
        waves = (servers[d.source]["wave"], servers[d.destination]["wave"])
        links.add((d.source, d.destination, protocol, int(d.port)))
        key = (max(waves), source.spoke, source.subnet, source.address_prefix, destination.spoke,
               destination.subnet, destination.address_prefix, protocol)
        entry = grouped.setdefault(key, {"ports": set(), "links": set()})
        entry["ports"].add(int(d.port))
        entry["links"].add(f"{d.source} (wave {waves[0]}) -> {d.destination} (wave {waves[1]})")
    return SteadyPlan(_waves(grouped), tuple(skipped), len(links))


def _waves(grouped: Mapping[tuple, Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    waves: dict[int, dict[str, Any]] = {}
    for key, entry in sorted(grouped.items(), key=lambda kv: kv[0]):
        wave_number, spoke_a, subnet_a, prefix_a, spoke_b, subnet_b, prefix_b, protocol = key
        wave = waves.setdefault(wave_number, {"wave": wave_number, "rules": [], "allowances": []})
        ports = [str(p) for p in sorted(entry["ports"])]
        name = f"s{wave_number:02d}-{len(wave['allowances']) + 1:03d}"
        description = _description(sorted(entry["links"]), wave_number, f"{spoke_a}/{subnet_a}",
                                   f"{spoke_b}/{subnet_b}")
        if spoke_a != spoke_b:  # spoke to spoke crosses the hub firewall
            wave["rules"].append({"name": name, "protocol": protocol, "sources": [prefix_a],
                                  "destinations": [prefix_b], "ports": ports, "description": description})
        wave["allowances"].append({"spoke": spoke_b, "subnet": subnet_b, "name": f"allow-{name}",
                                   "protocol": protocol, "sources": [prefix_a], "ports": ports,
                                   "description": nsg_description(
                                       f"Steady state from wave {wave_number}: {spoke_a}/{subnet_a} -> "
                                       f"{spoke_b}/{subnet_b}, {len(entry['links'])} server pair(s) inside Azure")})
    return tuple(waves[w] for w in sorted(waves))


def _description(ends: list[str], wave: int, source: str, destination: str) -> str:
    shown = "; ".join(ends[:3]) + (f"; and {len(ends) - 3} more link(s)" if len(ends) > 3 else "")
    text = f"Landed dependency {source} -> {destination}: {shown}. Both ends are in Azure from wave {wave}."
    return text[:1000]
