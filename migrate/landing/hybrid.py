"""Firewall rules and NSG allowances for the hybrid period, wave by wave, from the plan's crossing links.

A crossing link joins a server that has moved to one that has not. From the cutover of the wave that
moves the first end until the wave that moves the second, the hub firewall must pass exactly that
flow: the on-premises server's own address(es) and the landing subnet of the moved end, the link's
protocol and port, nothing wider. When the moved end receives the connection, its subnet's NSG
needs the same allowance above its deny-all. Each rule says when it can go: after the wave in which
both ends have moved.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Mapping

from infra.config.hybrid import NSG_DESCRIPTION_MAX, hybrid_period_over
from migrate.landing.placement import Placement, ServerFacts

_NEED = re.compile(r"firewall rule (tcp|udp)/(\d+)", re.I)


def nsg_description(text: str) -> str:
    """An NSG allowance's description: Azure keeps at most 140 characters, so a longer text is cut with '...'.
    Before it, only the names (allow-wNN, allow-sNN, allow-pNN, allow-eNN) told the kinds apart."""
    return text if len(text) <= NSG_DESCRIPTION_MAX else text[:NSG_DESCRIPTION_MAX - 3].rstrip() + "..."


@dataclass(frozen=True)
class Skipped:
    link: str
    reason: str


@dataclass(frozen=True)
class HybridPlan:
    waves: tuple[dict[str, Any], ...]
    """``network.hybridWaves`` entries of the landing overlay."""
    skipped: tuple[Skipped, ...]
    ended: tuple[int, ...] = ()
    """Waves whose hybrid period is over (``landing.completedWave``): left out with their NSG allowances."""


def without_ended(hybrid: HybridPlan, completed_wave: int | None) -> HybridPlan:
    """The waves still split: a wave whose removeAfterWave is signed off (``carelift:landing.completedWave``)
    leaves the overlay whole, its firewall rules and NSG allowances together (as the stack drops it)."""
    over = [w for w in hybrid.waves if hybrid_period_over(int(w["removeAfterWave"]), completed_wave)]
    return HybridPlan(tuple(w for w in hybrid.waves if w not in over), hybrid.skipped,
                      tuple(int(w["wave"]) for w in over))


def _protocol(link: Mapping[str, Any]) -> str:
    for need in link.get("needs") or []:
        match = _NEED.search(str(need))
        if match:
            return match.group(1).upper()
    return "TCP"


def ipv4_hosts(facts: ServerFacts | None) -> list[str]:
    """The server's IPv4 addresses from the inventory as /32s, sorted (an unparsable or IPv6 one left out)."""
    found = []
    for ip in (facts.ips if facts else ()):
        try:
            address = ipaddress.ip_address(str(ip).strip())
        except ValueError:
            continue
        if address.version == 4:
            found.append(f"{address}/32")
    return sorted(set(found), key=lambda a: ipaddress.ip_network(a))


def hybrid_rules(plan: Mapping[str, Any], placement: Placement, facts: Mapping[str, ServerFacts]) -> HybridPlan:
    """One firewall rule per (wave, direction, addresses, protocol), holding exactly its links' ports."""
    grouped: dict[tuple, dict[str, Any]] = {}
    skipped = []
    for link in plan.get("crossing_links") or []:
        source, destination = str(link["source"]), str(link["destination"])
        a, b = link.get("source_wave"), link.get("destination_wave")
        label = f"{source} -> {destination} port {link.get('port')}"
        if a is None or b is None or a == b:
            skipped.append(Skipped(label, "both ends move together or one never moves"))
            continue
        moved, stays = (source, destination) if a < b else (destination, source)
        first, last = min(a, b), max(a, b)
        target = placement.targets.get(moved)
        if target is None:
            skipped.append(Skipped(label, f"{moved} lands on no VM subnet, so its Azure address range is not "
                                          f"known here"))
            continue
        on_prem = ipv4_hosts(facts.get(stays))
        if not on_prem:
            skipped.append(Skipped(label, f"the inventory holds no IPv4 address for {stays}: no exact rule can be "
                                          f"written (never a wildcard)"))
            continue
        inbound = moved == destination  # the moved end receives the connection
        sources, destinations = (on_prem, [target.address_prefix]) if inbound else ([target.address_prefix], on_prem)
        protocol = _protocol(link)
        key = (first, tuple(sources), tuple(destinations), protocol, inbound, target.spoke, target.subnet)
        entry = grouped.setdefault(key, {"ports": set(), "links": [], "last": first})
        entry["ports"].add(int(link["port"]))
        entry["links"].append((source, destination, a, b))
        entry["last"] = max(entry["last"], last)
    return HybridPlan(_waves(grouped), tuple(skipped))


def _waves(grouped: Mapping[tuple, Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Each wave's rules and NSG allowances from the links grouped by (wave, addresses, protocol, direction)."""
    waves: dict[int, dict[str, Any]] = {}
    for key, entry in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1:])):
        first, sources, destinations, protocol, inbound, spoke, subnet = key
        wave = waves.setdefault(first, {"wave": first, "removeAfterWave": first, "rules": [], "allowances": []})
        wave["removeAfterWave"] = max(wave["removeAfterWave"], entry["last"])
        ports = [str(p) for p in sorted(entry["ports"])]
        ends = sorted({f"{s} (wave {sa}) -> {d} (wave {db})" for s, d, sa, db in entry["links"]})
        name = f"w{first:02d}-{len(wave['rules']) + 1:03d}-{'in' if inbound else 'out'}"
        wave["rules"].append({
            "name": name, "protocol": protocol, "sources": list(sources), "destinations": list(destinations),
            "ports": ports,
            "description": _description(ends, entry["last"]),
        })
        if inbound:
            links = sorted({f"{s} -> {d}" for s, d, _, _ in entry["links"]})
            more = f" and {len(links) - 1} more" if len(links) > 1 else ""
            wave["allowances"].append({"spoke": spoke, "subnet": subnet, "name": f"allow-{name}",
                                       "protocol": protocol, "sources": list(sources), "ports": ports,
                                       "description": nsg_description(f"Hybrid from wave {first}, not needed after "
                                                                      f"wave {entry['last']}: {links[0]}{more}")})
    return tuple(waves[w] for w in sorted(waves))


def _description(ends: list[str], last: int) -> str:
    shown = "; ".join(ends[:3]) + (f"; and {len(ends) - 3} more link(s)" if len(ends) > 3 else "")
    text = f"Split dependency {shown}. Both ends have moved after wave {last}."
    return text[:1000]
