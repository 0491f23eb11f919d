"""JSON report: the summary and findings the CLI documents, plus source and timestamp."""

from __future__ import annotations

import json

import pytest

from infra.compliance.engine import evaluate
from infra.compliance.outputs import json as json_report
from tests.infra.compliance.outputs.conftest import WAIVER


def test_shape_and_summary(sample):
    report = json.loads(json_report.render(sample.result, sample.controls, sample.meta))
    assert list(report) == ["source", "generatedAt", "tool", "summary", "findings", "notAudited"]
    assert report["source"] == "stack test (offline render)"
    assert report["generatedAt"] == "2026-03-01T12:00:00Z"
    assert report["tool"] == {"name": "carelift", "version": "0.1.0"}
    assert report["summary"] == {"controls": 4, "resources": 6, "passed": 3, "failed": 4, "waived": 1,
                                 "manual": 0, "errors": 0, "notAudited": 0}


def test_findings_carry_what_an_auditor_needs(sample):
    findings = json.loads(json_report.render(sample.result, sample.controls, sample.meta))["findings"]
    waived = next(f for f in findings if f["status"] == "waived")
    assert waived == {
        "control": "CL-KV-001",
        "resourceId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test/providers/"
                      "Microsoft.KeyVault/vaults/kv-lab-01",
        "resourceType": "Microsoft.KeyVault/vaults", "status": "waived", "severity": "high",
        "citations": ["45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"],
        "message": "Key Vault 'kv-lab-01' does not have purge protection enabled, so a deleted vault and its keys "
                   "could be purged before the recovery window ends.",
        "waiver": {"justification": "Synthetic data only (RR-112).", "approver": "jane.doe@riverbend.example",
                   "category": "mitigated", "expires": "2026-06-30"}}
    assert [(f["control"], f["resourceId"].rsplit("/", 1)[-1]) for f in findings] == sorted(
        (f["control"], f["resourceId"].rsplit("/", 1)[-1].lower()) for f in findings)


def test_same_report_whatever_the_document_order(sample):
    reversed_result = evaluate(list(reversed(sample.documents)), sample.controls, [WAIVER])
    assert json_report.render(reversed_result, sample.controls, sample.meta) == json_report.render(
        sample.result, sample.controls, sample.meta)


@pytest.mark.parametrize("value", [
    {}, [], "text", 3, 2.5, None, True,
    {"a": [], "b": {}, "c": [1, 2.5, True, False, None, "é\n\"quoted\"\u2028\x1b"], "d": {"e": [{"f": [[]]}]}},
])
def test_the_fast_writer_is_byte_for_byte_json_dumps(value):
    assert json_report.indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_the_sample_report_is_byte_for_byte_json_dumps(sample):
    report = json_report.report(sample.result, sample.meta)
    assert json_report.render(sample.result, sample.controls, sample.meta) == json.dumps(
        report, indent=2, ensure_ascii=False) + "\n"
