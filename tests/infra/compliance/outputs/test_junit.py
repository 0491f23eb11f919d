"""JUnit XML: a suite per control, a case per resource, failures and skips; always well-formed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from infra.compliance.outputs import junit
from tests.infra.compliance.arm import resource
from tests.infra.compliance.outputs.conftest import make_sample


def parse(sample) -> ET.Element:
    return ET.fromstring(junit.render(sample.result, sample.controls, sample.meta).encode("utf-8"))


def test_a_suite_per_control_with_counts(sample):
    root = parse(sample)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == ("8", "4", "1", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["CL-KV-001 Key Vault purge protection is enabled",
                            "CL-KV-007 Key Vault sends audit events to Log Analytics",
                            "CL-TST-001 Storage accounts carry a data-classification tag",
                            "CL-TST-002 SQL servers are audited"]
    purge = suites["CL-KV-001 Key Vault purge protection is enabled"]
    assert (purge.get("tests"), purge.get("failures"), purge.get("skipped")) == ("3", "1", "1")
    assert purge.get("timestamp") == "2026-03-01T12:00:00"
    assert [(p.get("name"), p.get("value")) for p in purge.find("properties")][:3] == [
        ("severity", "high"), ("citation", "45 CFR 164.308(a)(7)(ii)(A)"), ("citation", "45 CFR 164.312(c)(1)")]
    assert suites["CL-TST-002 SQL servers are audited"].get("tests") == "0"


def test_cases_fail_skip_or_pass(sample):
    cases = {(c.get("classname"), c.get("name").rsplit("/", 1)[-1]): c for c in parse(sample).iter("testcase")}
    failure = cases[("CL-KV-001", "kv-bad")].find("failure")
    assert failure.get("type") == "high"
    assert failure.get("message").startswith("Key Vault 'kv-bad' does not have purge protection enabled")
    assert "Remediation: Set properties.enablePurgeProtection to true" in failure.text
    skipped = cases[("CL-KV-001", "kv-lab-01")].find("skipped")
    assert skipped.get("message").startswith(
        "Waived (mitigated) by jane.doe@riverbend.example until 2026-06-30: Synthetic data only (RR-112).")
    assert list(cases[("CL-KV-001", "kv-good")]) == []


def test_hostile_names_stay_well_formed():
    # Markup and control characters in a resource name must not break or inject into the XML.
    hostile = resource("Microsoft.Storage/storageAccounts", 'st"<x>&\x01', {})
    root = parse(make_sample([hostile]))
    names = [c.get("name") for c in root.iter("testcase")]
    assert any(name.endswith('st"<x>&\ufffd') for name in names)
