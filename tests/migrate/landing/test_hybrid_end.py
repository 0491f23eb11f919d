"""The end of a hybrid period: a wave's firewall group and its NSG allowances go together, once the stack
says the wave their links wait for is signed off (``carelift:landing.completedWave``).

Before this, nothing ever removed them: `plan landing` regenerates the hybrid waves from the plan's
crossing links, which do not change when a wave is done, and the stack deployed every wave the overlay
held, so an on-premises /32's allowance stayed in the landing subnet's NSG for good (and the runbook's
"plan landing again; the overlay drops them" could not happen)."""

from __future__ import annotations

import copy
import datetime
import shutil

import pytest
import yaml

from infra.config import ConfigError, config_from_stack_document
from infra.landing_overlay import merge_overlay
from infra.render import render_stack_file
from migrate.landing.service import land, load_bare_stack, wave_runbook
from tests.conftest import REPO, STACKS, load_stack
from tests.migrate.landing.conftest import FACTS, PLAN

GROUP = "azure-native:network:FirewallPolicyRuleCollectionGroup"
NSG = "azure-native:network:NetworkSecurityGroup"


def prod_document(completed: int | None) -> dict:
    document = copy.deepcopy(load_stack("prod"))
    if completed is not None:
        document["config"]["carelift:landing"]["completedWave"] = completed
    return document


def stale_overlay() -> dict:
    """The overlay generated before any wave was signed off: hybrid waves 2 and 3, both waiting for wave 4."""
    overlay = yaml.safe_load(land(PLAN, FACTS, load_bare_stack(STACKS / "Pulumi.prod.yaml")).overlay)
    assert [(w["wave"], w["removeAfterWave"]) for w in overlay["overlay"]["hybridWaves"]] == [(2, 4), (3, 4)]
    return overlay


def deployed(completed: int | None):
    """The prod stack naming that overlay, validated as the render and the program validate it."""
    document = prod_document(completed)
    raw = {k.removeprefix("carelift:"): v for k, v in document["config"].items() if k.startswith("carelift:")}
    merged = merge_overlay(raw, stale_overlay(), "landing.yaml")
    document["config"] = {**{k: v for k, v in document["config"].items() if not k.startswith("carelift:")},
                          **{f"carelift:{k}": v for k, v in merged.items()}}
    return config_from_stack_document(document, stack="prod", source="Pulumi.prod.yaml")


def hybrid_allowances(config) -> list[str]:
    return [a.name for spoke in config.network.spokes for a in config.network.allowances(spoke.name)
            if a.name.startswith("allow-w")]


@pytest.mark.parametrize("completed, waves", [(None, [2, 3]), (3, [2, 3]), (4, []), (9, [])])
def test_a_wave_and_its_allowances_leave_the_stack_together_once_their_last_wave_is_signed_off(completed, waves):
    config = deployed(completed)
    assert [w.wave for w in config.network.hybrid_waves] == waves
    # The allowances come from the same waves: present exactly while their firewall rules are.
    expected = [a.name for w in deployed(None).network.hybrid_waves for a in w.allowances if w.wave in waves]
    assert sorted(hybrid_allowances(config)) == sorted(expected)
    assert bool(expected) == bool(waves)


def test_the_rendered_stack_drops_the_group_and_the_nsg_rules_together(tmp_path):
    """What `pulumi up` would deploy: the hub's rcg-migration-wave-NN and the landing subnets' allow-wNN-..."""
    def render(completed):
        root = tmp_path / f"project-{completed}"
        (root / "stacks").mkdir(parents=True)
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / "stacks" / "Pulumi.prod.landing.yaml").write_text(yaml.safe_dump(stale_overlay()), encoding="utf-8")
        document = prod_document(completed)
        document["config"]["carelift:landingOverlay"] = "stacks/Pulumi.prod.landing.yaml"
        (root / "stacks" / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
        rendering = render_stack_file(root / "stacks" / "Pulumi.prod.yaml", today=datetime.date(2026, 12, 6))
        groups = sorted(g.inputs["ruleCollectionGroupName"] for g in rendering.of_type(GROUP))
        rules = sorted(r["name"] for nsg in rendering.of_type(NSG) for r in nsg.inputs.get("securityRules") or []
                       if r["name"].startswith("allow-w"))
        return [g for g in groups if g.startswith("rcg-migration")], rules

    groups, rules = render(3)
    assert groups == ["rcg-migration-wave-02", "rcg-migration-wave-03"]
    assert rules and all(r.startswith(("allow-w02-", "allow-w03-")) for r in rules)
    assert render(4) == ([], [])


def test_plan_landing_leaves_an_ended_wave_out_of_the_overlay():
    bare = config_from_stack_document(prod_document(4), stack="prod", source="Pulumi.prod.yaml")
    result = land(PLAN, FACTS, bare)
    assert result.hybrid.waves == () and result.hybrid.ended == (2, 3)
    assert yaml.safe_load(result.overlay)["overlay"]["hybridWaves"] == []
    still = land(PLAN, FACTS, config_from_stack_document(prod_document(3), stack="prod", source="Pulumi.prod.yaml"))
    assert [w["wave"] for w in still.hybrid.waves] == [2, 3] and still.hybrid.ended == ()
    assert still.overlay == land(PLAN, FACTS, load_bare_stack(STACKS / "Pulumi.prod.yaml")).overlay


def test_the_runbook_says_how_the_rules_go_and_when_they_have():
    text = wave_runbook(PLAN, 2, FACTS, deployed(None))
    assert ("- After wave 4 is signed off (both ends of every split link have moved): set "
            "`carelift:landing.completedWave: 4` (or later) in the stack, run `carelift plan landing --stack prod` "
            "and deploy: `rcg-migration-wave-02` and this wave's NSG allowances (`allow-w02-...`) go together.") in text
    assert "plan landing again; the overlay drops them" not in text
    over = wave_runbook(PLAN, 2, FACTS, deployed(4))
    assert ("- [ ] No hybrid firewall rules to deploy: the hybrid period of this wave is over "
            "(`carelift:landing.completedWave`), so `rcg-migration-wave-02` and its NSG allowances are out of the "
            "stack.") in over
    assert "- No hybrid rules of this wave to remove (`rcg-migration-wave-02` is not deployed)." in over


@pytest.mark.parametrize("value, message", [
    (-1, "must be at least 0; got -1"),
    (1000, "must be at most 999; got 1000"),
    ("four", "must be an integer, got a string"),
    (True, "must be an integer, got a boolean"),
])
def test_a_bad_completed_wave_is_named_by_its_key(value, message):
    with pytest.raises(ConfigError) as caught:
        config_from_stack_document(prod_document(value), stack="prod", source="Pulumi.prod.yaml")
    assert [(i.key, i.message) for i in caught.value.issues] == [("carelift:landing.completedWave", message)]
