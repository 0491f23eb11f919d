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


# -- run_audit, evidence, export: the rest of `carelift audit` and `infra export-arm` -----------

LEGACY_VAULT = {"type": "Microsoft.KeyVault/vaults", "name": "kv-legacy", "properties": {"enablePurgeProtection": False},
                "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-legacy"}


def write_waiver(tmp_path, control: str, expires: str = "2027-06-30"):
    path = tmp_path / "waivers.yaml"
    path.write_text(
        f"- control: {control}\n"
        "  resource: '*/vaults/kv-legacy'\n"
        "  justification: Vendor appliance vault, replaced by the landing-zone vault in wave 2.\n"
        "  approver: privacy-officer@riverbendhealth.org\n"
        "  category: mitigated\n"
        f"  expires: {expires}\n", encoding="utf-8")
    return path


def test_run_audit_evaluates_the_catalog_and_a_waiver_turns_the_failure_waived(tmp_path):
    loaded = api.AuditInput("resources.json (resource list)", [LEGACY_VAULT])
    plain = api.run_audit(loaded)
    failing = {f.control for f in plain.result.findings if f.status.value == "fail"}
    assert "CL-KV-001" in failing and plain.source == loaded.source and plain.documents == [LEGACY_VAULT]

    waived = api.run_audit(loaded, waivers=write_waiver(tmp_path, "CL-KV-001"),
                           today=__import__("datetime").date(2026, 12, 6))
    statuses = {f.control: f.status.value for f in waived.result.findings}
    assert statuses["CL-KV-001"] == "waived" and not waived.result.unused_waivers


def test_run_audit_hands_waiver_warnings_to_warn(tmp_path):
    # A waiver for years ahead is allowed but said: the warning reaches the caller, not a terminal.
    said: list[str] = []
    api.run_audit(api.AuditInput("r", [LEGACY_VAULT]), waivers=write_waiver(tmp_path, "CL-KV-001", "2029-12-31"),
                  max_waiver_days=30, today=__import__("datetime").date(2026, 12, 6), warn=said.append)
    assert len(said) == 1 and "longer than the 30-day maximum term" in said[0]


def test_run_audit_refuses_nothing_to_audit_unless_allowed():
    with pytest.raises(CareliftError, match="nothing to audit: empty.json holds no resources"):
        api.run_audit(api.AuditInput("empty.json", []))
    unchecked = api.AuditInput("t.json", [{"type": "Microsoft.Foo/bars", "name": "b", "id": "/x/b"}])
    with pytest.raises(CareliftError, match="none of the 1 resource"):
        api.run_audit(unchecked)
    assert not api.run_audit(unchecked, allow_empty=True).result.findings


def test_run_audit_adds_the_register_files_use_cases_and_names_an_unreadable_one(tmp_path):
    with pytest.raises(CareliftError, match="cannot read"):
        api.run_audit(api.AuditInput("r", [LEGACY_VAULT]), ai_register=tmp_path / "missing.yaml")


def test_invalid_waivers_are_a_careliftError_naming_the_file(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text("- control: CL-KV-001\n  expires: 2027-02-30\n", encoding="utf-8")
    with pytest.raises(CareliftError) as caught:
        api.run_audit(api.AuditInput("r", [LEGACY_VAULT]), waivers=path)
    assert caught.value.title == f"{path}: invalid waivers" and caught.value.problems


def test_evidence_bundles_the_inputs_and_every_report(tmp_path):
    from infra.compliance.outputs import AuditMeta

    arm = tmp_path / "resources.json"
    arm.write_text(json.dumps([LEGACY_VAULT]), encoding="utf-8")
    waivers = write_waiver(tmp_path, "CL-KV-001")
    run = api.run_audit(api.AuditInput("resources.json", [LEGACY_VAULT]))
    inputs = api.evidence_inputs(arm_file=arm, waivers=waivers)
    assert [(i.role, i.data) for i in inputs] == [("input", arm.read_bytes()), ("waivers", waivers.read_bytes())]
    manifest = api.write_evidence(tmp_path / "bundle", run, AuditMeta("resources.json", "2026-12-06T00:00:00Z",
                                                                       "test"), inputs)
    assert set(api.REPORT_FILES.values()) <= set(manifest)
    with pytest.raises(CareliftError, match="for the evidence bundle"):
        api.evidence_inputs(arm_file=tmp_path / "gone.json")


@pytest.mark.slow
def test_export_arm_is_the_template_infra_export_arm_writes():
    exported = api.export_arm("dev")
    assert exported.stack == "dev" and exported.template["$schema"] == SCHEMA
    assert exported.text() == json.dumps(exported.template, indent=2) + "\n"
    assert len(exported.template["resources"]) == len(api.render("dev").rendering.custom_resources)


def test_a_bad_audit_day_is_a_user_error_before_any_check_runs(monkeypatch):
    # Controls read the day for defaults that change by date; a bad CARELIFT_AS_OF must not become an
    # error finding on every resource (exit 1, "a carelift bug") but one ConfigError naming the variable.
    monkeypatch.setenv("CARELIFT_AS_OF", "2026-13-45")
    with pytest.raises(ConfigError) as caught:
        api.run_audit(api.AuditInput("r", [LEGACY_VAULT]))
    assert [issue.key for issue in caught.value.issues] == ["CARELIFT_AS_OF"]
