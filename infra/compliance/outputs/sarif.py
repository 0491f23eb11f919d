"""SARIF 2.1.0 for code-scanning tools.

Rules come from the catalog (every control, in id order). Results are the failed findings
(level ``error`` for critical and high, ``warning`` otherwise), errors (level ``error``), findings to
judge by hand (kind ``review``) and the waived ones, which carry an external, accepted suppression
with the waiver's justification. What was not audited is listed in the run's properties. Resources have no source
file, so each result's location is a logical location: the resource id as fully qualified name.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any, Sequence

from infra.compliance.model import Severity, Status
from infra.compliance.outputs import TOOL_NAME, AuditMeta

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "warning"}
# GitHub code scanning ranks alerts by this score (>= 9 critical, >= 7 high, >= 4 medium).
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def rule(control: Control) -> dict[str, Any]:
    return {
        "id": control.id,
        "name": _pascal(control.title),
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.description or control.title},
        "help": {"text": control.remediation},
        "defaultConfiguration": {"level": LEVELS[control.severity]},
        "properties": {
            "severity": control.severity.value,
            "security-severity": SECURITY_SEVERITY[control.severity],
            "citations": list(control.citations),
            "safeguards": list(control.safeguards),
            "resourceTypes": list(control.resource_types),
            "azurePolicyIds": list(control.azure_policy_ids),
            "checkovIds": list(control.checkov_ids),
            "tags": ["security", "compliance", "HIPAA", *control.citations],
        },
    }


def result_of(finding: Finding, rule_index: int) -> dict[str, Any]:
    name = finding.resource_id.rstrip("/").rsplit("/", 1)[-1] or finding.resource_id
    out: dict[str, Any] = {
        "ruleId": finding.control,
        "ruleIndex": rule_index,
        # A finding to judge by hand is a "review" result; SARIF gives every non-fail kind level "none".
        "kind": "review" if finding.status is Status.MANUAL else "fail",
        "level": "none" if finding.status is Status.MANUAL else
                 ("error" if finding.status is Status.ERROR else LEVELS[finding.severity]),
        "message": {"text": finding.message},
        "locations": [{"logicalLocations": [{"name": name, "fullyQualifiedName": finding.resource_id,
                                             "kind": "resource"}]}],
        "partialFingerprints": {"carelift/v1": _fingerprint(finding)},
        "properties": {"resourceType": finding.resource_type, "status": finding.status.value,
                       "severity": finding.severity.value,
                       "citations": list(finding.citations)},
    }
    if finding.waiver is not None:
        waiver = finding.waiver
        out["suppressions"] = [{
            "kind": "external", "status": "accepted", "justification": waiver.justification,
            "properties": {"approver": waiver.approver, "category": waiver.category, "expires": waiver.expires},
        }]
    return out


def sarif(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> dict[str, Any]:
    ordered = sorted(controls, key=lambda c: c.id)
    index = {c.id: i for i, c in enumerate(ordered)}
    unknown = sorted({f.control for f in result.findings} - set(index))
    if unknown:
        raise ValueError(f"findings for controls missing from the catalog: {', '.join(unknown)}")
    reported = [f for f in result.findings if f.status is not Status.PASS]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": meta.tool_version,
                                "semanticVersion": meta.tool_version, "rules": [rule(c) for c in ordered]}},
            "automationDetails": {"id": f"{TOOL_NAME}/hipaa-baseline/"},
            "invocations": [{"executionSuccessful": True, "endTimeUtc": meta.generated_utc}],
            "results": [result_of(f, index[f.control]) for f in reported],
            "properties": {"source": meta.source, "summary": result.summary(),
                           "notAudited": [g.to_json() for g in result.not_audited]},
        }],
    }


def render(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    return json.dumps(sarif(result, controls, meta), indent=2, ensure_ascii=False) + "\n"


def _pascal(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _fingerprint(finding: Finding) -> str:
    # Stable across runs and case changes in ids, so code-scanning tools track one alert per pair.
    return hashlib.sha256(f"{finding.control}|{finding.resource_id.lower()}".encode()).hexdigest()[:32]
