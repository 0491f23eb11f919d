"""On-premises endpoints grouped into as few permanent rules as stay exact.

One rule and one NSG allowance per on-premises endpoint does not scale: an imaging department with
hundreds of modalities on one subnet, or a subnet whose servers talk to forty retained boxes on the same
port, would reach an NSG's 1,000 rules (`infra.landing_overlay.limit_problems` refuses at 996
allowances) long before its addresses mattered. So the endpoints that share everything else a rule says
— wave, direction, landing subnet, protocol and **the same port set** — go into one rule (their sorted
/32s on the on-premises side, the landing subnet on the other). Both kinds of permanent rule use it:
addresses outside the inventory (`external`, one /32 each) and servers kept on premises (`retained`,
each with its inventory's IPv4 /32s).

Grouping only endpoints whose ports are the same keeps every rule exact: each (address, port) pair of
its cross product is a link of the export, between an endpoint holding that address and a server landed
on that subnet, in that direction, in that wave. Endpoints with different port sets get rules of their
own (a printer on 9100 and one on 9100 and 515 are two rules: putting them together would open 515 to
the first). An address two endpoints of one group share is listed once.

A rule holds at most what Azure allows per rule: `FIREWALL_MAX_RULE_ADDRESSES` addresses in a firewall
rule's side, `NSG_MAX_PREFIXES` in an NSG allowance's sources (an inbound rule has both, so the smaller
bounds it). Beyond that the numerically sorted addresses are cut in order into consecutive chunks, so the
same links always give the same rules.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Hashable, Mapping, Sequence

from infra.landing_overlay import FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES
from migrate.landing.hybrid import nsg_description

SHOWN = 3
"""Endpoints a grouped rule's description names before "and N more" (the overlay holds them all)."""

Describe = Callable[[Sequence[Any], Sequence[str], tuple[int, int]], tuple[str, str]]
"""(endpoints of one rule, in the order of their first address; its /32s; (part, of parts)) -> (why the rule
is permanent, how its description names the on-premises side)."""


def grouped_waves(per_endpoint: Mapping[tuple, Mapping[str, set]], prefix: str,
                  hosts: Callable[[Any], Sequence[str]], describe: Describe,
                  max_rule: int = FIREWALL_MAX_RULE_ADDRESSES,
                  max_allowance: int = NSG_MAX_PREFIXES) -> tuple[dict[str, Any], ...]:
    """``steadyStateWaves`` entries from links grouped per on-premises endpoint: (wave, outbound, spoke,
    subnet, subnet prefix, protocol, endpoint) -> {"ports": {int}, "landed": {server}}; ``hosts`` gives an
    endpoint's /32s. One rule per (wave, direction, subnet, protocol, port set) and chunk of at most
    ``max_rule`` addresses (``max_allowance`` when inbound: the rule's NSG allowance holds the same sources),
    named <prefix>NN-NNN-in|out in the order of their first address; ``describe`` says why and names them."""
    groups: dict[tuple, dict[str, tuple[set[Hashable], set[str]]]] = {}
    for key, entry in per_endpoint.items():
        *flow, endpoint = key
        members = groups.setdefault((*flow, tuple(sorted(entry["ports"]))), {})
        for host in hosts(endpoint):
            owners, reached_from = members.setdefault(host, (set(), set()))
            owners.add(endpoint)
            reached_from |= set(entry["landed"])
    chunks = []
    for key, members in groups.items():
        wave, outbound = key[0], key[1]
        size = max(1, max_rule if outbound else min(max_rule, max_allowance))
        ordered = sorted(members, key=ipaddress.ip_network)
        parts = [ordered[i:i + size] for i in range(0, len(ordered), size)]
        for n, part in enumerate(parts, 1):
            # (wave, first address, outbound, spoke, subnet, prefix, protocol, ports): unique per chunk.
            chunks.append(((wave, ipaddress.ip_network(part[0]), outbound, *key[2:]), part, members, (n, len(parts))))
    waves: dict[int, dict[str, Any]] = {}
    for (wave_number, _, outbound, spoke, subnet, subnet_prefix, protocol, ports), part, members, piece in sorted(
            chunks, key=lambda c: c[0]):
        wave = waves.setdefault(wave_number, {"wave": wave_number, "rules": [], "allowances": []})
        endpoints: list[Any] = []
        for host in part:
            endpoints += [e for e in sorted(members[host][0], key=str) if e not in endpoints]
        landed = sorted(set().union(*(members[host][1] for host in part)))
        name = f"{prefix}{wave_number:02d}-{len(wave['rules']) + 1:03d}-{'out' if outbound else 'in'}"
        sources, destinations = ([subnet_prefix], list(part)) if outbound else (list(part), [subnet_prefix])
        shown_ports = [str(p) for p in ports]
        why, peer = describe(endpoints, part, piece)
        wave["rules"].append({"name": name, "protocol": protocol, "sources": sources, "destinations": destinations,
                              "ports": shown_ports,
                              "description": permanent_description(landed, why, peer, f"{spoke}/{subnet}", outbound,
                                                                   wave_number)})
        if not outbound:
            wave["allowances"].append({"spoke": spoke, "subnet": subnet, "name": f"allow-{name}",
                                       "protocol": protocol, "sources": list(part), "ports": shown_ports,
                                       "description": permanent_allowance(why, wave_number)})
    return tuple(waves[w] for w in sorted(waves))


def counted(endpoints: Sequence[str], piece: tuple[int, int]) -> str:
    """The first few endpoints of a rule, "and N more", and which part it is when the group was cut."""
    more = f" and {len(endpoints) - SHOWN} more" if len(endpoints) > SHOWN else ""
    part = f"; part {piece[0]} of {piece[1]}, cut at the addresses Azure allows per rule" if piece[1] > 1 else ""
    return f"{', '.join(endpoints[:SHOWN])}{more}{part}"


def held(waves: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """The /32s permanent rules hold on their on-premises side and their NSG allowances in their sources: with
    endpoints grouped, a rule holds many; an address used on two flows counts in each."""
    rules = sum(len(r["destinations"] if r["name"].endswith("-out") else r["sources"])
                for w in waves for r in w["rules"])
    return rules, sum(len(a["sources"]) for w in waves for a in w["allowances"])


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
