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
The servers kept on premises that share wave, direction, landing subnet, protocol and the same port set
share one rule and one allowance (`grouping`, as the devices outside the inventory do: forty retained
boxes a subnet reaches on one port are one rule holding their /32s, not forty), cut at what Azure allows
per rule; named pNN-NNN-in|out. Descriptions say "Permanent: <server> stays on premises (<strategy>)" for
one server, "Permanent: N servers stay on premises (<strategies>)" naming the first three for several.

A link to a retired server gets no rule (nothing answers there after the migration): counted, with
why. A link whose on-premises end has no IPv4 address in the inventory, or is not TCP/UDP on a port
1-65535, is listed with why (never a wildcard). A link to a server that moves but lands on no VM
subnet (replatformed onto a platform service) has no known Azure address here: listed too.

The rules go into the overlay's ``steadyStateWaves`` beside the links inside Azure (see `merge_waves`):
both are kept after the migration from their wave on, which is all the key tells the stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from infra.landing_overlay import FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES
from migrate.inventory.model import Dependency
from migrate.landing.grouping import counted, grouped_waves, held
from migrate.landing.hybrid import Skipped, ipv4_hosts
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

    def held(self) -> tuple[int, int]:
        """The /32s the rules hold on their on-premises side and the NSG allowances in their sources
        (`grouping.held`)."""
        return held(self.waves)


def stays_on_premises(server: Mapping[str, Any]) -> bool:
    """The plan keeps the server on premises for good: no wave, and not retired (retain, or any other
    strategy the plan leaves out of the waves)."""
    return server.get("wave") is None and server.get("strategy") != RETIRED


def retained_rules(plan: Mapping[str, Any], placement: Placement, facts: Mapping[str, ServerFacts],
                   dependencies: Sequence[Dependency],
                   limits: tuple[int, int] = (FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES)) -> RetainedPlan:
    """One firewall rule per (wave, direction, landing subnet, protocol, port set) holding the sorted /32s of
    the servers kept on premises whose links have exactly those ports (at most ``limits``: addresses per
    firewall rule, per NSG allowance), and the NSG allowance of each inbound one (`grouping.grouped_waves`)."""
    servers = plan.get("servers", {})
    per_server: dict[tuple, dict[str, set]] = {}
    strategies: dict[str, str] = {}
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
            key = (int(own["wave"]), not inbound, target.spoke, target.subnet, target.address_prefix, protocol, stays)
            entry = per_server.setdefault(key, {"ports": set(), "landed": set()})
            entry["ports"].add(int(d.port))
            entry["landed"].add(moved)
            strategies[stays] = str(other.get("strategy"))
            ruled.add(link)
    # Servers sharing wave, direction, subnet, protocol and port set share a rule (`grouping`).
    waves = grouped_waves(per_server, PREFIX, lambda stays: ipv4_hosts(facts.get(stays)), _servers(strategies),
                          *limits)
    return RetainedPlan(waves, tuple(skipped[k] for k in sorted(skipped)), len(ruled), len(retired),
                        len({key[-1] for key in per_server}))


def _servers(strategies: Mapping[str, str]):
    """How a rule's description names its servers kept on premises (`grouping.Describe`): one as before,
    "<server> stays on premises (<strategy>)"; several by their count, strategies and the first few."""
    def describe(servers: Sequence[str], hosts: Sequence[str], piece: tuple[int, int]) -> tuple[str, str]:
        part = f" (part {piece[0]} of {piece[1]}, cut at the addresses Azure allows per rule)" if piece[1] > 1 else ""
        if len(servers) == 1:
            return f"{servers[0]} stays on premises ({strategies[servers[0]]})", f"{servers[0]}{part}"
        kinds = ", ".join(sorted({strategies[s] for s in servers}))
        return (f"{len(servers)} servers stay on premises ({kinds})",
                f"{len(servers)} servers ({counted(list(servers), piece)})")
    return describe


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
