"""NSG allowances say what they are for: the overlay gives each a short description (hybrid until a wave, steady
state, permanent and why), the stack carries it into the subnet NSG's security rule (azure-native SecurityRule
``description``, "Restricted to 140 chars"), and refuses a longer one by its key. Before, only the names
(allow-wNN, allow-sNN, allow-pNN, allow-eNN) told a hybrid allowance from a permanent one."""

from __future__ import annotations

import copy
import datetime
import shutil

import pytest
import yaml

from infra.config import ConfigError, config_from_stack_document
from infra.config.hybrid import NSG_DESCRIPTION_MAX
from infra.landing_overlay import merge_overlay
from infra.render import render_stack_file
from migrate.landing.hybrid import nsg_description
from migrate.landing.service import land
from tests.conftest import REPO, load_stack
from tests.migrate.landing.test_external import LINKS
from tests.migrate.landing.test_retained import LINKS as RETAINED_LINKS
from tests.migrate.landing.test_retained import RETAINED_FACTS, RETAINED_PLAN

NSG = "azure-native:network:NetworkSecurityGroup"


def overlay(prod_bare, links=(*LINKS, *RETAINED_LINKS)):
    return yaml.safe_load(land(RETAINED_PLAN, RETAINED_FACTS, prod_bare, list(links)).overlay)


def stack_with(document_overlay):
    document = copy.deepcopy(load_stack("prod"))
    raw = {k.removeprefix("carelift:"): v for k, v in document["config"].items() if k.startswith("carelift:")}
    merged = merge_overlay(raw, document_overlay, "landing.yaml")
    document["config"] = {**{k: v for k, v in document["config"].items() if not k.startswith("carelift:")},
                          **{f"carelift:{k}": v for k, v in merged.items()}}
    return config_from_stack_document(document, stack="prod", source="Pulumi.prod.yaml")


def test_every_kind_of_allowance_says_what_it_is_for(prod_bare):
    document = overlay(prod_bare)["overlay"]
    found = {a["name"]: a["description"] for kind in ("hybridWaves", "steadyStateWaves")
             for w in document[kind] for a in w["allowances"]}
    assert found["allow-w02-001-in"] == "Hybrid from wave 2, not needed after wave 4: hl7-prd-eng01 -> ehr-prd-app01"
    assert found["allow-s03-001"] == ("Steady state from wave 3: clinical/snet-ehr-app -> clinical/snet-clinical-apps, "
                                      "1 server pair(s) inside Azure")
    assert found["allow-p03-001-in"] == "Permanent from wave 3: lab-analyser01 stays on premises (retain)"
    assert found["allow-e03-001-in"] == ("Permanent from wave 3: 172.20.20.11 is not in the inventory (a device or "
                                         "unlisted server)")
    assert all(0 < len(text) <= NSG_DESCRIPTION_MAX for text in found.values())
    # The stack reads them into its allowances.
    config = stack_with({"overlay": document})
    carried = {a.name: a.description for spoke in config.network.spokes for a in config.network.allowances(spoke.name)}
    assert {name: carried[name] for name in found} == found


def test_a_long_one_is_cut_at_140_characters():
    text = "Hybrid from wave 2, not needed after wave 4: " + "a-very-long-server-name-" * 8 + " -> b"
    short = nsg_description(text)
    assert len(short) == NSG_DESCRIPTION_MAX and short.endswith("...") and short.startswith(text[:100])
    assert nsg_description("Permanent from wave 3: x") == "Permanent from wave 3: x"


def test_the_rendered_nsg_rule_carries_the_description(prod_bare, tmp_path):
    """What `pulumi up` deploys: the subnet NSG's security rule allow-... with the overlay's description."""
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    (root / "stacks" / "Pulumi.prod.landing.yaml").write_text(yaml.safe_dump(overlay(prod_bare)), encoding="utf-8")
    document = copy.deepcopy(load_stack("prod"))
    document["config"]["carelift:landingOverlay"] = "stacks/Pulumi.prod.landing.yaml"
    (root / "stacks" / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    rendering = render_stack_file(root / "stacks" / "Pulumi.prod.yaml", today=datetime.date(2026, 12, 6))
    rules = {r["name"]: r for nsg in rendering.of_type(NSG) for r in nsg.inputs.get("securityRules") or []}
    assert rules["allow-e03-001-in"]["description"] == ("Permanent from wave 3: 172.20.20.11 is not in the inventory "
                                                        "(a device or unlisted server)")
    assert rules["allow-w02-001-in"]["description"].startswith("Hybrid from wave 2, not needed after wave 4")
    # The subnet's own rules are not the overlay's: unchanged.
    assert all("description" not in r for name, r in rules.items() if not name.startswith("allow-"))


def test_an_overlay_without_descriptions_still_deploys(prod_bare):
    """An overlay written before the key existed: the allowances deploy with no description."""
    document = overlay(prod_bare)
    for kind in ("hybridWaves", "steadyStateWaves"):
        for wave in document["overlay"][kind]:
            for allowance in wave["allowances"]:
                del allowance["description"]
    config = stack_with(document)
    assert {a.description for spoke in config.network.spokes for a in config.network.allowances(spoke.name)} == {""}


@pytest.mark.parametrize("value, message", [
    ("x" * 141, "must be at most 140 characters (Azure's limit for a security rule's description); got 141"),
    (42, "must be a non-empty string, got an integer"),
    ("", "must be a non-empty string, got a string"),  # the reader names the kind, not the emptiness
])
def test_a_bad_description_is_named_by_its_key(prod_bare, value, message):
    document = overlay(prod_bare)
    document["overlay"]["steadyStateWaves"][0]["allowances"][0]["description"] = value
    with pytest.raises(ConfigError) as caught:
        stack_with(document)
    assert [(i.key, i.message) for i in caught.value.issues] == [
        ("carelift:network.steadyStateWaves[0].allowances[0].description", message)]
    document["overlay"]["steadyStateWaves"][0]["allowances"][0]["description"] = "x" * 140
    assert stack_with(document)  # exactly 140 is Azure's limit, accepted
