"""Permanent rules for links between a landed server and an endpoint that is not in the inventory.

A dependency export names more than the servers it discovered: a modality sending images to the PACS,
a lab analyser feeding the LIS middleware, a label printer, a medication cabinet, an unlisted server.
Azure Migrate leaves "Destination server name" empty for them and gives only the address; the store
keeps them as external endpoints (``Dependency.destination_resolved`` False, or a source not in the
inventory). They never move, so neither the hybrid rules nor the steady state carry them, and without
a rule the migrated application silently loses them at cutover. From the wave its Azure end lands,
for good:
- an endpoint with a **private** IPv4 address (on premises: ``ipaddress`` ``is_private``, and not
  loopback, link-local, multicast, unspecified or reserved) gets a hub firewall network rule per
  direction the link is used in: that address as a /32 and the landed server's subnet, the link's own
  protocol and port(s), nothing wider; where the landed end receives the connection, an inbound
  allowance on its subnet's NSG. The addresses that share wave, direction, subnet, protocol and port
  set share one rule (`grouping`: sixty printers on TCP 9100 are one rule, not sixty), cut at what
  Azure allows per rule; named eNN-NNN-in|out, described "Permanent: <address> is not in the
  inventory (a device or unlisted server)." or "Permanent: N addresses are not in the inventory ...".
- a private address inside the landing zone's own address space (the hub, a spoke, the spoke pool) is
  an Azure address, not an on-premises one: listed with why, no rule.
- a **public** address gets no rule: internet egress is the firewall's egress policy, not opened per
  link. The RFC 5737 documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24), which ``ipaddress``
  calls private, stand for internet addresses in examples (the sample estate's partners): read as public.
- an endpoint with no usable IPv4 address (a host name only, IPv6, text that is no address, loopback,
  link-local, multicast...) and a link that is not TCP/UDP on a port 1-65535 are listed with why: never
  a wildcard, never Any.
Links between two external endpoints, or between one and a server that never moves (retained or
retired), are not landing business and are ignored.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from infra.config import StackConfig
from migrate.inventory.model import Dependency
from migrate.landing.hybrid import Skipped
from migrate.landing.placement import Placement, ServerFacts
from infra.landing_overlay import FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES
from migrate.landing.grouping import counted, grouped_waves, held
from migrate.landing.retained import EXTERNAL_PREFIX, PROTOCOLS

PUBLIC = "public address"
UNUSABLE = "no usable IPv4 address"
AZURE = "inside the landing zone's address space"
INVENTORY = "an address of inventory servers"
PROTOCOL = "not TCP/UDP on a port 1-65535"
NO_SUBNET = "landed end on no VM subnet"
REASONS = (PUBLIC, UNUSABLE, AZURE, INVENTORY, PROTOCOL, NO_SUBNET)
"""Why a link to an endpoint outside the inventory gets no rule, in the order the summary counts them."""

DOCUMENTATION = tuple(ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))


@dataclass(frozen=True)
class Unruled(Skipped):
    """A link to an endpoint outside the inventory that gets no rule: ``kind`` is one of REASONS."""

    kind: str = UNUSABLE


@dataclass(frozen=True)
class ExternalPlan:
    waves: tuple[dict[str, Any], ...]
    """``network.steadyStateWaves`` entries (merged with the others by `retained.merge_waves`)."""
    skipped: tuple[Unruled, ...]
    """Links between a landed server and an endpoint outside the inventory that get no rule, with why."""
    links: int
    """Links (ends, protocol, port) that got a rule."""
    addresses: int
    """Distinct on-premises addresses those rules reach."""

    def held(self) -> tuple[int, int]:
        """The /32s the rules hold on their on-premises side and the NSG allowances in their sources
        (`grouping.held`)."""
        return held(self.waves)

    def by_reason(self) -> list[tuple[str, int]]:
        """Links without a rule per reason (REASONS order), reasons with none left out."""
        return [(kind, n) for kind in REASONS if (n := sum(1 for s in self.skipped if s.kind == kind))]


def classify(text: str | None) -> tuple[str, ipaddress.IPv4Address | None, str]:
    """(kind, address, why) of an endpoint as a dependency export records it: kind "private" (an
    on-premises address: a rule can name it), PUBLIC or UNUSABLE."""
    raw = (text or "").strip()
    try:
        address = ipaddress.ip_address(raw.strip("[]").split("%", 1)[0])
    except ValueError:
        shown = repr(raw[:60]) if raw else "a blank address"
        return UNUSABLE, None, f"{shown} is no IP address (a host name only?): no exact rule without an IPv4 address"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is None:
            return UNUSABLE, None, f"{address} is IPv6: the hybrid rules are IPv4"
        address = address.ipv4_mapped
    special = _special(address)
    if special:
        return UNUSABLE, address, f"{address} is {special}: not a host a rule can reach"
    if any(address in net for net in DOCUMENTATION):
        return PUBLIC, address, (f"{address} is in a documentation range (RFC 5737), read as an internet address: "
                                 f"internet egress is the firewall's egress policy, not opened per link")
    if address.is_private:
        return "private", address, ""
    if address.is_global:
        return PUBLIC, address, (f"{address} is a public address: internet egress is the firewall's egress policy, "
                                 f"not opened per link")
    return UNUSABLE, address, f"{address} is a special-purpose address (neither private nor public)"


def _special(address: ipaddress.IPv4Address) -> str | None:
    if address.is_loopback:
        return "loopback (the server itself)"
    if address.is_link_local:
        return "link-local (169.254.0.0/16, never routed off its segment)"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified or address in ipaddress.IPv4Network("0.0.0.0/8"):
        return "unspecified ('this network', 0.0.0.0/8)"
    if address.is_reserved:
        return "reserved (240.0.0.0/4 or the broadcast address)"
    return None


def landing_zone_spaces(config: StackConfig) -> list[tuple[str, ipaddress.IPv4Network]]:
    """(what, range) of the landing zone's own address space: the hub, every spoke (those the overlay
    proposes included, when ``config`` has them), the pool new spokes come from."""
    network = config.network
    spaces = [(f"the hub's address space {network.hub.address_space}", network.hub.address_space)]
    spaces += [(f"spoke {s.name}'s address space {s.address_space}", s.address_space) for s in network.spokes]
    spaces += [(f"network.spokeAddressPool {p}", p) for p in network.spoke_address_pool]
    return [(what, ipaddress.IPv4Network(net)) for what, net in spaces]


def endpoint(name: str, address: str | None) -> str:
    """The address an external endpoint was recorded with: its IP column, else its name when that is one."""
    return (address or "").strip() or name


def external_rules(plan: Mapping[str, Any], placement: Placement, facts: Mapping[str, ServerFacts],
                   dependencies: Sequence[Dependency], config: StackConfig,
                   limits: tuple[int, int] = (FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES)) -> ExternalPlan:
    """One firewall rule per (wave, direction, landing subnet, protocol, port set) holding the sorted /32s of
    the addresses whose links have exactly those ports (at most ``limits``: addresses per firewall rule, per
    NSG allowance), and the NSG allowance of each inbound one (`grouping.grouped_waves`). ``facts`` is the
    whole inventory (an endpoint is outside it when it names none of its servers); ``config`` the stack
    with the overlay's proposals."""
    servers = plan.get("servers", {})
    spaces = landing_zone_spaces(config)
    owners: dict[str, list[str]] = {}
    for fact in facts.values():
        for ip in fact.ips:
            owners.setdefault(str(ip).strip(), []).append(fact.name)
    per_address: dict[tuple, dict[str, set]] = {}
    names: dict[str, set[str]] = {}
    skipped: dict[str, Unruled] = {}
    ruled: set[tuple] = set()
    for d in dependencies:
        # Outside the inventory: neither a planned server nor one the inventory knows (the plan holds
        # only inventory servers; facts may hold more, e.g. templates).
        outside = tuple(name not in servers and name not in facts for name in (d.source, d.destination))
        if outside == (True, True) or outside == (False, False):
            continue  # two external endpoints, or two servers (the other kinds' business)
        moved, recorded, inbound = ((d.destination, endpoint(d.source, d.source_ip), True) if outside[0]
                                    else (d.source, endpoint(d.destination, d.destination_ip), False))
        own = servers.get(moved)
        if own is None or own.get("wave") is None:
            continue  # a server that never moves (retained, retired) or is not planned: no landing
        protocol = str(d.protocol or "").upper()
        label = f"{d.source} -> {d.destination} {d.protocol}/{d.port}"
        kind, address, why = classify(recorded)
        target = placement.targets.get(moved)
        if protocol not in PROTOCOLS or not 1 <= int(d.port) <= 65535:
            kind, why = PROTOCOL, (f"protocol {d.protocol!r}: a rule names TCP or UDP (never Any)"
                                   if protocol not in PROTOCOLS else f"port {d.port} is not 1-65535 (never '*')")
        elif kind != "private" or address is None:
            pass  # public or unusable: no rule whatever the landed end
        elif target is None:
            kind, why = NO_SUBNET, f"{moved} lands on no VM subnet, so its Azure address range is not known here"
        elif inside := next((what for what, net in spaces if address in net), None):
            kind, why = AZURE, f"{address} is inside {inside}: an Azure address, not an on-premises one"
        elif holders := sorted(owners.get(str(address), [])):
            kind, why = INVENTORY, (f"{address} is the address of inventory server(s) {', '.join(holders[:3])}"
                                    f"{' and more' if len(holders) > 3 else ''}: the export could not say which")
        if kind != "private" or address is None or target is None:
            skipped[label] = Unruled(label, why, kind)
            continue
        host = f"{address}/32"
        if (d.source if inbound else d.destination) != str(address):
            names.setdefault(host, set()).add(d.source if inbound else d.destination)
        key = (int(own["wave"]), not inbound, target.spoke, target.subnet, target.address_prefix, protocol, address)
        entry = per_address.setdefault(key, {"ports": set(), "landed": set()})
        entry["ports"].add(int(d.port))
        entry["landed"].add(moved)
        ruled.add((d.source, d.destination, protocol, int(d.port)))
    # Addresses sharing wave, direction, subnet, protocol and port set share a rule (`grouping`).
    waves = grouped_waves(per_address, EXTERNAL_PREFIX, lambda address: [f"{address}/32"], _devices(names), *limits)
    return ExternalPlan(waves, tuple(skipped[k] for k in sorted(skipped)), len(ruled),
                        len({key[-1] for key in per_address}))


def _devices(names: Mapping[str, set[str]]):
    """How a rule's description names its addresses (`grouping.Describe`): one address as before, with the
    name(s) the export gave it (``names``, by /32); several by their count and the first few."""
    def describe(addresses: Sequence[ipaddress.IPv4Address], hosts: Sequence[str],
                 piece: tuple[int, int]) -> tuple[str, str]:
        shown = [_shown(host, names.get(host, set())) for host in hosts]
        if len(hosts) == 1:
            return f"{shown[0].split(' ', 1)[0]} is not in the inventory (a device or unlisted server)", shown[0]
        return (f"{len(hosts)} addresses are not in the inventory (devices or unlisted servers)",
                f"{len(hosts)} addresses ({counted(shown, piece)})")
    return describe


def _shown(host: str, recorded: set[str]) -> str:
    """The address in a description, with the name the export gave it when it gave one."""
    address = host.removesuffix("/32")
    return f"{address} ({', '.join(sorted(recorded)[:3])})" if recorded else address
