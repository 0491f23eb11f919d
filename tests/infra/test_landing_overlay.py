"""The landing overlay on the infra side: its steady-state waves merge into the stack and are validated
like the hybrid ones, and `limit_problems` says what Azure's firewall and NSG limits would refuse."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.config import ConfigError, SteadyStateWave, parse_stack_config
from infra.landing_overlay import (FIREWALL_MAX_GROUPS, NSG_MAX_RULES, NSG_OWN_RULES, PLATFORM_GROUPS,
                                   limit_problems, merge_overlay)
from tests.conftest import load_stack

EHR, MANAGEMENT = "10.42.0.0/23", "10.41.0.64/26"  # clinical/snet-ehr-app, shared/snet-management in prod


def raw_config() -> dict[str, Any]:
    document = load_stack("prod")
    return {k.split(":", 1)[1]: copy.deepcopy(v) for k, v in document["config"].items() if k.startswith("carelift:")}


def steady_wave(**rule: Any) -> dict[str, Any]:
    return {"wave": 3,
            "rules": [{"name": "s03-001", "protocol": "TCP", "sources": [EHR], "destinations": [MANAGEMENT],
                       "ports": ["88"], "description": "Landed dependency. Both ends are in Azure from wave 3.",
                       **rule}],
            "allowances": [{"spoke": "shared", "subnet": "snet-management", "name": "allow-s03-001",
                            "protocol": "TCP", "sources": [EHR], "ports": ["88"]}]}


def parsed(wave: dict[str, Any]):
    merged = merge_overlay(raw_config(), {"overlay": {"steadyStateWaves": [wave]}}, "Pulumi.prod.landing.yaml")
    return parse_stack_config(merged, stack="prod")


def test_steady_state_waves_merge_and_validate_apart_from_the_hybrid_ones():
    config = parsed(steady_wave())
    (wave,) = config.network.steady_state_waves
    assert isinstance(wave, SteadyStateWave) and wave.wave == 3 and config.network.hybrid_waves == ()
    assert wave.rules[0].destinations == (MANAGEMENT,) and wave.allowances[0].subnet == "snet-management"
    assert [a.name for a in config.network.allowances("shared")] == ["allow-s03-001"]
    assert config.network.allowances("clinical") == []


@pytest.mark.parametrize("change, key, message", [
    ({"sources": ["0.0.0.0/0"]}, "rules[0].sources[0]", "must not be 0.0.0.0/0"),
    ({"ports": ["*"]}, "rules[0].ports[0]", "never '*'"),
    ({"protocol": "Any"}, "rules[0].protocol", "TCP"),
])
def test_a_steady_state_rule_is_as_exact_as_a_hybrid_one(change, key, message):
    with pytest.raises(ConfigError) as caught:
        parsed(steady_wave(**change))
    issues = {i.key: i.message for i in caught.value.issues}
    assert message in issues[f"carelift:network.steadyStateWaves[0].{key}"], issues


def test_a_steady_state_wave_names_real_subnets_and_has_no_removal_wave():
    wave = steady_wave()
    wave["allowances"][0]["subnet"] = "snet-nowhere"
    wave["removeAfterWave"] = 5
    with pytest.raises(ConfigError) as caught:
        parsed(wave)
    keys = {i.key for i in caught.value.issues}
    assert "carelift:network.steadyStateWaves[0].allowances[0].subnet" in keys
    assert "carelift:network.steadyStateWaves[0].removeAfterWave" in keys


def test_limits_pass_at_the_edge_and_fail_past_it_with_the_counts():
    rule = {"sources": [EHR], "destinations": [MANAGEMENT], "ports": ["88"]}
    allowance = {"spoke": "shared", "subnet": "snet-management"}
    room = NSG_MAX_RULES - NSG_OWN_RULES  # 996: fewer than the 3,096 priorities 1000-4095 offer
    groups = FIREWALL_MAX_GROUPS - PLATFORM_GROUPS
    hybrid = [{"wave": n, "rules": [rule], "allowances": [allowance] * (room // groups)} for n in range(groups // 2)]
    steady = [{"wave": n, "rules": [rule], "allowances": [allowance] * (room // groups)}
              for n in range(groups - groups // 2)]
    assert limit_problems(hybrid, steady) == []
    steady.append({"wave": 99, "rules": [rule], "allowances": [allowance] * (room - (room // groups) * groups + 1)})
    assert limit_problems(hybrid, steady) == [
        "the hub firewall policy would hold 91 rule collection groups (2 platform, 44 hybrid, 45 steady-state): "
        "Azure allows 90",
        "the NSG of shared/snet-management would hold 997 allowances and up to 4 rules of its own: Azure allows "
        "1000 rules per NSG, and priorities 1000-4095 hold 996 allowances at most above its deny-all"]


def test_network_rule_combinations_count_addresses_and_ports_by_fourteen():
    # 2 sources x 50 destinations x ceil(15 ports / 14) = 200 per rule; 101 rules = 20,200 > 20,000.
    rule = {"sources": ["10.0.0.1/32", "10.0.0.2/32"], "destinations": [f"10.1.0.{i}/32" for i in range(50)],
            "ports": [str(p) for p in range(1000, 1015)]}
    fits = [{"wave": 1, "rules": [rule] * 100}]
    assert limit_problems([], fits) == []
    assert limit_problems([], [{"wave": 1, "rules": [rule] * 101}]) == [
        "the overlay's firewall network rules make 20,200 source-destination combinations: Azure allows 20,000 "
        "per policy"]
