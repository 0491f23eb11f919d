"""SARIF 2.1.0: rules from the catalog, failed and waived results, logical locations.

No PyPI package ships the official SARIF 2.1.0 JSON schema, so the test validates against a
subset written from the specification (OASIS SARIF 2.1.0, sections 3.13-3.52): the required
properties, enumerations and closed property sets of every object carelift emits.
"""

from __future__ import annotations

import json

import jsonschema

from infra.compliance.outputs import sarif

_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"},
                                                                "markdown": {"type": "string"}},
         "additionalProperties": False}
_BAG = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/run"}},
    },
    "$defs": {
        "run": {
            "type": "object", "required": ["tool"], "additionalProperties": False,
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "additionalProperties": False,
                         "properties": {"driver": {"$ref": "#/$defs/toolComponent"}}},
                "automationDetails": {"type": "object", "additionalProperties": False,
                                      "properties": {"id": {"type": "string"}}},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"], "additionalProperties": False,
                    "properties": {"executionSuccessful": {"type": "boolean"},
                                   "endTimeUtc": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"}}}},
                "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                "properties": _BAG,
            },
        },
        "toolComponent": {
            "type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                           "semanticVersion": {"type": "string"},
                           "rules": {"type": "array", "items": {"$ref": "#/$defs/reportingDescriptor"}}},
        },
        "reportingDescriptor": {
            "type": "object", "required": ["id"], "additionalProperties": False,
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "shortDescription": _TEXT,
                           "fullDescription": _TEXT, "help": _TEXT,
                           "defaultConfiguration": {"type": "object", "additionalProperties": False,
                                                    "properties": {"level": _LEVEL}},
                           "properties": _BAG},
        },
        "result": {
            "type": "object", "required": ["message"], "additionalProperties": False,
            "properties": {
                "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
                "kind": {"enum": ["notApplicable", "pass", "fail", "review", "open", "informational"]},
                "level": _LEVEL, "message": _TEXT,
                "locations": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"logicalLocations": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "additionalProperties": False,
                        "properties": {"name": {"type": "string"}, "fullyQualifiedName": {"type": "string"},
                                       "kind": {"type": "string"}}}}}}},
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                "suppressions": {"type": "array", "items": {
                    "type": "object", "required": ["kind"], "additionalProperties": False,
                    "properties": {"kind": {"enum": ["inSource", "external"]},
                                   "status": {"enum": ["accepted", "underReview", "rejected"]},
                                   "justification": {"type": "string"}, "properties": _BAG}}},
                "properties": _BAG,
            },
        },
    },
}


def render(sample) -> dict:
    return json.loads(sarif.render(sample.result, sample.controls, sample.meta))


def test_valid_against_the_sarif_subset(sample):
    jsonschema.validate(render(sample), SARIF_SUBSET, format_checker=jsonschema.FormatChecker())


def test_rules_are_the_catalog_with_metadata(sample):
    rules = render(sample)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CL-KV-001", "CL-KV-007", "CL-TST-001", "CL-TST-002"]
    purge = rules[0]
    assert purge["name"] == "KeyVaultPurgeProtectionIsEnabled"
    assert purge["shortDescription"] == {"text": "Key Vault purge protection is enabled"}
    assert purge["fullDescription"]["text"].startswith("A deleted vault and its keys stay recoverable")
    assert purge["help"]["text"].startswith("Set properties.enablePurgeProtection to true")
    assert purge["defaultConfiguration"] == {"level": "error"}
    assert purge["properties"]["severity"] == "high"
    assert purge["properties"]["citations"] == ["45 CFR 164.308(a)(7)(ii)(A)", "45 CFR 164.312(c)(1)"]
    assert purge["properties"]["checkovIds"] == ["CKV_AZURE_110", "CKV_AZURE_42"]
    assert "HIPAA" in purge["properties"]["tags"] and "45 CFR 164.312(c)(1)" in purge["properties"]["tags"]
    assert rules[2]["defaultConfiguration"] == {"level": "warning"}


def test_results_are_failed_and_waived_findings_only(sample):
    run = render(sample)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_resource = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r for r in run["results"]}
    assert sorted(by_resource) == [("CL-KV-001", "kv-bad"), ("CL-KV-001", "kv-lab-01"), ("CL-KV-007", "kv-bad"),
                                   ("CL-KV-007", "kv-lab-01"), ("CL-TST-001", "stbad")]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    failed = by_resource[("CL-KV-001", "kv-bad")]
    assert failed["level"] == "error" and failed["kind"] == "fail" and "suppressions" not in failed
    assert failed["message"]["text"].startswith("Key Vault 'kv-bad' does not have purge protection")
    assert failed["locations"] == [{"logicalLocations": [{
        "name": "kv-bad", "kind": "resource",
        "fullyQualifiedName": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test/"
                              "providers/Microsoft.KeyVault/vaults/kv-bad"}]}]
    assert by_resource[("CL-TST-001", "stbad")]["level"] == "warning"


def test_waived_findings_are_external_accepted_suppressions(sample):
    results = render(sample)["runs"][0]["results"]
    waived = next(r for r in results if "suppressions" in r)
    assert waived["locations"][0]["logicalLocations"][0]["name"] == "kv-lab-01"
    assert waived["suppressions"] == [{
        "kind": "external", "status": "accepted", "justification": "Synthetic data only (RR-112).",
        "properties": {"approver": "jane.doe@riverbend.example", "category": "mitigated", "expires": "2026-06-30"}}]


def test_fingerprints_are_stable_and_distinct(sample):
    results = render(sample)["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"]["carelift/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    assert fingerprints == [r["partialFingerprints"]["carelift/v1"] for r in render(sample)["runs"][0]["results"]]


def test_run_metadata(sample):
    run = render(sample)["runs"][0]
    assert run["tool"]["driver"]["name"] == "carelift" and run["tool"]["driver"]["version"] == "0.1.0"
    assert run["invocations"] == [{"executionSuccessful": True, "endTimeUtc": "2026-03-01T12:00:00Z"}]
    assert run["properties"]["source"] == "stack test (offline render)"
