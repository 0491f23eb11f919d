"""Tag controls, and the taggable-type list checked against the azure-native SDK."""

from __future__ import annotations

import importlib
import inspect

import pytest

from infra.compliance.controls import tagging
from infra.compliance.model import Status
from infra.render import ARM_TYPES
from infra.tagging import accepts_tags
from tests.infra.compliance.arm import controls_of, messages, rendered_statuses, resource, statuses

VNET = "Microsoft.Network/virtualNetworks"
FULL = {"data-classification": "phi", "environment": "prod", "owner": "platform@example.org", "cost-center": "CC-1"}


def tagged(name: str, tags: dict, arm_type: str = VNET) -> dict:
    return {**resource(arm_type, name), "tags": tags}


class TestDataClassification:
    def test_pass_for_each_allowed_value_case_insensitively(self):
        documents = [tagged(f"vnet-{value}", {"data-classification": value}) for value in tagging.CLASSIFICATIONS]
        documents.append(tagged("vnet-upper", {"Data-Classification": "PHI"}))
        assert set(statuses(tagging.data_classification, documents).values()) == {Status.PASS}
        assert len(statuses(tagging.data_classification, documents)) == 5

    def test_fail_when_missing_or_not_allowed(self):
        documents = [tagged("vnet-none", {}), tagged("vnet-secret", {"data-classification": "secret"}),
                     {**resource(VNET, "vnet-no-tags-key"), "tags": None}]
        assert statuses(tagging.data_classification, documents) == {
            "vnet-none": Status.FAIL, "vnet-secret": Status.FAIL, "vnet-no-tags-key": Status.FAIL}
        assert messages(tagging.data_classification, documents[1:2]) == [
            "Virtual network 'vnet-secret' has data-classification 'secret', which is not one of phi, pii, "
            "internal, public."]

    def test_types_that_cannot_carry_tags_are_not_judged(self):
        documents = [resource("Microsoft.Network/virtualNetworks/subnets", "vnet/snet"),
                     resource("Microsoft.Insights/diagnosticSettings", "diag")]
        assert statuses(tagging.data_classification, documents) == {}

    def test_empty(self):
        assert statuses(tagging.data_classification, []) == {}


class TestOwnershipTags:
    def test_pass(self):
        assert statuses(tagging.ownership_tags, [tagged("vnet-full", FULL)]) == {"vnet-full": Status.PASS}

    def test_fail_when_missing_or_blank(self):
        documents = [tagged("vnet-partial", {**FULL, "owner": "  ", "cost-center": None}), tagged("vnet-bare", {})]
        assert statuses(tagging.ownership_tags, documents) == {"vnet-partial": Status.FAIL, "vnet-bare": Status.FAIL}
        assert messages(tagging.ownership_tags, documents[:1]) == [
            "Virtual network 'vnet-partial' lacks the owner, cost-center tags, so no accountable owner is recorded."]

    def test_empty(self):
        assert statuses(tagging.ownership_tags, []) == {}


def _arm_type(path: str) -> str:
    """ARM type from render.ARM_TYPES' path: scope prefix dropped, name segments skipped."""
    path = path.split(":", 1)[1] if path.startswith("@") else path
    if not path:
        return "Microsoft.Resources/resourceGroups"
    namespace, *rest = path.split("/")
    return "/".join([namespace, *rest[0::2]])


def _program_types() -> list[tuple[str, str, type]]:
    found = []
    for token, (path, _) in sorted(ARM_TYPES.items()):
        _, module, name = token.split(":")
        found.append((token, _arm_type(path), getattr(importlib.import_module(f"pulumi_azure_native.{module}"), name)))
    return found


@pytest.mark.parametrize("token, arm_type, resource_class", _program_types(), ids=lambda v: v if isinstance(v, str) else "")
def test_type_lists_agree_with_the_sdk_for_every_type_the_program_creates(token, arm_type, resource_class):
    # The program tags whatever the SDK lets it tag; the audit must judge exactly those types.
    taggable = accepts_tags(resource_class)
    located = taggable and "location" in inspect.signature(resource_class._internal_init).parameters
    assert (arm_type in tagging.TAGGABLE_TYPES) is taggable, token
    assert (arm_type in tagging.LOCATED_TYPES) is located, token


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(tagging)) == {c.id: {Status.PASS} for c in controls_of(tagging)}
