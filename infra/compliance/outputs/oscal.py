"""OSCAL assessment results (JSON, OSCAL 1.1.x) for GRC tools.

One result holds an observation per finding (passed, failed or waived; the resource as
subject, control, status, severity and 45 CFR citations as properties) and a finding per
control with unwaived failures (target: the control's objective, not satisfied), linked to its
observations. The assessment plan is not modelled: ``import-ap`` is a placeholder href.
UUIDs are version-5 (name-based) so the document is identical for the same inputs and meta.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, Sequence

from infra.compliance.model import Status
from infra.compliance.outputs import TOOL_NAME, AuditMeta

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control, Finding

OSCAL_VERSION = "1.1.2"
NS = "urn:carelift:oscal"
"""Namespace of carelift's own property names (OSCAL wants one for props that are not core OSCAL)."""
IMPORT_AP = "#carelift-hipaa-baseline-assessment-plan"
_UUID_NS = uuid.UUID("0b8f2f0e-4c43-5d55-9a3e-2f6a1c9d7e11")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def _subject_uuid(resource_id: str) -> str:
    return _uuid("resource", resource_id.lower())


def inventory_items(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Each evaluated resource once, as the inventory item observations name as subject."""
    resources = {f.resource_id.lower(): f for f in findings}
    return [{"uuid": _subject_uuid(f.resource_id), "description": f.resource_id,
             "props": [_prop("asset-id", f.resource_id, ns=False), _prop("resource-type", f.resource_type)]}
            for _, f in sorted(resources.items())]


def _prop(name: str, value: str, *, ns: bool = True) -> dict[str, str]:
    return {"name": name, **({"ns": NS} if ns else {}), "value": value}


def observation(finding: Finding, meta: AuditMeta) -> dict[str, Any]:
    props = [_prop("control-id", finding.control), _prop("status", finding.status.value),
             _prop("severity", finding.severity.value), _prop("resource-type", finding.resource_type),
             *(_prop("hipaa-citation", c) for c in finding.citations)]
    if finding.waiver is not None:
        props += [_prop("waiver-category", finding.waiver.category), _prop("waiver-approver", finding.waiver.approver),
                  _prop("waiver-expires", finding.waiver.expires)]
    out: dict[str, Any] = {
        "uuid": _uuid(meta.source, meta.generated_at, "observation", finding.control, finding.resource_id.lower()),
        "title": f"{finding.control} on {finding.resource_id}",
        "description": finding.message,
        "props": props,
        "methods": ["TEST"],
        "types": ["finding" if finding.status is not Status.PASS else "control-objective"],
        "subjects": [{"subject-uuid": _subject_uuid(finding.resource_id), "type": "inventory-item",
                      "title": finding.resource_id}],
        "collected": meta.generated_utc,
    }
    if finding.waiver is not None:
        out["remarks"] = f"Waived: {finding.waiver.justification}"
    return out


def control_finding(control: Control, failed: list[tuple[Finding, str]], meta: AuditMeta) -> dict[str, Any]:
    return {
        "uuid": _uuid(meta.source, meta.generated_at, "finding", control.id),
        "title": control.title,
        "description": f"{len(failed)} resource(s) fail {control.id}: {control.title}. "
                       f"Remediation: {control.remediation}",
        "props": [_prop("control-id", control.id), _prop("severity", control.severity.value),
                  *(_prop("hipaa-citation", c) for c in control.citations),
                  *(_prop("azure-policy-id", p) for p in control.azure_policy_ids)],
        "target": {"type": "objective-id", "target-id": control.id, "title": control.title,
                   "status": {"state": "not-satisfied"}},
        "related-observations": [{"observation-uuid": observation_uuid} for _, observation_uuid in failed],
    }


def assessment_results(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> dict[str, Any]:
    ordered = sorted(controls, key=lambda c: c.id)
    observations = [observation(f, meta) for f in result.findings]
    failed: dict[str, list[tuple[Finding, str]]] = {}
    for finding, obs in zip(result.findings, observations, strict=True):
        if finding.status in (Status.FAIL, Status.ERROR):
            failed.setdefault(finding.control, []).append((finding, obs["uuid"]))
    summary = result.summary()
    evaluated = {f.control for f in result.findings}
    return {"assessment-results": {
        "uuid": _uuid(meta.source, meta.generated_at, "assessment-results"),
        "metadata": {
            "title": f"HIPAA baseline assessment: {meta.source}",
            "last-modified": meta.generated_utc,
            "version": meta.tool_version,
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("source", meta.source), _prop("tool", f"{TOOL_NAME} {meta.tool_version}")],
        },
        "import-ap": {"href": IMPORT_AP,
                      "remarks": "Placeholder: the carelift control catalog is the assessment plan; "
                                 "`carelift audit controls --format json` lists it."},
        "results": [{
            "uuid": _uuid(meta.source, meta.generated_at, "result"),
            "title": f"{TOOL_NAME} HIPAA baseline: {meta.source}",
            "description": (f"{summary['controls']} controls evaluated over {summary['resources']} resources: "
                            f"{summary['passed']} passed, {summary['failed']} failed, {summary['waived']} waived, "
                            f"{summary['manual']} to judge manually, {summary['errors']} errors"
                            + (f"; not audited: {'; '.join(f'{g.location} ({g.reason})' for g in result.not_audited)}"
                               if result.not_audited else "") + "."),
            "start": meta.generated_utc,
            "end": meta.generated_utc,
            "props": [_prop(k, str(v)) for k, v in summary.items()],
            "reviewed-controls": {
                "description": "Every control of the carelift catalog; controls with no resource of their "
                               "types have no observation.",
                "control-selections": [{"include-controls": [{"control-id": c.id} for c in ordered]}]
                if ordered else [{"include-all": {}}],
            },
            **({"local-definitions": {"inventory-items": inventory_items(result.findings)}}
               if result.findings else {}),
            **({"observations": observations} if observations else {}),
            **({"findings": [control_finding(c, failed[c.id], meta) for c in ordered if c.id in failed]}
               if failed else {}),
            **({"remarks": "Not applicable (no resources): " + ", ".join(c.id for c in ordered if c.id not in evaluated)}
               if any(c.id not in evaluated for c in ordered) else {}),
        }],
    }}


def render(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    return json.dumps(assessment_results(result, controls, meta), indent=2, ensure_ascii=False) + "\n"
