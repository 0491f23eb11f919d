"""Evaluation: statuses, waivers, ordering, and checks that break on odd input."""

from __future__ import annotations

from infra.compliance.engine import evaluate
from infra.compliance.model import Severity, Status, Waiver, control, failed, passed
from tests.infra.compliance.arm import resource

VAULT = "Microsoft.KeyVault/vaults"


@control(id="CL-TEST-001", title="name starts with kv", severity="medium", citations=("45 CFR 164.312(a)(1)",),
         types=(VAULT,), remediation="Rename it.")
def starts_with_kv(document, index):
    if document["name"].startswith("kv"):
        return passed(f"Vault {document['name']} is named well.")
    return failed(f"Vault {document['name']} is badly named.")


@control(id="CL-TEST-002", title="reads a missing key", severity="low", citations=("45 CFR 164.312(b)",),
         types=(VAULT,), remediation="None.")
def explodes(document, index):
    return passed(document["properties"]["missing"])


def waiver(pattern: str, control_id: str = "CL-TEST-001") -> Waiver:
    return Waiver(control=control_id, resource=pattern, justification="Vendor appliance; replaced in Q3.",
                  approver="ciso@example.org", category="mitigated", expires="2099-01-01")


def test_statuses_and_summary():
    result = evaluate([resource(VAULT, "kv-a"), resource(VAULT, "bad")], [starts_with_kv])
    assert [(f.resource_id.rsplit("/", 1)[1], f.status) for f in result.findings] == [
        ("bad", Status.FAIL), ("kv-a", Status.PASS)]
    assert result.summary() == {"controls": 1, "resources": 3, "passed": 1, "failed": 1, "waived": 0}
    assert result.failed[0].severity is Severity.MEDIUM


def test_matching_waiver_turns_failure_into_waived():
    result = evaluate([resource(VAULT, "bad")], [starts_with_kv], [waiver("*/vaults/BAD")])
    (finding,) = result.findings
    assert finding.status is Status.WAIVED
    assert finding.waiver.approver == "ciso@example.org"
    assert result.to_json()["findings"][0]["waiver"]["category"] == "mitigated"


def test_waiver_for_another_control_or_resource_does_not_apply():
    documents = [resource(VAULT, "bad")]
    assert evaluate(documents, [starts_with_kv], [waiver("*", "CL-OTHER-001")]).findings[0].status is Status.FAIL
    assert evaluate(documents, [starts_with_kv], [waiver("*/vaults/other")]).findings[0].status is Status.FAIL


def test_waiver_never_touches_a_pass():
    result = evaluate([resource(VAULT, "kv-a")], [starts_with_kv], [waiver("*")])
    assert result.findings[0].status is Status.PASS and result.findings[0].waiver is None


def test_a_check_that_cannot_evaluate_fails_with_the_reason():
    (finding,) = evaluate([resource(VAULT, "kv-a")], [explodes]).findings
    assert finding.status is Status.FAIL
    assert "could not evaluate" in finding.message and "KeyError" in finding.message


def test_no_documents_no_findings():
    result = evaluate([], [starts_with_kv])
    assert result.findings == () and result.summary()["resources"] == 0
