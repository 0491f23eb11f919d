"""``network.hybridWaves`` and ``network.steadyStateWaves``: the per-wave firewall rules and NSG
allowances `carelift plan landing` writes to the landing overlay, while a wave runs split from on
premises (hybrid, removed after a later wave) and once both ends of a link are in Azure (steady state)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from infra.config.model import HybridRule, HybridWave, Spoke, SteadyStateWave, SubnetAllowance
from infra.config.reader import _Reader

HYBRID_PROTOCOLS = ("TCP", "UDP")
NSG_DESCRIPTION_MAX = 140
"""Characters in a network security rule's description (azure-native SecurityRule: "Restricted to 140 chars")."""
PORT = re.compile(r"^(\d{1,5})(-(\d{1,5}))?$")


def _address_problem(value: str) -> str | None:
    """An exact address or range: never '*', 'Any' or the whole internet."""
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return "must be an IPv4 address or CIDR range"
    if net.prefixlen == 0:
        return "must not be 0.0.0.0/0: a migration rule names the addresses its links use"
    return None


def _port_problem(value: str) -> str | None:
    match = PORT.fullmatch(value)
    if not match or not all(1 <= int(p) <= 65535 for p in (match.group(1), match.group(3) or match.group(1))):
        return "must be a port 1-65535 or a range like 5000-5010 (never '*')"
    return None


def hybrid_period_over(remove_after_wave: int, completed_wave: int | None) -> bool:
    """A hybrid wave has ended once the last wave its links wait for is signed off
    (``carelift:landing.completedWave``): its firewall rule collection group and its NSG allowances go
    then, together (the stack leaves the wave out whatever overlay it names; `plan landing` too)."""
    return completed_wave is not None and remove_after_wave <= completed_wave


def _parse_hybrid_waves(r: _Reader, raw: Any, key: str, spokes: list[Spoke]) -> tuple[HybridWave, ...]:
    """The overlay's per-wave rules: exact addresses and ports only, subnets that exist."""
    out = []
    for wk, w, wave in _waves(r, raw, key, ("wave", "removeAfterWave", "rules", "allowances")):
        after = r.integer(w, "removeAfterWave", wk, minimum=0, maximum=999)
        rules, allowances = _rules(r, w, wk), _allowances(r, w, wk, spokes)
        if wave is not None and after is not None:
            out.append(HybridWave(wave, after, rules, allowances))
    return tuple(sorted(out, key=lambda w: w.wave))


def _parse_steady_state_waves(r: _Reader, raw: Any, key: str, spokes: list[Spoke]) -> tuple[SteadyStateWave, ...]:
    """The overlay's rules for links inside Azure, per wave in which both ends have landed: the same
    exactness as the hybrid waves', and no removeAfterWave (they stay after the migration)."""
    out = []
    for wk, w, wave in _waves(r, raw, key, ("wave", "rules", "allowances")):
        rules, allowances = _rules(r, w, wk), _allowances(r, w, wk, spokes)
        if wave is not None:
            out.append(SteadyStateWave(wave, rules, allowances))
    return tuple(sorted(out, key=lambda w: w.wave))


def _waves(r: _Reader, raw: Any, key: str, keys: tuple[str, ...]) -> list[tuple[str, dict[str, Any], int | None]]:
    """Each wave entry (its key, mapping and number), a duplicate wave number reported."""
    found, seen = [], set()
    for i, item in enumerate(r.items(raw, key)):
        wk = f"{key}[{i}]"
        w = r.mapping(item, wk, keys)
        wave = r.integer(w, "wave", wk, minimum=0, maximum=999)
        if wave is not None and wave in seen:
            r.fail(f"{wk}.wave", f"duplicates wave {wave}")
        seen.add(wave)
        found.append((wk, w, wave))
    return found


def _rules(r: _Reader, w: dict[str, Any], wk: str) -> tuple[HybridRule, ...]:
    rules, names = [], set()
    for j, rule in enumerate(r.items(w.get("rules"), f"{wk}.rules")):
        rk = f"{wk}.rules[{j}]"
        rule = r.mapping(rule, rk, ("name", "description", "protocol", "sources", "destinations", "ports"))
        name = r.string(rule, "name", rk, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"),
                        rule="must be 1-80 letters, digits, '.', '-' or '_'")
        if name in names:
            r.fail(f"{rk}.name", f"duplicates another rule named {name!r} in this wave")
        names.add(name)
        description = r.string(rule, "description", rk)
        protocol = r.string(rule, "protocol", rk, choices=HYBRID_PROTOCOLS)
        sources = r.strings(rule, "sources", rk, _address_problem)
        destinations = r.strings(rule, "destinations", rk, _address_problem)
        ports = r.strings(rule, "ports", rk, _port_problem)
        for part, values in (("sources", sources), ("destinations", destinations), ("ports", ports)):
            if not values and not rule.get(part):
                r.fail(f"{rk}.{part}", "needs at least one entry")
        if name and description and protocol and sources and destinations and ports:
            rules.append(HybridRule(name, description, protocol, sources, destinations, ports))
    return tuple(rules)


def _allowances(r: _Reader, w: dict[str, Any], wk: str, spokes: list[Spoke]) -> tuple[SubnetAllowance, ...]:
    subnets = {(s.name, sub.name) for s in spokes for sub in s.subnets}
    allowances = []
    for j, allow in enumerate(r.items(w.get("allowances"), f"{wk}.allowances")):
        ak = f"{wk}.allowances[{j}]"
        allow = r.mapping(allow, ak, ("spoke", "subnet", "name", "protocol", "sources", "ports", "description"))
        spoke, subnet = r.string(allow, "spoke", ak), r.string(allow, "subnet", ak)
        if spoke and subnet and (spoke, subnet) not in subnets:
            r.fail(f"{ak}.subnet", f"names no subnet {subnet!r} of a spoke {spoke!r}")
        name = r.string(allow, "name", ak, pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"),
                        rule="must be 1-80 letters, digits, '.', '-' or '_'")
        protocol = r.string(allow, "protocol", ak, choices=HYBRID_PROTOCOLS)
        sources = r.strings(allow, "sources", ak, _address_problem)
        ports = r.strings(allow, "ports", ak, _port_problem)
        description = r.string(allow, "description", ak) if "description" in allow else ""
        if description and len(description) > NSG_DESCRIPTION_MAX:
            r.fail(f"{ak}.description", f"must be at most {NSG_DESCRIPTION_MAX} characters (Azure's limit for a "
                                        f"security rule's description); got {len(description)}")
        if spoke and subnet and name and protocol and sources and ports:
            allowances.append(SubnetAllowance(spoke, subnet, name, protocol, sources, ports, description or ""))
    return tuple(allowances)
