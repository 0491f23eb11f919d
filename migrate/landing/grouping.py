"""Addresses outside the inventory grouped into as few permanent rules as stay exact.

One rule and one NSG allowance per device address does not scale: an imaging department with hundreds
of modalities on one subnet would reach an NSG's 1,000 rules (`infra.landing_overlay.limit_problems`
refuses at 996 allowances) long before its addresses mattered. So the addresses that share everything
else a rule says — wave, direction, landing subnet, protocol and **the same port set** — go into one
rule (their sorted /32s on the on-premises side, the landing subnet on the other). Grouping only
addresses whose ports are the same keeps every rule exact: each (address, port) pair of its cross
product is a link of the export, between that address and a server landed on that subnet, in that
direction, in that wave. Addresses with different port sets get rules of their own (a printer on 9100
and one on 9100 and 515 are two rules: putting them together would open 515 to the first).

A rule holds at most what Azure allows per rule: `FIREWALL_MAX_RULE_ADDRESSES` addresses in a firewall
rule's side, `NSG_MAX_PREFIXES` in an NSG allowance's sources (an inbound rule has both, so the smaller
bounds it). Beyond that the sorted addresses are cut in order into consecutive chunks, so the same
links always give the same rules.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping

from infra.landing_overlay import FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES
from migrate.landing.retained import permanent_allowance, permanent_description

SHOWN = 3
"""Addresses a grouped rule's description names before "and N more" (the overlay holds them all)."""


def grouped_waves(per_address: Mapping[tuple, Mapping[str, set]], prefix: str, names: Mapping[str, set[str]],
                  max_rule: int = FIREWALL_MAX_RULE_ADDRESSES,
                  max_allowance: int = NSG_MAX_PREFIXES) -> tuple[dict[str, Any], ...]:
    """``steadyStateWaves`` entries from links grouped per address: (wave, outbound, spoke, subnet, subnet
    prefix, protocol, IPv4 address) -> {"ports": {int}, "landed": {server}}. One rule per (wave, direction,
    subnet, protocol, port set) and chunk of at most ``max_rule`` addresses (``max_allowance`` when inbound:
    the rule's NSG allowance holds the same sources), named <prefix>NN-NNN-in|out in the order of their first
    address; ``names`` are the names the export gave an address (by its /32)."""
    groups: dict[tuple, list[tuple[ipaddress.IPv4Address, set[str]]]] = {}
    for key, entry in per_address.items():
        *flow, address = key
        ports = tuple(sorted(entry["ports"]))
        groups.setdefault((*flow, ports), []).append((address, set(entry["landed"])))
    chunks = []
    for key, members in groups.items():
        wave, outbound = key[0], key[1]
        size = max(1, max_rule if outbound else min(max_rule, max_allowance))
        members.sort(key=lambda m: m[0])
        parts = [members[i:i + size] for i in range(0, len(members), size)]
        for n, part in enumerate(parts, 1):
            chunks.append(((wave, part[0][0], outbound, *key[2:]), part, (n, len(parts))))
    waves: dict[int, dict[str, Any]] = {}
    for (wave_number, _, outbound, spoke, subnet, subnet_prefix, protocol, ports), part, piece in sorted(
            chunks, key=lambda c: c[0]):
        wave = waves.setdefault(wave_number, {"wave": wave_number, "rules": [], "allowances": []})
        hosts = [f"{address}/32" for address, _ in part]
        landed = sorted(set().union(*(servers for _, servers in part)))
        name = f"{prefix}{wave_number:02d}-{len(wave['rules']) + 1:03d}-{'out' if outbound else 'in'}"
        sources, destinations = ([subnet_prefix], hosts) if outbound else (hosts, [subnet_prefix])
        shown_ports = [str(p) for p in ports]
        why, peer = _who(hosts, names, piece)
        wave["rules"].append({"name": name, "protocol": protocol, "sources": sources, "destinations": destinations,
                              "ports": shown_ports,
                              "description": permanent_description(landed, why, peer, f"{spoke}/{subnet}", outbound,
                                                                   wave_number)})
        if not outbound:
            wave["allowances"].append({"spoke": spoke, "subnet": subnet, "name": f"allow-{name}",
                                       "protocol": protocol, "sources": list(hosts), "ports": shown_ports,
                                       "description": permanent_allowance(why, wave_number)})
    return tuple(waves[w] for w in sorted(waves))


def _who(hosts: list[str], names: Mapping[str, set[str]], piece: tuple[int, int]) -> tuple[str, str]:
    """Why the rule is permanent and how its description names its addresses: one address as before (with
    the export's name for it), several by their count and the first few."""
    shown = [_shown(host, names.get(host, set())) for host in hosts[:SHOWN]]
    if len(hosts) == 1:
        return f"{shown[0].split(' ', 1)[0]} is not in the inventory (a device or unlisted server)", shown[0]
    more = f" and {len(hosts) - SHOWN} more" if len(hosts) > SHOWN else ""
    part = f"; part {piece[0]} of {piece[1]}, cut at the addresses Azure allows per rule" if piece[1] > 1 else ""
    return (f"{len(hosts)} addresses are not in the inventory (devices or unlisted servers)",
            f"{len(hosts)} addresses ({', '.join(shown)}{more}{part})")


def _shown(host: str, recorded: set[str]) -> str:
    """The address in a description, with the name the export gave it when it gave one."""
    address = host.removesuffix("/32")
    return f"{address} ({', '.join(sorted(recorded)[:3])})" if recorded else address
