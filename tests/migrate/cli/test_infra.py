"""`carelift infra` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from migrate.cli import main
from tests.conftest import STACKS


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_render_json_lists_every_resource_with_inputs():
    result = invoke("infra", "render", "--stack", str(STACKS / "Pulumi.dev.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["stack"] == "dev"
    types = {r["type"] for r in document["resources"]}
    assert "azure-native:keyvault:Vault" in types
    for resource in document["resources"]:
        assert {"type", "name", "parent", "inputs"} <= set(resource)


def test_render_tree_shows_components_and_counts():
    result = invoke("infra", "render", "--stack", str(STACKS / "Pulumi.dev.yaml"))
    assert result.exit_code == 0, result.output
    assert "key-vault" in result.output
    assert "Resources by type" in result.output
    assert "azure-native:keyvault:Vault" in result.output


@pytest.mark.slow  # renders a whole stack through the CLI (seconds); CI runs it
def test_render_json_to_file(tmp_path):
    out = tmp_path / "dev.json"
    result = invoke("infra", "render", "-s", str(STACKS / "Pulumi.dev.yaml"), "--format", "json", "-o", str(out))
    assert result.exit_code == 0
    assert json.loads(out.read_text())["stack"] == "dev"
    assert result.output == ""


def test_invalid_config_exits_2_naming_every_key(stack_copy, tmp_path):
    def break_it(cfg):
        cfg["carelift:monitoring"]["logRetentionDays"] = 30
        cfg["carelift:network"]["hub"]["addressSpace"] = "8.8.0.0/22"

    path = stack_copy(break_it)
    out = tmp_path / "never.json"
    result = CliRunner().invoke(main, ["infra", "render", "--stack", str(path), "--format", "json", "-o", str(out)])
    assert result.exit_code == 2
    assert "carelift:monitoring.logRetentionDays" in result.output
    assert "carelift:network.hub.addressSpace" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_stack_exits_2():
    result = CliRunner().invoke(main, ["infra", "render", "--stack", "staging"])
    assert result.exit_code == 2
    assert "Pulumi.staging.yaml does not exist" in result.output


def test_validate_reports_a_valid_stack():
    result = invoke("infra", "validate", "--stack", "prod")
    assert result.exit_code == 0
    assert "valid" in result.output


def test_help_does_not_import_pulumi():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from migrate.cli import main; "
            "CliRunner().invoke(main, ['--help']); CliRunner().invoke(main, ['infra', '--help']); "
            "print(any(m.startswith(('pulumi', 'pulumi_azure_native')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_export_arm_writes_a_deployment_template_to_stdout(dev_rendering):
    result = invoke("infra", "export-arm", "--stack", str(STACKS / "Pulumi.dev.yaml"))
    assert result.exit_code == 0, result.output
    template = json.loads(result.output)
    assert template["$schema"].endswith("/deploymentTemplate.json#")
    assert template["contentVersion"] == "1.0.0.0"
    assert len(template["resources"]) == len(dev_rendering.custom_resources)
    assert all(r["apiVersion"] and r["type"].startswith("Microsoft.") for r in template["resources"])


@pytest.mark.slow  # two full renders through the CLI; CI runs it
def test_export_arm_to_file_matches_stdout_byte_for_byte(tmp_path):
    out = tmp_path / "dev.arm.json"
    result = invoke("infra", "export-arm", "-s", str(STACKS / "Pulumi.dev.yaml"), "-o", str(out))
    assert result.exit_code == 0
    assert result.output == ""
    stdout = invoke("infra", "export-arm", "-s", str(STACKS / "Pulumi.dev.yaml")).output
    assert out.read_text(encoding="utf-8") == stdout


def test_export_arm_with_invalid_config_exits_2_and_writes_nothing(stack_copy, tmp_path):
    path = stack_copy(lambda cfg: cfg["carelift:monitoring"].update(logRetentionDays=30))
    out = tmp_path / "never.json"
    result = CliRunner().invoke(main, ["infra", "export-arm", "--stack", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert "carelift:monitoring.logRetentionDays" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_export_arm_into_a_missing_directory_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["infra", "export-arm", "-s", str(STACKS / "Pulumi.dev.yaml"),
                                       "-o", str(tmp_path / "absent" / "dev.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
