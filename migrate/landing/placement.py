"""Placement: each planned server gets a spoke and subnet of a stack, by the stack's landing rules.

A server lands when the plan moves it onto a VM (rehost, relocate); the others (retire, retain,
repurchase, refactor and replatform onto platform services) are listed with why they get no subnet.
Rules are tried in order, first match wins, then the default. A rule naming a spoke or subnet the
stack lacks, a subnet that would overflow (usable addresses = size minus Azure's five reserved, less
the configured headroom), and a server no rule places are all reported together.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Mapping

from infra.config import LandingConfig, PlacementRule, StackConfig
from infra.config.names import resource_group_name, vnet_name
from infra.errors import CareliftError

LANDING_STRATEGIES = frozenset({"rehost", "relocate"})
AZURE_RESERVED = 5


class LandingError(CareliftError):
    """The plan cannot land in the stack; ``problems`` name each rule, subnet or server."""

    def __init__(self, title: str, problems: list[str]):
        self.title = title
        self.problems = problems
        super().__init__(f"{title}: {len(problems)} problem(s)")


@dataclass(frozen=True)
class ServerFacts:
    """What the inventory knows that the plan JSON does not carry."""

    name: str
    ips: tuple[str, ...] = ()
    data_classification: str | None = None
    owner: str | None = None
    os_family: str = "unknown"


@dataclass(frozen=True)
class Target:
    stack: str
    subscription: str | None
    resource_group: str
    vnet: str
    subnet: str
    spoke: str
    address_prefix: str
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "subscription": self.subscription, "resourceGroup": self.resource_group,
                "vnet": self.vnet, "subnet": self.subnet, "spoke": self.spoke, "addressPrefix": self.address_prefix,
                "rule": self.rule}


@dataclass(frozen=True)
class SubnetUse:
    spoke: str
    subnet: str
    address_prefix: str | None
    """None when the stack lacks the subnet (`plan landing` proposes it)."""
    servers: tuple[str, ...]

    def capacity(self, headroom_percent: int) -> int | None:
        if self.address_prefix is None:
            return None
        return usable_addresses(self.address_prefix) * (100 - headroom_percent) // 100


@dataclass(frozen=True)
class Placement:
    targets: dict[str, Target]
    not_placed: dict[str, str]
    """Server -> why it gets no subnet (its strategy)."""
    uses: tuple[SubnetUse, ...]
    problems: tuple[str, ...] = field(default=())
    """Overflowing subnets and servers no rule places."""
    missing: tuple[str, ...] = field(default=())
    """Rules naming a spoke or subnet the stack lacks (`plan landing` proposes them)."""
    headroom_percent: int = 20

    def check(self, stack: str) -> None:
        """Raise LandingError with every problem, the missing spokes and subnets included."""
        if self.problems or self.missing:
            raise LandingError(f"the plan cannot land in stack {stack}", [*self.missing, *self.problems])


def usable_addresses(prefix: str) -> int:
    return max(ipaddress.ip_network(prefix).num_addresses - AZURE_RESERVED, 0)


def matches(rule: PlacementRule, server: Mapping[str, Any], facts: ServerFacts | None) -> bool:
    """Every criterion the rule gives holds (case-insensitive names)."""
    def among(value: Any, allowed: tuple) -> bool:
        return not allowed or str(value or "").lower() in {str(a).lower() for a in allowed}

    apps = {str(a).lower() for a in server.get("applications") or []}
    return (
        (not rule.applications or bool(apps & {a.lower() for a in rule.applications}))
        and among(server.get("environment"), rule.environments)
        and (not rule.tiers or server.get("tier") in rule.tiers)
        and among(facts.data_classification if facts else None, rule.data_classifications)
        and among(server.get("strategy"), rule.strategies)
    )


def place(plan: Mapping[str, Any], facts: Mapping[str, ServerFacts], config: StackConfig) -> Placement:
    """Targets for every landing server of the plan, with every problem found (none raised here)."""
    landing = config.landing or LandingConfig(rules=())
    subnets = {(s.name, sub.name): sub.address_prefix for s in config.network.spokes for sub in s.subnets}
    subscription = landing.azure_migrate.subscription_id if landing.azure_migrate else None
    targets: dict[str, Target] = {}
    not_placed: dict[str, str] = {}
    unmatched: list[str] = []
    by_subnet: dict[tuple[str, str], list[str]] = {}
    rules = [*landing.rules, *([landing.default] if landing.default else [])]
    for name, server in sorted(plan.get("servers", {}).items()):
        if server.get("wave") is None or server.get("excluded"):
            continue
        strategy = str(server.get("strategy") or "")
        if strategy not in LANDING_STRATEGIES:
            target = server.get("strategy_target")
            not_placed[name] = f"{strategy}" + (f" to {target}" if target else "") + ": it lands on no VM subnet"
            continue
        rule = next((r for r in rules if matches(r, server, facts.get(name))), None)
        if rule is None:
            unmatched.append(name)
            continue
        by_subnet.setdefault((rule.spoke, rule.subnet), []).append(name)
        prefix = subnets.get((rule.spoke, rule.subnet))
        if prefix is not None:
            targets[name] = Target(config.stack, subscription, resource_group_name(config.name_prefix, rule.spoke),
                                   vnet_name(config.name_prefix, rule.spoke), rule.subnet, rule.spoke, prefix,
                                   rule.name)
    uses = tuple(SubnetUse(spoke, subnet, subnets.get((spoke, subnet)), tuple(servers))
                 for (spoke, subnet), servers in sorted(by_subnet.items()))
    missing, problems = _problems(uses, rules, unmatched, config, landing.headroom_percent)
    return Placement(targets, not_placed, uses, tuple(problems), tuple(missing), landing.headroom_percent)


def _problems(uses: tuple[SubnetUse, ...], rules: list[PlacementRule], unmatched: list[str], config: StackConfig,
              headroom: int) -> tuple[list[str], list[str]]:
    spokes = {s.name for s in config.network.spokes}
    missing, problems = [], []
    for use in uses:
        named_by = ", ".join(r.name for r in rules if (r.spoke, r.subnet) == (use.spoke, use.subnet))
        if use.address_prefix is None:
            what = (f"subnet {use.subnet!r} of spoke {use.spoke!r}" if use.spoke in spokes
                    else f"spoke {use.spoke!r}") + f" does not exist in stack {config.stack}"
            missing.append(f"rule {named_by}: {what}, and {len(use.servers)} server(s) land there "
                           f"(run `carelift plan landing --stack {config.stack}` to propose it)")
            continue
        capacity = use.capacity(headroom)
        if capacity is not None and len(use.servers) > capacity:
            problems.append(f"subnet {use.spoke}/{use.subnet} ({use.address_prefix}: "
                            f"{usable_addresses(use.address_prefix)} usable, {capacity} with {headroom} % "
                            f"headroom) would receive {len(use.servers)} servers (rule {named_by})")
    if unmatched:
        shown = ", ".join(unmatched[:20]) + (f" and {len(unmatched) - 20} more" if len(unmatched) > 20 else "")
        problems.append(f"{len(unmatched)} server(s) match no landing rule and there is no landing.default: {shown}")
    return missing, problems
