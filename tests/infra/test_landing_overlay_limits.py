"""Azure's per-rule caps checked on any overlay the stack deploys, not only on what `plan landing` writes: a
hand-edited overlay whose firewall rule side holds more than FIREWALL_MAX_RULE_ADDRESSES addresses, or whose NSG
allowance holds more than NSG_MAX_PREFIXES sources (or whose NSG would, all its allowances together), is refused
where the stack is loaded (validate, render, the Pulumi program), named by the rule's key with the counts, exit 2."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from infra.config import ConfigError, parse_stack_config
from infra.landing_overlay import (FIREWALL_MAX_RULE_ADDRESSES, NSG_MAX_PREFIXES, NSG_OWN_RULES,
                                   deployed_limit_issues, merge_overlay)
from migrate.cli import main
from tests.conftest import STACKS, load_stack

EHR = "10.42.0.0/23"  # clinical/snet-ehr-app in prod


def hosts(count: int) -> list[str]:
    """``count`` distinct on-premises /32s (172.21.0.0 onwards)."""
    first = ipaddress.IPv4Address("172.21.0.0")
    return [f"{first + n}/32" for n in range(count)]


def rule(name: str = "e03-001-out", *, destinations: int = 1) -> dict[str, Any]:
    return {"name": name, "protocol": "TCP", "sources": [EHR], "destinations": hosts(destinations), "ports": ["104"],
            "description": "Permanent: devices."}


def allowance(name: str = "allow-e03-002-in", *, sources: int = 1) -> dict[str, Any]:
    return {"spoke": "clinical", "subnet": "snet-ehr-app", "name": name, "protocol": "TCP", "sources": hosts(sources),
            "ports": ["104"]}


def raw_config() -> dict[str, Any]:
    return {k.split(":", 1)[1]: copy.deepcopy(v) for k, v in load_stack("prod")["config"].items()
            if k.startswith("carelift:")}


def merged(overlay: dict[str, Any], raw: dict[str, Any] | None = None):
    """Merge and validate as the render and the program do."""
    result = merge_overlay(raw or raw_config(), {"overlay": overlay}, "Pulumi.prod.landing.yaml")
    return parse_stack_config(result, stack="prod")


def refused(overlay: dict[str, Any], raw: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        merged(overlay, raw)
    assert caught.value.source == "Pulumi.prod.landing.yaml"  # the file at fault
    return [(i.key, i.message) for i in caught.value.issues]


def test_a_firewall_rule_side_at_the_cap_deploys_and_one_more_address_is_refused_by_its_key():
    at_cap = {"steadyStateWaves": [{"wave": 3, "rules": [rule(destinations=FIREWALL_MAX_RULE_ADDRESSES)]}]}
    config = merged(at_cap)
    assert len(config.network.steady_state_waves[0].rules[0].destinations) == 5000
    over = {"steadyStateWaves": [{"wave": 2, "rules": [rule("e02-001-out")]},
                                 {"wave": 3, "rules": [rule(), rule("e03-002-out", destinations=5001)]}]}
    assert refused(over) == [(
        "carelift:network.steadyStateWaves[1].rules[1].destinations",
        "holds 5,001 addresses: a firewall network rule of the landing overlay holds at most 5,000 per side "
        "(an IP Group's size; split the rule)")]


def test_an_nsg_allowance_beyond_the_cap_is_refused_by_its_key_in_hybrid_waves_too():
    over = {"hybridWaves": [{"wave": 2, "removeAfterWave": 4, "rules": [],
                             "allowances": [allowance("allow-w02-001-in", sources=NSG_MAX_PREFIXES + 1)]}]}
    assert refused(over) == [(
        "carelift:network.hybridWaves[0].allowances[0].sources",
        "holds 4,001 source addresses: Azure allows 4,000 per network security group, all its rules together "
        "(SecurityRuleAddressesOrPortsPerSecurityGroupLimitReached)")]


def test_an_nsg_takes_4000_sources_less_its_own_rules_across_its_allowances():
    room = NSG_MAX_PREFIXES - NSG_OWN_RULES
    fits = {"steadyStateWaves": [{"wave": 3, "rules": [], "allowances": [allowance(sources=room)]}]}
    assert len(merged(fits).network.steady_state_waves[0].allowances[0].sources) == 3996
    # Each allowance under the cap, the NSG over it together: refused with the counts, under the network key.
    over = {"steadyStateWaves": [{"wave": 3, "rules": [], "allowances": [allowance(sources=room)]},
                                 {"wave": 4, "rules": [], "allowances": [allowance("allow-e04-001-in", sources=1)]}]}
    assert refused(over) == [(
        "carelift:network",
        "the NSG of clinical/snet-ehr-app would hold 3,997 source addresses in its allowances and up to 4 in its own "
        "rules: Azure allows 4,000 per NSG, all rules together")]


def test_a_hybrid_wave_whose_period_is_over_is_not_deployed_so_not_counted():
    over = {"hybridWaves": [{"wave": 2, "removeAfterWave": 4, "allowances": [],
                             "rules": [rule("w02-001-out", destinations=5001)]}]}
    raw = raw_config()
    raw["landing"]["completedWave"] = 3
    assert refused(over, raw)[0][0] == "carelift:network.hybridWaves[0].rules[0].destinations"
    raw["landing"]["completedWave"] = 4  # signed off: the stack leaves the wave out (infra.config.stack)
    assert merged(over, raw).network.hybrid_waves == ()


def test_malformed_entries_are_left_to_validation():
    # A rule that is not a mapping and an allowance whose sources are not a list: no crash here, validation
    # names them by key.
    raw = raw_config()
    raw["network"]["steadyStateWaves"] = [{"wave": 3, "rules": ["oops"], "allowances": [{"sources": "10.0.0.1/32"}]}]
    assert deployed_limit_issues(raw) == []
    assert deployed_limit_issues({"network": "nope"}) == [] and deployed_limit_issues({}) == []


def test_infra_validate_refuses_a_hand_edited_overlay_exit_2(tmp_path):
    overlay_file = tmp_path / "Pulumi.prod.landing.yaml"
    overlay_file.write_text(yaml.safe_dump({"overlay": {"steadyStateWaves": [
        {"wave": 3, "rules": [rule(destinations=5001)]}]}}), encoding="utf-8")
    document = load_stack("prod")
    document["config"]["carelift:landingOverlay"] = str(overlay_file)
    stack_file = tmp_path / "Pulumi.prod.yaml"
    stack_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["infra", "validate", "--stack", str(stack_file)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "carelift:network.steadyStateWaves[0].rules[0].destinations" in text
    assert "holds 5,001 addresses" in text and "at most 5,000 per side" in text
    # At the cap: valid.
    overlay_file.write_text(yaml.safe_dump({"overlay": {"steadyStateWaves": [
        {"wave": 3, "rules": [rule(destinations=5000)]}]}}), encoding="utf-8")
    result = CliRunner().invoke(main, ["infra", "validate", "--stack", str(stack_file)])
    assert result.exit_code == 0, result.output
