"""OSCAL assessment results, validated with compliance-trestle's OSCAL model."""

from __future__ import annotations

import json

import pytest

from infra.compliance.engine import evaluate
from infra.compliance.outputs import oscal

trestle_ar = pytest.importorskip("trestle.oscal.assessment_results")


def render(sample) -> dict:
    return json.loads(oscal.render(sample.result, sample.controls, sample.meta))


def props(node: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop in node.get("props", []):
        out.setdefault(prop["name"], []).append(prop["value"])
    return out


def test_valid_oscal_assessment_results(sample):
    document = render(sample)
    model = trestle_ar.AssessmentResults.model_validate(document["assessment-results"])
    assert model.metadata.oscal_version.root.root == "1.1.2"
    assert model.import_ap.href == "#carelift-hipaa-baseline-assessment-plan"


def test_valid_with_no_documents(sample):
    empty = evaluate([], sample.controls)
    document = json.loads(oscal.render(empty, sample.controls, sample.meta))
    trestle_ar.AssessmentResults.model_validate(document["assessment-results"])
    assert "observations" not in document["assessment-results"]["results"][0]


def test_an_observation_per_finding_with_citations(sample):
    (result,) = render(sample)["assessment-results"]["results"]
    assert len(result["observations"]) == len(sample.result.findings)
    waived = next(o for o in result["observations"] if props(o)["status"] == ["waived"])
    assert props(waived) == {
        "control-id": ["CL-KV-001"], "status": ["waived"], "severity": ["high"],
        "resource-type": ["Microsoft.KeyVault/vaults"],
        "hipaa-citation": ["45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"],
        "waiver-category": ["mitigated"], "waiver-approver": ["jane.doe@riverbend.example"],
        "waiver-expires": ["2026-06-30"]}
    assert waived["remarks"] == "Waived: Synthetic data only (RR-112)."
    items = {i["uuid"]: i["description"] for i in result["local-definitions"]["inventory-items"]}
    assert items[waived["subjects"][0]["subject-uuid"]].endswith("/vaults/kv-lab-01")


def test_a_finding_per_failed_control_linked_to_its_observations(sample):
    (result,) = render(sample)["assessment-results"]["results"]
    findings = {props(f)["control-id"][0]: f for f in result["findings"]}
    assert sorted(findings) == ["CL-KV-001", "CL-KV-007", "CL-TST-001"]
    purge = findings["CL-KV-001"]
    assert purge["target"] == {"type": "objective-id", "target-id": "CL-KV-001",
                               "title": "Key Vault purge protection is enabled", "status": {"state": "not-satisfied"}}
    assert props(purge)["hipaa-citation"] == ["45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"]
    observations = {o["uuid"]: o for o in result["observations"]}
    linked = [observations[r["observation-uuid"]] for r in purge["related-observations"]]
    # Only the unwaived failure backs the finding; the waived one is an observation only.
    assert [o["title"].rsplit("/", 1)[-1] for o in linked] == ["kv-bad"]


def test_uuids_are_deterministic_and_unique(sample):
    text = oscal.render(sample.result, sample.controls, sample.meta)
    assert text == oscal.render(sample.result, sample.controls, sample.meta)
    (result,) = json.loads(text)["assessment-results"]["results"]
    uuids = [o["uuid"] for o in result["observations"]] + [f["uuid"] for f in result["findings"]]
    assert len(set(uuids)) == len(uuids)
