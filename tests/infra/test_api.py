"""infra/api.py: the services behind `carelift infra` and `carelift audit`, used without click."""

from __future__ import annotations

import json

import pytest

from infra import api
from infra.compliance.sources import SourceError
from infra.config import ConfigError
from infra.errors import CareliftError
from tests.conftest import STACKS

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def test_validate_returns_the_stack_file_its_config_and_warnings():
    checked = api.validate("prod")
    assert checked.path == STACKS / "Pulumi.prod.yaml"
    assert checked.config.stack == "prod" and checked.config.network.spokes
    assert isinstance(checked.warnings, tuple)


def test_a_bad_stack_raises_a_config_error_naming_each_key(stack_copy):
    path = stack_copy(lambda config: config.pop("carelift:network"))
    with pytest.raises(ConfigError) as caught:
        api.validate(str(path))
    assert isinstance(caught.value, CareliftError) and caught.value.exit_code == 2
    assert any(issue.key == "carelift:network" for issue in caught.value.issues)


def test_an_arm_template_is_read_with_its_shape_and_notes(tmp_path):
    path = tmp_path / "vault.json"
    path.write_text(json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [
        {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-a", "location": "eastus2",
         "properties": {"enablePurgeProtection": True}}]}), encoding="utf-8")
    loaded = api.audit_input(arm_file=path)
    assert loaded.source == f"{path} (template)"
    assert [d["type"] for d in loaded.documents] == ["Microsoft.KeyVault/vaults"]
    assert (loaded.problems, loaded.gaps, loaded.warnings) == ((), (), ())


def test_an_unreadable_arm_file_raises_a_source_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(SourceError):
        api.audit_input(arm_file=path)


def test_audit_input_needs_a_source():
    with pytest.raises(ValueError):
        api.audit_input()


@pytest.mark.slow
def test_a_stack_is_rendered_with_its_ai_register_as_documents():
    loaded = api.audit_input(stack="dev")
    assert loaded.source == "stack dev (offline render)"
    types = {d["type"] for d in loaded.documents}
    assert "Microsoft.KeyVault/vaults" in types
    rendered = api.render("dev")
    assert len(loaded.documents) >= len(rendered.rendering.custom_resources)
