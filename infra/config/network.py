"""The ``network`` section: hub, spokes and their subnets, on-premises ranges, the spoke address
pool, the gateway and DNS forwarding. Address spaces must be private and must not overlap."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from infra.config.hybrid import _parse_hybrid_waves, _parse_steady_state_waves
from infra.config.model import (DnsForwardingRule, Gateway, Hub, HubSubnets, NetworkConfig, Spoke,
                                Subnet)
from infra.config.names import HUB_SUBNET_NAMES, PROJECT, RESERVED_NETWORK_NAMES, RESERVED_WORKLOAD_NAMES
from infra.config.reader import _ip_problem, _kind, _Reader, _shown

GATEWAY_SKUS = {
    "None": (),
    "Vpn": ("VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"),
    "ExpressRoute": ("ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"),
}

# The hub's fixed-name subnets by config key: (Azure name, the minimum prefix length Azure enforces).
SPECIAL_SUBNETS = {
    key: (HUB_SUBNET_NAMES[key], min_prefix)
    for key, min_prefix in (("firewall", 26), ("firewallManagement", 26), ("bastion", 26), ("gateway", 27),
                            ("dnsInbound", 28), ("dnsOutbound", 28))
}
SMALLEST_SUBNET_PREFIX = 29
APIM_SUBNET_PREFIX = 27
DNS_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+$")


def _parse_cidr(r: _Reader, value: Any, key: str) -> ipaddress.IPv4Network | None:
    if not isinstance(value, str):
        r.fail(key, f"must be a CIDR string such as 10.40.0.0/22, got {_kind(value)}")
        return None
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        detail = f" ({exc})" if len(value) <= 60 else ""  # the error repeats the value
        r.fail(key, f"is not a well-formed CIDR{detail}; got {_shown(value)}")
        return None
    if not isinstance(net, ipaddress.IPv4Network):
        r.fail(key, f"must be an IPv4 CIDR; got {_shown(value)}")
        return None
    if not any(net.subnet_of(p) for p in _RFC1918):
        r.fail(key, f"must be a private RFC 1918 range (10/8, 172.16/12, 192.168/16); got {_shown(value)}")
        return None
    return net


_RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _check_subnets(r: _Reader, vnet: ipaddress.IPv4Network | None, vnet_key: str,
                   subnets: list[tuple[str, ipaddress.IPv4Network]]) -> None:
    """Every subnet inside its VNet, none overlapping a sibling."""
    for key, net in subnets:
        if vnet is not None and not net.subnet_of(vnet):
            r.fail(key, f"{net} does not fit inside {PROJECT}:{vnet_key} ({vnet})")
    for i, (key_a, a) in enumerate(subnets):
        for key_b, b in subnets[i + 1:]:
            if a.overlaps(b):
                r.fail(key_b, f"{b} overlaps {PROJECT}:{key_a} ({a})")


Spaces = list[tuple[str, ipaddress.IPv4Network]]
"""(config key, range) pairs: the address spaces that must not overlap one another."""


def _parse_network(r: _Reader, raw: Any) -> NetworkConfig | None:
    """The section in the order its problems are reported: hub, spokes, on-premises ranges, the pool,
    overlaps, gateway, DNS forwarding; hybrid waves only once the hub is whole."""
    key = "network"
    n = r.mapping(raw, key, ("hub", "spokes", "gateway", "onPremisesAddressSpaces", "dnsForwarding",
                             "spokeAddressPool", "hybridWaves", "steadyStateWaves"))
    if not n:
        r.fail(key, "is required (hub and spokes)")
        return None
    spaces: Spaces = []
    hub = _parse_hub(r, n.get("hub"), f"{key}.hub", spaces)
    spokes = _parse_spokes(r, n.get("spokes"), f"{key}.spokes", spaces)
    on_prem = _parse_ranges(r, n.get("onPremisesAddressSpaces"), f"{key}.onPremisesAddressSpaces")
    spaces += on_prem
    pool = _parse_ranges(r, n.get("spokeAddressPool"), f"{key}.spokeAddressPool")
    _check_spaces(r, spaces, pool)
    gateway = _parse_network_gateway(r, n.get("gateway"), f"{key}.gateway")
    forwarding = _parse_dns_forwarding(r, n.get("dnsForwarding"), f"{key}.dnsForwarding")
    if forwarding and not on_prem:
        r.fail(f"{key}.onPremisesAddressSpaces", "is required when dnsForwarding sends queries on-premises")
    if hub is None:
        return None
    return NetworkConfig(
        hub=hub, spokes=tuple(spokes), gateway=gateway,
        on_premises_address_spaces=tuple(str(net) for _, net in on_prem), dns_forwarding=tuple(forwarding),
        spoke_address_pool=tuple(str(net) for _, net in pool),
        hybrid_waves=_parse_hybrid_waves(r, n.get("hybridWaves"), f"{key}.hybridWaves", spokes),
        steady_state_waves=_parse_steady_state_waves(r, n.get("steadyStateWaves"), f"{key}.steadyStateWaves",
                                                     spokes),
    )


def _parse_hub(r: _Reader, raw: Any, key: str, spaces: Spaces) -> Hub | None:
    h = r.mapping(raw, key, ("addressSpace", "subnets"))
    space = _parse_cidr(r, h.get("addressSpace"), f"{key}.addressSpace")
    if space:
        spaces.append((f"{key}.addressSpace", space))
    subnets = _parse_hub_subnets(r, h.get("subnets"), f"{key}.subnets")
    _check_subnets(r, space, f"{key}.addressSpace", [(f"{key}.subnets.{name}", net) for name, net in subnets.items()])
    if space is None or len(subnets) != len(SPECIAL_SUBNETS):
        return None
    prefixes = {name: str(net) for name, net in subnets.items()}
    return Hub(str(space), HubSubnets(
        firewall=prefixes["firewall"], firewall_management=prefixes["firewallManagement"],
        bastion=prefixes["bastion"], gateway=prefixes["gateway"],
        dns_inbound=prefixes["dnsInbound"], dns_outbound=prefixes["dnsOutbound"]))


def _parse_hub_subnets(r: _Reader, raw: Any, key: str) -> dict[str, ipaddress.IPv4Network]:
    """The hub's fixed-name subnets that parse, by config key (all of them in a valid hub)."""
    hs = r.mapping(raw, key, SPECIAL_SUBNETS)
    found: dict[str, ipaddress.IPv4Network] = {}
    for subnet, (azure_name, min_prefix) in SPECIAL_SUBNETS.items():
        sk = f"{key}.{subnet}"
        if subnet not in hs:
            r.fail(sk, f"is required ({azure_name}, /{min_prefix} or larger)")
            continue
        net = _parse_cidr(r, hs[subnet], sk)
        if net is None:
            continue
        if net.prefixlen > min_prefix:
            r.fail(sk, f"{azure_name} must be /{min_prefix} or larger; got /{net.prefixlen}")
        if subnet.startswith("dns") and net.prefixlen < 24:
            r.fail(sk, f"DNS resolver subnets must be between /28 and /24; got /{net.prefixlen}")
        found[subnet] = net
    return found


def _parse_spokes(r: _Reader, raw: Any, key: str, spaces: Spaces) -> list[Spoke]:
    spokes: list[Spoke] = []
    names: set[str] = set()
    for i, item in enumerate(r.items(raw, key)):
        spoke = _parse_spoke(r, item, f"{key}[{i}]", names, spaces)
        if spoke:
            spokes.append(spoke)
    if not spokes and not any(i.key.startswith(f"{PROJECT}:{key}") for i in r.issues):
        r.fail(key, "needs at least one spoke")
    return spokes


def _parse_spoke(r: _Reader, raw: Any, key: str, names: set[str], spaces: Spaces) -> Spoke | None:
    """One spoke; `names` holds the spokes' names so far, `spaces` gains its address space."""
    s = r.mapping(raw, key, ("name", "addressSpace", "subnets"))
    name = r.string(s, "name", key, pattern=re.compile(r"[a-z][a-z0-9]{1,11}"),
                    rule="must be 2-12 lowercase letters or digits starting with a letter")
    if name in names:
        r.fail(f"{key}.name", f"duplicates another spoke named {name!r}")
    if name in RESERVED_WORKLOAD_NAMES:
        r.fail(f"{key}.name", f"{name!r} is the name of a platform resource group "
                              f"(reserved: {', '.join(sorted(RESERVED_WORKLOAD_NAMES))})")
    if name in RESERVED_NETWORK_NAMES:
        r.fail(f"{key}.name", f"{name!r} names the hub's VNet, firewall and flow log; choose another spoke name")
    names.add(name or "")
    space = _parse_cidr(r, s.get("addressSpace"), f"{key}.addressSpace")
    if space:
        spaces.append((f"{key}.addressSpace", space))
    items = r.items(s.get("subnets"), f"{key}.subnets")
    if not items:
        r.fail(f"{key}.subnets", "needs at least one subnet")
    subnets: list[Subnet] = []
    parsed: Spaces = []
    seen: set[str | None] = set()
    for j, item in enumerate(items):
        found = _parse_spoke_subnet(r, item, f"{key}.subnets[{j}]", seen)
        if found:
            subnets.append(found[0])
            parsed.append((f"{key}.subnets[{j}].addressPrefix", found[1]))
    _check_subnets(r, space, f"{key}.addressSpace", parsed)
    if name and space:
        return Spoke(name, str(space), tuple(subnets))
    return None


def _parse_spoke_subnet(r: _Reader, raw: Any, key: str,
                        seen: set[str | None]) -> tuple[Subnet, ipaddress.IPv4Network] | None:
    """One subnet of a spoke and its prefix; `seen` holds the spoke's subnet names so far."""
    sub = r.mapping(raw, key, ("name", "addressPrefix", "privateEndpoints", "apiManagement"))
    name = r.string(sub, "name", key, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]"),
                    rule="must be 2-80 letters, digits, '.', '-' or '_'")
    if name in seen:
        r.fail(f"{key}.name", f"duplicates another subnet named {name!r} in this spoke")
    if name and name in HUB_SUBNET_NAMES.values():
        r.fail(f"{key}.name", f"{name!r} is reserved for the hub")
    seen.add(name)
    prefix = _parse_cidr(r, sub.get("addressPrefix"), f"{key}.addressPrefix")
    if prefix is not None and prefix.prefixlen > SMALLEST_SUBNET_PREFIX:
        r.fail(f"{key}.addressPrefix", f"Azure subnets must be /{SMALLEST_SUBNET_PREFIX} or larger; got /{prefix.prefixlen}")
        prefix = None
    pe = r.boolean(sub, "privateEndpoints", key, False)
    apim = r.boolean(sub, "apiManagement", key, False)
    if apim and pe:
        r.fail(f"{key}.apiManagement", "API Management needs a subnet of its own, not the private endpoints' one")
    if apim and prefix is not None and prefix.prefixlen > APIM_SUBNET_PREFIX:
        r.fail(f"{key}.addressPrefix", f"an API Management subnet must be /{APIM_SUBNET_PREFIX} or larger "
                                       f"(room to scale units and update); got /{prefix.prefixlen}")
    if name and prefix is not None:
        return Subnet(name, str(prefix), pe, apim), prefix
    return None


def _parse_ranges(r: _Reader, raw: Any, key: str) -> Spaces:
    """A list of CIDRs (on-premises ranges, the spoke pool): the ones that parse, with their keys."""
    found: Spaces = []
    for i, value in enumerate(r.items(raw, key)):
        net = _parse_cidr(r, value, f"{key}[{i}]")
        if net:
            found.append((f"{key}[{i}]", net))
    return found


def _check_spaces(r: _Reader, spaces: Spaces, pool: Spaces) -> None:
    """No two address spaces overlap, and the pool overlaps none but the spokes already in it."""
    for i, (key_a, a) in enumerate(spaces):
        for key_b, b in spaces[i + 1:]:
            if a.overlaps(b):
                r.fail(key_b, f"{b} overlaps {PROJECT}:{key_a} ({a}); address spaces must not overlap")
    for key_p, p in pool:
        # The pool lends out new spokes (skipping spokes already in it): never the hub's or on-premises space.
        for key_s, s in spaces:
            if p.overlaps(s) and ".spokes[" not in key_s:
                r.fail(key_p, f"{p} overlaps {PROJECT}:{key_s} ({s}); spokes allocated from the pool would clash")


def _parse_network_gateway(r: _Reader, raw: Any, key: str) -> Gateway:
    gw = r.mapping(raw, key, ("type", "sku"))
    gw_type = r.string(gw, "type", key, default="None", choices=tuple(GATEWAY_SKUS))
    sku = None
    if gw_type and gw_type != "None":
        sku = r.string(gw, "sku", key, choices=GATEWAY_SKUS[gw_type])
    elif gw.get("sku") is not None:
        r.fail(f"{key}.sku", "must not be set when gateway.type is None")
    return Gateway(gw_type or "None", sku)


def _parse_dns_forwarding(r: _Reader, raw: Any, key: str) -> list[DnsForwardingRule]:
    forwarding = []
    for i, rule in enumerate(r.items(raw, key)):
        fk = f"{key}[{i}]"
        rule = r.mapping(rule, fk, ("domain", "servers"))
        domain = r.string(rule, "domain", fk, pattern=DNS_DOMAIN,
                          rule="must be a lowercase DNS domain ending with a dot, e.g. corp.example.org.")
        servers = r.strings(rule, "servers", fk, _ip_problem)
        if not servers:
            r.fail(f"{fk}.servers", "needs at least one on-premises DNS server address")
        if domain and servers:
            forwarding.append(DnsForwardingRule(domain, servers))
    return forwarding


def _require_pe_spoke(r: _Reader, network: NetworkConfig | None, spoke: str | None, key: str) -> None:
    if network is None or spoke is None:
        return
    match = next((s for s in network.spokes if s.name == spoke), None)
    if match is None:
        r.fail(key, f"names no spoke in network.spokes ({', '.join(s.name for s in network.spokes)}); got {_shown(spoke)}")
    elif match.private_endpoint_subnet is None:
        r.fail(key, f"spoke {_shown(spoke)} has no subnet with privateEndpoints: true")
