"""The landing overlay: what `carelift plan landing` adds to a stack, in a file of its own.

The stack names it explicitly (``carelift:landingOverlay: stacks/Pulumi.prod.landing.yaml``, relative
to the project directory); it is generated, never edited by hand. It adds spokes and subnets sized for
the plan's servers and, per wave, the firewall rules and NSG allowances its links need: while a link
is split between on premises and Azure (``hybridWaves``, removed after a later wave), and once both
its ends are in Azure or between a landed server and one that stays on premises for good
(``steadyStateWaves``, kept after the migration). The offline render and the Pulumi program both merge
it into the stack's ``carelift:`` keys before validation, so every overlay value is held to the
same rules as the stack file's own (and reported under the key it lands on).

Imports neither pulumi nor azure-native.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Mapping

from infra.config import ConfigError, ConfigIssue

OVERLAY_KEYS = ("plan", "dependencies", "stack", "generatedBy", "spokes", "subnets", "hybridWaves", "steadyStateWaves")
KEY = "landingOverlay"

# Where the overlay's rules go, and Azure's limits they must fit (infra/components/hub.py and spoke.py
# use these numbers; `carelift plan landing` refuses an overlay beyond them, see `limit_problems`, and the
# stack refuses a hand-edited one when it merges it, see `deployed_limit_issues`).
HYBRID_GROUP_PRIORITY = 1000
"""Rule collection group ``rcg-migration-wave-NN`` has priority 1000 + NN (waves 0-999)."""
STEADY_GROUP_PRIORITY = 2000
"""Rule collection group ``rcg-steady-wave-NN`` has priority 2000 + NN (after every hybrid group)."""
PLATFORM_GROUPS = 2
"""The hub's own rule collection groups: rcg-hybrid-network (200) and rcg-platform-egress (300)."""
FIREWALL_MAX_GROUPS = 90
"""Rule collection groups per firewall policy (Azure Firewall limits: 90 for policies created after
July 2022, which every policy this program creates is)."""
FIREWALL_MAX_COMBINATIONS = 20_000
"""Unique source-destination combinations in network rules: protocols x sources x destinations x
ceil(ports / 14), per Azure Firewall's limits."""
NSG_MAX_RULES = 1000
"""Security rules per network security group."""
NSG_ALLOWANCE_PRIORITY = 1000
"""The first priority of the overlay's allowances in a subnet NSG, after the subnet's own rules."""
NSG_DENY_ALL_PRIORITY = 4096
"""The subnet's closing deny-all: the last priority Azure allows (100-4096)."""
NSG_OWN_RULES = 4
"""At most this many rules of a subnet's own (spoke._subnet_rules: up to three allowances and the deny-all)."""
NSG_MAX_PREFIXES = 4000
"""Source address prefixes in one network security group, all its rules together (destinations are counted
apart): Azure's networking limits ("IP addresses and ranges specified for source or destination in a security
group", 4,000); beyond it Azure refuses the NSG (SecurityRuleAddressesOrPortsPerSecurityGroupLimitReached). So
no one allowance holds more either. A subnet's own rules are counted as NSG_OWN_RULES prefixes."""
FIREWALL_MAX_RULE_ADDRESSES = 5000
"""Addresses in one side (sources or destinations) of one overlay firewall network rule. Azure documents no
per-rule count for inline addresses, only the policy's 20,000 combinations (above) and 5,000 addresses per IP
Group; a rule of the overlay holds at most that many, so one side can become an IP Group as it is."""


def _combinations(rule: Mapping[str, Any]) -> int:
    return len(rule["sources"]) * len(rule["destinations"]) * -(-len(rule["ports"]) // 14)


def limit_problems(hybrid_waves: list[Mapping[str, Any]], steady_waves: list[Mapping[str, Any]]) -> list[str]:
    """What in the overlay's waves Azure would refuse, with the counts (empty when all fits): rule
    collection groups per policy, network rule combinations, rules per NSG, NSG priorities."""
    problems = []
    groups = PLATFORM_GROUPS + sum(1 for w in [*hybrid_waves, *steady_waves] if w.get("rules"))
    if groups > FIREWALL_MAX_GROUPS:
        problems.append(f"the hub firewall policy would hold {groups} rule collection groups ({PLATFORM_GROUPS} "
                        f"platform, {sum(1 for w in hybrid_waves if w.get('rules'))} hybrid, "
                        f"{sum(1 for w in steady_waves if w.get('rules'))} steady-state): Azure allows "
                        f"{FIREWALL_MAX_GROUPS}")
    combinations = sum(_combinations(r) for w in [*hybrid_waves, *steady_waves] for r in w.get("rules") or [])
    if combinations > FIREWALL_MAX_COMBINATIONS:
        problems.append(f"the overlay's firewall network rules make {combinations:,} source-destination "
                        f"combinations: Azure allows {FIREWALL_MAX_COMBINATIONS:,} per policy")
    per_subnet: dict[tuple[str, str], int] = {}
    prefixes: dict[tuple[str, str], int] = {}
    for wave in [*hybrid_waves, *steady_waves]:
        for allowance in wave.get("allowances") or []:
            where = (str(allowance["spoke"]), str(allowance["subnet"]))
            per_subnet[where] = per_subnet.get(where, 0) + 1
            prefixes[where] = prefixes.get(where, 0) + len(allowance.get("sources") or [])
    room = min(NSG_MAX_RULES - NSG_OWN_RULES, NSG_DENY_ALL_PRIORITY - NSG_ALLOWANCE_PRIORITY)
    for (spoke, subnet), count in sorted(per_subnet.items()):
        if count > room:
            problems.append(f"the NSG of {spoke}/{subnet} would hold {count} allowances and up to {NSG_OWN_RULES} "
                            f"rules of its own: Azure allows {NSG_MAX_RULES} rules per NSG, and priorities "
                            f"{NSG_ALLOWANCE_PRIORITY}-{NSG_DENY_ALL_PRIORITY - 1} hold {room} allowances "
                            f"at most above its deny-all")
    for (spoke, subnet), count in sorted(prefixes.items()):
        if count > NSG_MAX_PREFIXES - NSG_OWN_RULES:
            problems.append(f"the NSG of {spoke}/{subnet} would hold {count:,} source addresses in its allowances "
                            f"and up to {NSG_OWN_RULES} in its own rules: Azure allows {NSG_MAX_PREFIXES:,} per NSG, "
                            f"all rules together")
    return problems


def deployed_limit_issues(raw: Mapping[str, Any]) -> list[ConfigIssue]:
    """What Azure would refuse in the waves a stack deploys (``raw``: its ``carelift:`` keys, overlay merged),
    checked by `merge_overlay` wherever the stack is loaded with its overlay (validate, render, audit, the
    Pulumi program), so a hand-edited overlay cannot reach Azure with it (exit 2 like every configuration
    problem; `plan landing` never writes one, see `limit_problems`):
    - per rule, named by its key with the counts: a firewall rule side holding more than
      FIREWALL_MAX_RULE_ADDRESSES addresses, an NSG allowance more than NSG_MAX_PREFIXES sources;
    - across rules, under ``carelift:network``: `limit_problems` (rule collection groups, network rule
      combinations, rules, priorities and source prefixes per NSG).
    Hybrid waves whose period is over (``landing.completedWave``) are left out, as the stack leaves them out.
    Entries of the wrong shape are left to validation, which names them."""
    from infra.config.hybrid import hybrid_period_over

    network = raw.get("network")
    if not isinstance(network, Mapping):
        return []
    landing = raw.get("landing")
    completed = landing.get("completedWave") if isinstance(landing, Mapping) else None
    completed = completed if isinstance(completed, int) and not isinstance(completed, bool) else None
    issues: list[ConfigIssue] = []
    kept: dict[str, list[Mapping[str, Any]]] = {"hybridWaves": [], "steadyStateWaves": []}
    for kind in kept:
        waves = network.get(kind)
        for i, wave in enumerate(waves if isinstance(waves, list) else []):
            if not isinstance(wave, Mapping):
                continue
            after = wave.get("removeAfterWave")
            if kind == "hybridWaves" and isinstance(after, int) and hybrid_period_over(after, completed):
                continue  # not deployed: the stack drops the ended wave, rules and allowances together
            rules, allowances = [], []
            for j, rule in enumerate(_entries(wave.get("rules"))):
                for side in ("sources", "destinations"):
                    count = len(rule[side])
                    if count > FIREWALL_MAX_RULE_ADDRESSES:
                        issues.append(ConfigIssue(
                            f"carelift:network.{kind}[{i}].rules[{j}].{side}",
                            f"holds {count:,} addresses: a firewall network rule of the landing overlay holds at most "
                            f"{FIREWALL_MAX_RULE_ADDRESSES:,} per side (an IP Group's size; split the rule)"))
                rules.append(rule)
            for j, allowance in enumerate(_entries(wave.get("allowances"))):
                count = len(allowance["sources"])
                if count > NSG_MAX_PREFIXES:
                    issues.append(ConfigIssue(
                        f"carelift:network.{kind}[{i}].allowances[{j}].sources",
                        f"holds {count:,} source addresses: Azure allows {NSG_MAX_PREFIXES:,} per network security "
                        f"group, all its rules together (SecurityRuleAddressesOrPortsPerSecurityGroupLimitReached)"))
                allowances.append(allowance)
            kept[kind].append({"rules": rules, "allowances": allowances})
    if issues:
        return issues  # the one rule too big also overflows its NSG: named by its key, not twice
    return [ConfigIssue("carelift:network", problem)
            for problem in limit_problems(kept["hybridWaves"], kept["steadyStateWaves"])]


def _entries(items: Any) -> list[dict[str, Any]]:
    """The rules or allowances of a wave with list sides, by position (a malformed one: an empty stand-in, so
    positions stay those of the file; validation reports it)."""
    out = []
    for item in items if isinstance(items, list) else []:
        item = item if isinstance(item, Mapping) else {}
        out.append({**item, **{side: item.get(side) if isinstance(item.get(side), list) else []
                               for side in ("sources", "destinations", "ports")},
                    "spoke": str(item.get("spoke")), "subnet": str(item.get("subnet"))})
    return out


def overlay_path(stack_file: Path) -> Path:
    """``Pulumi.prod.yaml`` -> ``Pulumi.prod.landing.yaml`` in the same directory (where `plan landing` writes)."""
    stem = stack_file.name.removesuffix(".yaml").removesuffix(".yml")
    return stack_file.with_name(f"{stem}.landing.yaml")


def apply_overlay(raw: Mapping[str, Any], base_dir: Path, source: str) -> dict[str, Any]:
    """``raw`` with the overlay its ``landingOverlay`` key names merged in (unchanged without the key).

    The key is rewritten to the overlay's absolute path, so a program run from elsewhere (the
    offline render) finds the same file.
    """
    import yaml

    from infra.inputs import read_input_text
    from infra.stackfile import load_stack_yaml

    named = raw.get(KEY)
    if named is None:
        return dict(raw)
    if not isinstance(named, str) or not named:
        raise ConfigError(source, [ConfigIssue(f"carelift:{KEY}", "must be the path of a landing overlay file")])
    path = Path(named) if Path(named).is_absolute() else base_dir / named
    try:
        document = load_stack_yaml(read_input_text(path))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise ConfigError(source, [ConfigIssue(f"carelift:{KEY}", f"cannot read the landing overlay {path}: "
                                                                  f"{getattr(error, 'strerror', None) or error}")]) from None
    merged = merge_overlay(raw, document, str(path))
    merged[KEY] = str(path.resolve())
    return merged


def merge_overlay(raw: Mapping[str, Any], document: Any, source: str) -> dict[str, Any]:
    """The stack's ``carelift:`` keys (namespace stripped) with the overlay's additions merged in."""
    if not isinstance(document, Mapping) or not isinstance(document.get("overlay"), Mapping):
        raise ConfigError(source, [ConfigIssue("overlay", "the landing overlay needs a top-level overlay: mapping")])
    overlay = document["overlay"]
    unknown = sorted(set(map(str, overlay)) - set(OVERLAY_KEYS))
    if unknown:
        raise ConfigError(source, [ConfigIssue(f"overlay.{k}", "is not a known overlay key") for k in unknown])
    merged = copy.deepcopy(dict(raw))
    network = merged.setdefault("network", {})
    if not isinstance(network, dict):
        return merged  # the stack's own error is reported by validation
    spokes = network.setdefault("spokes", [])
    issues = []
    spokes.extend(overlay.get("spokes") or [])
    by_name = {s.get("name"): s for s in spokes if isinstance(s, dict)}
    for i, subnet in enumerate(overlay.get("subnets") or []):
        target = by_name.get(subnet.get("spoke")) if isinstance(subnet, Mapping) else None
        if target is None:
            issues.append(ConfigIssue(f"overlay.subnets[{i}].spoke", "names no spoke of the stack or the overlay"))
            continue
        target.setdefault("subnets", []).append({k: v for k, v in subnet.items() if k != "spoke"})
    if issues:
        raise ConfigError(source, issues)
    if overlay.get("hybridWaves"):
        network["hybridWaves"] = overlay["hybridWaves"]
    if overlay.get("steadyStateWaves"):
        network["steadyStateWaves"] = overlay["steadyStateWaves"]
    # What Azure would refuse (a hand-edited overlay): named by the key each rule lands on, exit 2.
    limits = deployed_limit_issues(merged)
    if limits:
        raise ConfigError(source, limits)
    return merged
