"""JUnit XML for CI: one testsuite per control, one testcase per evaluated resource.

A failed finding is a ``<failure>`` (message = the finding, text = the remediation), a waived
one is ``<skipped>`` with the waiver's approver, expiry and justification. Controls with no
resource of their types are empty suites, so the report shows the whole catalog.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Sequence

from infra.compliance.model import Status
from infra.compliance.outputs import TOOL_NAME, AuditMeta

if TYPE_CHECKING:
    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control, Finding

# Characters XML 1.0 cannot carry, even escaped (a hostile resource name must not break the file).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(result: AuditResult, controls: Sequence[Control], meta: AuditMeta) -> str:
    by_control: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_control.setdefault(finding.control, []).append(finding)
    summary = result.summary()
    # JUnit's schema wants a zone-less timestamp: write UTC without the Z.
    timestamp = meta.generated_utc.removesuffix("Z")
    root = ET.Element("testsuites", _attrs(
        name=f"{TOOL_NAME} HIPAA baseline: {meta.source}", tests=len(result.findings),
        failures=summary["failed"], errors=summary["errors"], skipped=summary["waived"] + summary["manual"], time=0))
    for control in sorted(controls, key=lambda c: c.id):
        findings = by_control.get(control.id, [])
        suite = ET.SubElement(root, "testsuite", _attrs(
            name=f"{control.id} {control.title}", tests=len(findings),
            failures=sum(f.status is Status.FAIL for f in findings),
            errors=sum(f.status is Status.ERROR for f in findings),
            skipped=sum(f.status in (Status.WAIVED, Status.MANUAL) for f in findings), time=0, timestamp=timestamp))
        properties = ET.SubElement(suite, "properties")
        for name, value in [("severity", control.severity.value), *(("citation", c) for c in control.citations),
                            *(("azurePolicyId", p) for p in control.azure_policy_ids),
                            *(("checkovId", c) for c in control.checkov_ids)]:
            ET.SubElement(properties, "property", _attrs(name=name, value=value))
        for finding in findings:
            case = ET.SubElement(suite, "testcase", _attrs(classname=control.id, name=finding.resource_id, time=0))
            if finding.status is Status.FAIL:
                failure = ET.SubElement(case, "failure", _attrs(message=finding.message, type=finding.severity.value))
                failure.text = _clean(f"{finding.message}\nRemediation: {control.remediation}")
            elif finding.status is Status.ERROR:
                error = ET.SubElement(case, "error", _attrs(message=finding.message, type="error"))
                error.text = _clean(finding.message)
            elif finding.status is Status.MANUAL:
                ET.SubElement(case, "skipped", _attrs(message=f"Manual review: {finding.message}"))
            elif finding.status is Status.WAIVED and finding.waiver is not None:
                waiver = finding.waiver
                ET.SubElement(case, "skipped", _attrs(message=(
                    f"Waived ({waiver.category}) by {waiver.approver} until {waiver.expires}: "
                    f"{waiver.justification} Finding: {finding.message}")))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _attrs(**values: object) -> dict[str, str]:
    return {key: _clean(str(value)) for key, value in values.items()}


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
