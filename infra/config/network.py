"""The ``network`` section: hub, spokes and their subnets, on-premises ranges, the spoke address
pool, the gateway and DNS forwarding. Address spaces must be private and must not overlap."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from infra.config.hybrid import _parse_hybrid_waves
from infra.config.model import (DnsForwardingRule, Gateway, Hub, HubSubnets, NetworkConfig, Spoke,
                                Subnet)
from infra.config.names import PROJECT, RESERVED_WORKLOAD_NAMES
from infra.config.reader import _ip_problem, _kind, _Reader, _shown

GATEWAY_SKUS = {
    "None": (),
    "Vpn": ("VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"),
    "ExpressRoute": ("ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"),
}

# Minimum prefix lengths Azure enforces on the hub's fixed-name subnets.
SPECIAL_SUBNETS = {
    "firewall": ("AzureFirewallSubnet", 26),
    "firewallManagement": ("AzureFirewallManagementSubnet", 26),
    "bastion": ("AzureBastionSubnet", 26),
    "gateway": ("GatewaySubnet", 27),
    "dnsInbound": ("snet-dns-inbound", 28),
    "dnsOutbound": ("snet-dns-outbound", 28),
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


def _parse_network(r: _Reader, raw: Any) -> NetworkConfig | None:  # noqa: C901 - issue 11 section 6 splits it with infra/config/ as a package
    key = "network"
    n = r.mapping(raw, key, ("hub", "spokes", "gateway", "onPremisesAddressSpaces", "dnsForwarding",
                             "spokeAddressPool", "hybridWaves"))
    if not n:
        r.fail(key, "is required (hub and spokes)")
        return None
    spaces: list[tuple[str, ipaddress.IPv4Network]] = []

    h = r.mapping(n.get("hub"), f"{key}.hub", ("addressSpace", "subnets"))
    hub_space = _parse_cidr(r, h.get("addressSpace"), f"{key}.hub.addressSpace")
    if hub_space:
        spaces.append((f"{key}.hub.addressSpace", hub_space))
    hs = r.mapping(h.get("subnets"), f"{key}.hub.subnets", SPECIAL_SUBNETS)
    hub_subnets: dict[str, str] = {}
    parsed: list[tuple[str, ipaddress.IPv4Network]] = []
    for subnet, (azure_name, min_prefix) in SPECIAL_SUBNETS.items():
        sk = f"{key}.hub.subnets.{subnet}"
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
        hub_subnets[subnet] = str(net)
        parsed.append((sk, net))
    _check_subnets(r, hub_space, f"{key}.hub.addressSpace", parsed)

    spokes = []
    names: set[str] = set()
    for i, s in enumerate(r.items(n.get("spokes"), f"{key}.spokes")):
        sk = f"{key}.spokes[{i}]"
        s = r.mapping(s, sk, ("name", "addressSpace", "subnets"))
        name = r.string(s, "name", sk, pattern=re.compile(r"[a-z][a-z0-9]{1,11}"),
                        rule="must be 2-12 lowercase letters or digits starting with a letter")
        if name in names:
            r.fail(f"{sk}.name", f"duplicates another spoke named {name!r}")
        if name in RESERVED_WORKLOAD_NAMES:
            r.fail(f"{sk}.name", f"{name!r} is the name of a platform resource group "
                                 f"(reserved: {', '.join(sorted(RESERVED_WORKLOAD_NAMES))})")
        names.add(name or "")
        space = _parse_cidr(r, s.get("addressSpace"), f"{sk}.addressSpace")
        if space:
            spaces.append((f"{sk}.addressSpace", space))
        subnets, parsed, seen = [], [], set()
        items = r.items(s.get("subnets"), f"{sk}.subnets")
        if not items:
            r.fail(f"{sk}.subnets", "needs at least one subnet")
        for j, sub in enumerate(items):
            bk = f"{sk}.subnets[{j}]"
            sub = r.mapping(sub, bk, ("name", "addressPrefix", "privateEndpoints", "apiManagement"))
            sname = r.string(sub, "name", bk, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]"),
                             rule="must be 2-80 letters, digits, '.', '-' or '_'")
            if sname in seen:
                r.fail(f"{bk}.name", f"duplicates another subnet named {sname!r} in this spoke")
            if sname and sname in {azure for azure, _ in SPECIAL_SUBNETS.values()}:
                r.fail(f"{bk}.name", f"{sname!r} is reserved for the hub")
            seen.add(sname)
            prefix = _parse_cidr(r, sub.get("addressPrefix"), f"{bk}.addressPrefix")
            if prefix is not None and prefix.prefixlen > SMALLEST_SUBNET_PREFIX:
                r.fail(f"{bk}.addressPrefix", f"Azure subnets must be /{SMALLEST_SUBNET_PREFIX} or larger; got /{prefix.prefixlen}")
                prefix = None
            pe = r.boolean(sub, "privateEndpoints", bk, False)
            apim = r.boolean(sub, "apiManagement", bk, False)
            if apim and pe:
                r.fail(f"{bk}.apiManagement", "API Management needs a subnet of its own, not the private endpoints' one")
            if apim and prefix is not None and prefix.prefixlen > APIM_SUBNET_PREFIX:
                r.fail(f"{bk}.addressPrefix", f"an API Management subnet must be /{APIM_SUBNET_PREFIX} or larger "
                                              f"(room to scale units and update); got /{prefix.prefixlen}")
            if sname and prefix is not None:
                subnets.append(Subnet(sname, str(prefix), pe, apim))
                parsed.append((f"{bk}.addressPrefix", prefix))
        _check_subnets(r, space, f"{sk}.addressSpace", parsed)
        if name and space:
            spokes.append(Spoke(name, str(space), tuple(subnets)))
    if not spokes and not any(i.key.startswith(f"{PROJECT}:{key}.spokes") for i in r.issues):
        r.fail(f"{key}.spokes", "needs at least one spoke")

    on_prem = []
    for i, value in enumerate(r.items(n.get("onPremisesAddressSpaces"), f"{key}.onPremisesAddressSpaces")):
        net = _parse_cidr(r, value, f"{key}.onPremisesAddressSpaces[{i}]")
        if net:
            on_prem.append(str(net))
            spaces.append((f"{key}.onPremisesAddressSpaces[{i}]", net))
    pool = []
    for i, value in enumerate(r.items(n.get("spokeAddressPool"), f"{key}.spokeAddressPool")):
        net = _parse_cidr(r, value, f"{key}.spokeAddressPool[{i}]")
        if net:
            pool.append((f"{key}.spokeAddressPool[{i}]", net))
    for i, (key_a, a) in enumerate(spaces):
        for key_b, b in spaces[i + 1:]:
            if a.overlaps(b):
                r.fail(key_b, f"{b} overlaps {PROJECT}:{key_a} ({a}); address spaces must not overlap")
    for key_p, p in pool:
        # The pool lends out new spokes (skipping spokes already in it): never the hub's or on-premises space.
        for key_s, s in spaces:
            if p.overlaps(s) and ".spokes[" not in key_s:
                r.fail(key_p, f"{p} overlaps {PROJECT}:{key_s} ({s}); spokes allocated from the pool would clash")

    gw = r.mapping(n.get("gateway"), f"{key}.gateway", ("type", "sku"))
    gw_type = r.string(gw, "type", f"{key}.gateway", default="None", choices=tuple(GATEWAY_SKUS))
    gw_sku = None
    if gw_type and gw_type != "None":
        gw_sku = r.string(gw, "sku", f"{key}.gateway", choices=GATEWAY_SKUS[gw_type])
    elif gw.get("sku") is not None:
        r.fail(f"{key}.gateway.sku", "must not be set when gateway.type is None")

    forwarding = []
    for i, rule in enumerate(r.items(n.get("dnsForwarding"), f"{key}.dnsForwarding")):
        fk = f"{key}.dnsForwarding[{i}]"
        rule = r.mapping(rule, fk, ("domain", "servers"))
        domain = r.string(rule, "domain", fk, pattern=DNS_DOMAIN,
                          rule="must be a lowercase DNS domain ending with a dot, e.g. corp.example.org.")
        servers = r.strings(rule, "servers", fk, _ip_problem)
        if not servers:
            r.fail(f"{fk}.servers", "needs at least one on-premises DNS server address")
        if domain and servers:
            forwarding.append(DnsForwardingRule(domain, servers))
    if forwarding and not on_prem:
        r.fail(f"{key}.onPremisesAddressSpaces", "is required when dnsForwarding sends queries on-premises")

    if hub_space is None or len(hub_subnets) != len(SPECIAL_SUBNETS):
        return None
    return NetworkConfig(
        hub=Hub(str(hub_space), HubSubnets(
            firewall=hub_subnets["firewall"], firewall_management=hub_subnets["firewallManagement"],
            bastion=hub_subnets["bastion"], gateway=hub_subnets["gateway"],
            dns_inbound=hub_subnets["dnsInbound"], dns_outbound=hub_subnets["dnsOutbound"])),
        spokes=tuple(spokes), gateway=Gateway(gw_type or "None", gw_sku),
        on_premises_address_spaces=tuple(on_prem), dns_forwarding=tuple(forwarding),
        spoke_address_pool=tuple(str(p) for _, p in pool),
        hybrid_waves=_parse_hybrid_waves(r, n.get("hybridWaves"), f"{key}.hybridWaves", spokes),
    )


def _require_pe_spoke(r: _Reader, network: NetworkConfig | None, spoke: str | None, key: str) -> None:
    if network is None or spoke is None:
        return
    match = next((s for s in network.spokes if s.name == spoke), None)
    if match is None:
        r.fail(key, f"names no spoke in network.spokes ({', '.join(s.name for s in network.spokes)}); got {_shown(spoke)}")
    elif match.private_endpoint_subnet is None:
        r.fail(key, f"spoke {_shown(spoke)} has no subnet with privateEndpoints: true")
