"""`carelift audit` end to end through CliRunner: sources, formats, waivers, evidence, exit codes."""

from __future__ import annotations

import datetime
import hashlib
import json
import xml.etree.ElementTree as ElementTree

import pytest
from click.testing import CliRunner

from infra import clock
from migrate.cli import main
from tests.conftest import STACKS

PROD = str(STACKS / "Pulumi.prod.yaml")
DEV = str(STACKS / "Pulumi.dev.yaml")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def prod_export(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "prod.arm.json"
    assert run("infra", "export-arm", "--stack", PROD, "-o", str(path)).exit_code == 0
    return path


@pytest.mark.slow  # an audit of each stack, each rendered in full; CI runs it
@pytest.mark.parametrize("stack", [PROD, DEV])
def test_both_stacks_pass_with_zero_unwaived_failures(stack):
    result = run("audit", "--stack", stack, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["failed"] == 0
    assert report["summary"]["passed"] > 300
    assert report["summary"]["controls"] >= 40
    assert {"control", "resourceId", "status", "severity", "citations", "message"} <= set(report["findings"][0])


@pytest.mark.slow
def test_flipping_a_secure_setting_in_a_copied_stack_fails_the_audit(stack_copy):
    def audit_only(cfg):
        cfg["carelift:governance"]["policyEnforcement"] = "DoNotEnforce"

    result = run("audit", "--stack", str(stack_copy(audit_only)), "--format", "json")
    assert result.exit_code == 1, result.output
    failed = {f["control"] for f in json.loads(result.output)["findings"] if f["status"] == "fail"}
    assert {"CL-GOV-001", "CL-GOV-002"} <= failed


@pytest.mark.slow
def test_the_arm_export_audits_the_same_as_the_stack(prod_export):
    from_stack = json.loads(run("audit", "--stack", PROD, "--format", "json").output)
    from_file = json.loads(run("audit", "--arm", str(prod_export), "--ai-register", PROD, "--format", "json").output)
    assert from_file["summary"] == from_stack["summary"]


def test_a_resource_list_file_is_audited(tmp_path):
    vault = {"type": "Microsoft.KeyVault/vaults", "name": "kv-legacy", "location": "eastus2",
             "id": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/"
                   "Microsoft.KeyVault/vaults/kv-legacy",
             "properties": {"enablePurgeProtection": False}}
    path = tmp_path / "resources.json"
    path.write_text(json.dumps([vault]), encoding="utf-8")
    result = run("audit", "--arm", str(path), "--format", "json")
    assert result.exit_code == 1
    failed = [f for f in json.loads(result.output)["findings"] if f["status"] == "fail"]
    assert any(f["control"] == "CL-KV-001" and "kv-legacy" in f["message"] for f in failed)


def test_table_is_the_default_and_names_the_failures(tmp_path):
    path = tmp_path / "resources.json"
    path.write_text(json.dumps([{"type": "Microsoft.KeyVault/vaults", "name": "kv-legacy", "properties": {},
                                 "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-legacy"}]))
    result = run("audit", "--arm", str(path))
    assert result.exit_code == 1
    assert "CL-KV-001" in result.output and "FAIL" in result.output


# Four full renders of dev; locally test_evidence_bundle_has_a_verifiable_manifest writes every format once.
@pytest.mark.slow
@pytest.mark.parametrize("fmt, check", [
    ("sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
    ("junit", lambda text: ElementTree.fromstring(text).tag == "testsuites"),
    ("html", lambda text: text.lstrip().lower().startswith("<!doctype html") and "Technical safeguards" in text),
    ("oscal", lambda text: "assessment-results" in json.loads(text)),
])
def test_report_formats(fmt, check, tmp_path):
    out = tmp_path / f"report.{fmt}"
    result = run("audit", "--stack", DEV, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert check(out.read_text(encoding="utf-8"))


def test_evidence_bundle_has_a_verifiable_manifest(tmp_path):
    bundle = tmp_path / "evidence"
    result = run("audit", "--stack", DEV, "--format", "json", "--evidence", str(bundle))
    assert result.exit_code == 0, result.output
    lines = (bundle / "MANIFEST.sha256").read_text().splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert {"documents.json", "results.json", "report.sarif", "report.html"} <= set(names)
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest


def write_waivers(tmp_path, expires: str) -> str:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "- control: CL-KV-001\n"
        "  resource: '*/vaults/kv-legacy'\n"
        "  justification: Vendor appliance vault, replaced by the landing-zone vault in wave 2.\n"
        "  approver: privacy-officer@riverbendhealth.org\n"
        "  category: mitigated\n"
        f"  expires: {expires}\n", encoding="utf-8")
    return str(path)


def legacy_vault_file(tmp_path) -> str:
    path = tmp_path / "resources.json"
    path.write_text(json.dumps([{"type": "Microsoft.KeyVault/vaults", "name": "kv-legacy", "properties": {
        "enablePurgeProtection": False},
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-legacy"}]))
    return str(path)


def test_waived_failure_is_reported_as_waived(tmp_path):
    later = (clock.today() + datetime.timedelta(days=90)).isoformat()  # the audit's day, not the machine's
    result = run("audit", "--arm", legacy_vault_file(tmp_path), "--waivers", write_waivers(tmp_path, later),
                 "--format", "json")
    findings = [f for f in json.loads(result.output)["findings"] if f["control"] == "CL-KV-001"]
    assert [f["status"] for f in findings] == ["waived"]
    assert findings[0]["waiver"]["approver"] == "privacy-officer@riverbendhealth.org"


def test_expired_waiver_is_an_input_error(tmp_path):
    result = run("audit", "--arm", legacy_vault_file(tmp_path), "--waivers", write_waivers(tmp_path, "2020-01-01"))
    assert result.exit_code == 2
    assert "expire" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    ((), "exactly one of --stack, --arm or --subscription"),
    (("--stack", "prod", "--arm", "x.json"), "got --stack, --arm"),
    (("--arm", "x.json", "--resource-group", "rg"), "--resource-group only applies"),
])
def test_usage_errors_exit_2(args, message):
    result = run("audit", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_unreadable_arm_file_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = run("audit", "--arm", str(path))
    assert result.exit_code == 2
    assert "broken.json" in result.output and "line 1" in result.output


def test_controls_listing_in_every_format():
    listed = json.loads(run("audit", "controls", "--format", "json").output)["controls"]
    assert len(listed) >= 40
    # Every control cites the Security Rule; AI controls also name the NIST AI RMF subcategory they serve.
    assert all(any(x.startswith("45 CFR 164.") for x in c["citations"]) for c in listed)
    assert all(x.startswith(("45 CFR 164.", "NIST AI RMF ")) for c in listed for x in c["citations"])
    csv_text = run("audit", "controls", "--format", "csv").output
    assert csv_text.splitlines()[0].startswith("id,title,severity,citations")
    assert len(csv_text.splitlines()) == len(listed) + 1
    table = run("audit", "controls").output
    assert "CL-KV-001" in table
