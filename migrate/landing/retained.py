"""Permanent hybrid rules: links between a server that lands in Azure and one that stays on premises for good.

The hybrid rules (`hybrid.py`) carry a link only until its second end moves, and the steady-state
rules (`steady.py`) only links whose two ends both land. A server the plan keeps on premises without
a wave (strategy retain: a lab analyser's interface box, a mainframe, a PACS/DICOM gateway next to its
modalities) is neither, so at cutover the migrated application would lose it. From the wave the
Azure end lands, for good:
- a hub firewall network rule per direction the link is used in: the on-premises server's own
  IPv4 address(es) from the inventory (/32) and the landed server's subnet prefix, the link's own
  protocol and port(s), nothing wider;
- where the landed end receives the connection, an inbound allowance on its subnet's NSG.
Descriptions say "Permanent: <server> stays on premises (<strategy>)".

A link to a retired server gets no rule (nothing answers there after the migration): counted, with
why. A link whose on-premises end has no IPv4 address in the inventory, or is not TCP/UDP on a port
1-65535, is listed with why (never a wildcard). A link to a server that moves but lands on no VM
subnet (replatformed onto a platform service) has no known Azure address here: listed too.

The rules go into the overlay's ``steadyStateWaves`` beside the links inside Azure (see `merge_waves`):
both are kept after the migration from their wave on, which is all the key tells the stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from migrate.inventory.model import Dependency
from migrate.landing.hybrid import Skipped, ipv4_hosts, nsg_description
from migrate.landing.placement import Placement, ServerFacts

PROTOCOLS = ("TCP", "UDP")
RETIRED = "retire"
PREFIX = "p"
"""Permanent rules are named pNN-NNN-in|out (allowances allow-pNN-...), beside the steady state's sNN-NNN:
how the runbook tells them apart in the stack's ``steadyStateWaves``."""
EXTERNAL_PREFIX = "e"
"""The permanent rules to endpoints outside the inventory (`external.py`): eNN-NNN-in|out, numbered apart
from the p.. ones, so the two kinds never share a name in one wave."""


def is_permanent(name: str) -> bool:
    """A rule or NSG allowance name of a permanent hybrid rule: to a server kept on premises
    (`retained_rules`) or to an endpoint outside the inventory (`external.external_rules`)."""
    return name.removeprefix("allow-")[:1] in (PREFIX, EXTERNAL_PREFIX)


@dataclass(frozen=True)
class RetainedPlan:
    waves: tuple[dict[str, Any], ...]
    """``network.steadyStateWaves`` entries (merged with the steady state's by `merge_waves`)."""
    skipped: tuple[Skipped, ...]
    """Links to a server kept on premises that get no rule, with why."""
    links: int
    """Links (landed end, on-premises end, protocol, port) that got a rule."""
    retired: int
    """Links (ends, protocol, port) between a landed server and a retired one: no rule, nothing answers there."""
    servers: int
    """On-premises servers those rules reach."""


def stays_on_premises(server: Mapping[str, Any]) -> bool:
    """The plan keeps the server on premises for good: no wave, and not retired (retain, or any other
    strategy the plan leaves out of the waves)."""
    return server.get("wave") is None and server.get("strategy") != RETIRED


def retained_rules(plan: Mapping[str, Any], placement: Placement, facts: Mapping[str, ServerFacts],
                   dependencies: Sequence[Dependency]) -> RetainedPlan:
    """One firewall rule per (wave, on-premises server, direction, landing subnet, protocol), holding exactly
    its links' ports, and the NSG allowance of each inbound one."""
    servers = plan.get("servers", {})
    grouped: dict[tuple, set[int]] = {}
    skipped: dict[str, Skipped] = {}
    ruled: set[tuple] = set()
    retired: set[tuple] = set()
    for d in dependencies:
        source, destination = servers.get(d.source), servers.get(d.destination)
        if source is None or destination is None or d.source == d.destination:
            continue  # an endpoint outside the plan (an address, a device): no server to place
        protocol = str(d.protocol or "").upper()
        link = (d.source, d.destination, protocol, int(d.port))
        for moved, stays, other in ((d.source, d.destination, destination), (d.destination, d.source, source)):
            own = servers[moved]
            if own.get("wave") is None:
                continue
            if other.get("wave") is None and other.get("strategy") == RETIRED:
                retired.add(link)
                continue
            if not stays_on_premises(other):
                continue
            label = f"{d.source} -> {d.destination} {d.protocol}/{d.port}"
            target = placement.targets.get(moved)
            if target is None:
                skipped[label] = Skipped(label, f"{moved} lands on no VM subnet, so its Azure address range is not "
                                                f"known here")
                continue
            if protocol not in PROTOCOLS:
                skipped[label] = Skipped(label, f"protocol {d.protocol!r}: a rule names TCP or UDP (never Any)")
                continue
            if not 1 <= int(d.port) <= 65535:
                skipped[label] = Skipped(label, f"port {d.port} is not 1-65535 (never '*')")
                continue
            if not ipv4_hosts(facts.get(stays)):
                skipped[label] = Skipped(label, f"the inventory holds no IPv4 address for {stays}: no exact rule "
                                                f"can be written (never a wildcard)")
                continue
            inbound = moved == d.destination  # the landed end receives the connection
            key = (int(own["wave"]), stays, str(other.get("strategy")), not inbound, target.spoke, target.subnet,
                   target.address_prefix, protocol, moved)
            grouped.setdefault(key, set()).add(int(d.port))
            ruled.add(link)
    return RetainedPlan(_waves(grouped, facts), tuple(skipped[k] for k in sorted(skipped)), len(ruled),
                        len(retired), len({key[1] for key in grouped}))


def _waves(grouped: Mapping[tuple, set[int]], facts: Mapping[str, ServerFacts]) -> tuple[dict[str, Any], ...]:
    """Group by (wave, on-premises server, direction, subnet, protocol): the landed servers of one subnet
    share their subnet's rule, each named in the description."""
    strategies = {key[1]: key[2] for key in grouped}
    regrouped = {(key[0], key[1], *key[3:]): ports for key, ports in grouped.items()}
    return permanent_waves(regrouped, PREFIX, lambda stays: ipv4_hosts(facts.get(stays)),
                           lambda stays: f"{stays} stays on premises ({strategies[stays]})", lambda stays: stays)


def permanent_waves(grouped: Mapping[tuple, set[int]], prefix: str, hosts: Callable[[str], list[str]],
                    why: Callable[[str], str], shown: Callable[[str], str]) -> tuple[dict[str, Any], ...]:
    """``steadyStateWaves`` entries of permanent rules to on-premises endpoints, from their links grouped by
    (wave, endpoint, outbound, spoke, subnet, subnet prefix, protocol, landed server) -> ports: one
    firewall rule per (wave, endpoint, direction, subnet, protocol) holding exactly its ports, the landed
    servers of one subnet sharing it, and the NSG allowance of each inbound one. ``hosts`` gives an
    endpoint's /32s, ``why`` the reason it is permanent, ``shown`` how the description names it; rules
    are named <prefix>NN-NNN-in|out (allowances allow-...)."""
    rules: dict[tuple, dict[str, Any]] = {}
    for key in sorted(grouped):
        entry = rules.setdefault(key[:-1], {"ports": set(), "landed": set()})
        entry["ports"] |= grouped[key]
        entry["landed"].add(key[-1])
    waves: dict[int, dict[str, Any]] = {}
    for key, entry in sorted(rules.items(), key=lambda kv: kv[0]):
        wave_number, peer, outbound, spoke, subnet, subnet_prefix, protocol = key
        wave = waves.setdefault(wave_number, {"wave": wave_number, "rules": [], "allowances": []})
        addresses = hosts(peer)
        ports = [str(p) for p in sorted(entry["ports"])]
        name = f"{prefix}{wave_number:02d}-{len(wave['rules']) + 1:03d}-{'out' if outbound else 'in'}"
        sources, destinations = ([subnet_prefix], addresses) if outbound else (addresses, [subnet_prefix])
        description = permanent_description(sorted(entry["landed"]), why(peer), shown(peer), f"{spoke}/{subnet}",
                                            outbound, wave_number)
        wave["rules"].append({"name": name, "protocol": protocol, "sources": sources, "destinations": destinations,
                              "ports": ports, "description": description})
        if not outbound:
            wave["allowances"].append({"spoke": spoke, "subnet": subnet, "name": f"allow-{name}",
                                       "protocol": protocol, "sources": list(addresses), "ports": ports,
                                       "description": permanent_allowance(why(peer), wave_number)})
    return tuple(waves[w] for w in sorted(waves))


def permanent_allowance(why: str, wave: int) -> str:
    """A permanent rule's NSG allowance description (140 characters at most): from which wave, and why."""
    return nsg_description(f"Permanent from wave {wave}: {why}")


def permanent_description(landed: list[str], why: str, peer: str, where: str, outbound: bool, wave: int) -> str:
    """The rule's description, at most 1,000 characters: Permanent: <why>. On-premises dependency <flow>, from
    wave N. (the landed servers named, the first three, then counted)."""
    shown = ", ".join(landed[:3]) + (f" and {len(landed) - 3} more" if len(landed) > 3 else "")
    flow = f"{where} ({shown}) -> {peer}" if outbound else f"{peer} -> {where} ({shown})"
    # The permanence comes first: a long list of servers is what the 1,000 characters cut, never it.
    text = f"Permanent: {why}. On-premises dependency {flow}, from wave {wave}."
    return text[:1000]


def merge_waves(*kinds: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The overlay's ``steadyStateWaves``: per wave, the rules and allowances of each kind in the order
    given (steady state, then permanent hybrid); their names differ by prefix (s.., p..)."""
    merged: dict[int, dict[str, Any]] = {}
    for waves in kinds:
        for wave in waves:
            entry = merged.setdefault(int(wave["wave"]), {"wave": int(wave["wave"]), "rules": [], "allowances": []})
            entry["rules"] += list(wave["rules"])
            entry["allowances"] += list(wave["allowances"])
    return tuple(merged[w] for w in sorted(merged))
