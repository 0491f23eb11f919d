"""The catalog as a whole: size, metadata, test coverage and the resource types it reaches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.arm import to_arm_documents
from infra.compliance.catalog import all_controls
from infra.compliance.engine import evaluate

CONTROL_TESTS = Path(__file__).parent / "controls"
# HIPAA Security Rule sections; AI controls also name the NIST AI RMF function and subcategory they serve.
CITATION = re.compile(r"^45 CFR 164\.3(08|10|12|14|16)(\([A-Za-z0-9]+\))+$|^NIST AI RMF (GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+$")

# Types the program creates that controls reach through another document (the graph), not directly.
REACHED_THROUGH_THEIR_TARGET = {
    "microsoft.insights/diagnosticsettings",       # CL-KV-007, CL-AI-006, CL-LOG-003/005, storage archive
    "microsoft.authorization/locks",               # CL-LOCK-001
    "microsoft.storage/storageaccounts/blobservices",  # CL-ST-007/008
    "microsoft.storage/storageaccounts/blobservices/containers",
    "microsoft.storage/storageaccounts/blobservices/containers/immutabilitypolicies",
    "microsoft.management/managementgroups",       # CL-GOV-001..004 walk the hierarchy
    "microsoft.management/managementgroups/subscriptions",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings",  # topology, no HIPAA rule of its own
    "microsoft.network/dnsforwardingrulesets/forwardingrules",   # hybrid DNS plumbing
    "microsoft.network/dnsforwardingrulesets/virtualnetworklinks",
    "microsoft.consumption/budgets",               # cost, not a HIPAA safeguard
    "microsoft.apimanagement/service/loggers",     # CL-AI-022 judges the diagnostics that use them
    "microsoft.apimanagement/service/apis",        # CL-APIM-004, CL-AI-021/022 judge its backend, policies, logs
    "microsoft.apimanagement/service/apis/policies",
    "microsoft.apimanagement/service/products/apis",
    "microsoft.apimanagement/service/groups",      # CL-AI-024 judges the products granted to them
    "microsoft.apimanagement/service/products/groups",
    "microsoft.network/privatednszones/a",         # the gateway's private names
}


def test_catalog_size_and_unique_ids():
    controls = all_controls()
    assert len(controls) >= 40
    ids = [c.id for c in controls]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"CL-[A-Z]+-\d{3}", i) for i in ids)


@pytest.mark.parametrize("control", all_controls(), ids=lambda c: c.id)
def test_every_control_carries_auditor_metadata(control):
    assert control.title and control.remediation and control.resource_types
    assert control.citations and all(CITATION.match(c) for c in control.citations), control.citations
    assert control.safeguards
    for policy in control.azure_policy_ids:
        assert re.fullmatch(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}", policy)
    assert all(re.fullmatch(r"CKV2?_AZURE_\d+", c) for c in control.checkov_ids)


@pytest.mark.parametrize("control", all_controls(), ids=lambda c: c.id)
def test_every_control_has_its_own_tests(control):
    short = control.check.__module__.rsplit(".", 1)[1]
    text = (CONTROL_TESTS / f"test_{short}.py").read_text(encoding="utf-8")
    assert f"{short}.{control.check.__name__}" in text


def test_no_control_judges_an_empty_estate():
    assert evaluate([], all_controls()).findings == ()


def test_every_resource_type_the_program_creates_is_checked(prod_rendering):
    created = {d["type"].lower() for d in to_arm_documents(prod_rendering)}
    checked = {t.lower() for c in all_controls() for t in c.resource_types}
    assert sorted(created - checked - REACHED_THROUGH_THEIR_TARGET) == []
