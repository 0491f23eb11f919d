"""What `carelift plan landing` proposes for subnets the placement needs and the stack lacks.

A missing subnet of an existing spoke is carved from the spoke's free address space; a missing
spoke gets an address space from ``network.spokeAddressPool`` (never overlapping the hub, other
spokes, on-premises ranges or another proposal) holding all its subnets. Each subnet is sized for
the servers it receives plus ``landing.growthPercent``, plus Azure's five reserved addresses, at
least /29 (Azure's smallest useful subnet).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from infra.config import StackConfig
from migrate.landing.placement import AZURE_RESERVED, Placement

SMALLEST = 29


@dataclass(frozen=True)
class Proposal:
    spokes: tuple[dict, ...]
    """New spokes in the stack's ``network.spokes`` shape."""
    subnets: tuple[dict, ...]
    """New subnets of existing spokes: ``{spoke, name, addressPrefix}``."""
    problems: tuple[str, ...]


def prefix_for(servers: int, growth_percent: int) -> int:
    """The longest prefix whose usable addresses hold the servers and their growth."""
    needed = math.ceil(servers * (100 + growth_percent) / 100) + AZURE_RESERVED
    return min(SMALLEST, 32 - max(3, math.ceil(math.log2(max(needed, 1)))))


def _v4(text: str) -> ipaddress.IPv4Network:
    # The stack config admits IPv4 ranges only (infra.config refuses others), so the proposal works in IPv4.
    return ipaddress.IPv4Network(text)


def _first_free(parent: ipaddress.IPv4Network, prefix: int,
                used: list[ipaddress.IPv4Network]) -> ipaddress.IPv4Network | None:
    if prefix < parent.prefixlen:
        return None
    for candidate in parent.subnets(new_prefix=prefix):
        if not any(candidate.overlaps(u) for u in used):
            return candidate
    return None


def propose(placement: Placement, config: StackConfig) -> Proposal:
    growth = config.landing.growth_percent if config.landing else 50
    network = config.network
    spokes = {s.name: s for s in network.spokes}
    taken = [_v4(n) for n in (network.hub.address_space, *(s.address_space for s in network.spokes),
                                               *network.on_premises_address_spaces)]
    missing_subnets: dict[str, list[tuple[str, int]]] = {}
    for use in placement.uses:
        if use.address_prefix is None:
            missing_subnets.setdefault(use.spoke, []).append((use.subnet, prefix_for(len(use.servers), growth)))
    new_spokes, new_subnets, problems = [], [], []
    for spoke_name, wanted in sorted(missing_subnets.items()):
        if spoke_name in spokes:
            space = _v4(spokes[spoke_name].address_space)
            used = [_v4(s.address_prefix) for s in spokes[spoke_name].subnets]
            for subnet, prefix in sorted(wanted, key=lambda w: (w[1], w[0])):
                block = _first_free(space, prefix, used)
                if block is None:
                    problems.append(f"spoke {spoke_name} ({space}) has no free /{prefix} for subnet {subnet}: widen "
                                    f"the spoke or send the servers elsewhere")
                    continue
                used.append(block)
                new_subnets.append({"spoke": spoke_name, "name": subnet, "addressPrefix": str(block)})
            continue
        total = sum(2 ** (32 - prefix) for _, prefix in wanted)
        space_prefix = 32 - math.ceil(math.log2(total))
        block = None
        for pool in (_v4(p) for p in network.spoke_address_pool):
            block = _first_free(pool, space_prefix, taken)
            if block is not None:
                break
        if block is None:
            problems.append(f"spoke {spoke_name} needs a /{space_prefix} and network.spokeAddressPool "
                            + ("has no free one" if network.spoke_address_pool else "is not set"))
            continue
        taken.append(block)
        used, subnets = [], []
        for subnet, prefix in sorted(wanted, key=lambda w: (w[1], w[0])):
            sub = _first_free(block, prefix, used)
            # The spoke's space was sized as the sum of its subnets (powers of two), so each one fits.
            assert sub is not None, f"no /{prefix} left in {block} for {subnet}"
            used.append(sub)
            subnets.append({"name": subnet, "addressPrefix": str(sub)})
        new_spokes.append({"name": spoke_name, "addressSpace": str(block), "subnets": subnets})
    return Proposal(tuple(new_spokes), tuple(new_subnets), tuple(problems))
