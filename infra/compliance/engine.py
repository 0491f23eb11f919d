"""Evaluate the catalog over a set of ARM documents."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from infra.compliance.index import ResourceIndex, type_of
from infra.compliance.model import Control, Document, Finding, Status, Waiver, failed


@dataclass(frozen=True)
class AuditResult:
    controls: tuple[Control, ...]
    findings: tuple[Finding, ...]
    resources: int
    """Documents evaluated (after inline children and subscription pseudo-resources are added)."""

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.FAIL)

    def summary(self) -> dict[str, int]:
        count = {status: 0 for status in Status}
        for finding in self.findings:
            count[finding.status] += 1
        return {"controls": len(self.controls), "resources": self.resources,
                "passed": count[Status.PASS], "failed": count[Status.FAIL], "waived": count[Status.WAIVED]}

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "findings": [f.to_json() for f in self.findings]}


def evaluate(documents: Iterable[Document] | ResourceIndex, controls: Sequence[Control],
             waivers: Sequence[Waiver] = ()) -> AuditResult:
    """Run every control on every document of its types; waivers turn matching failures into waived."""
    index = documents if isinstance(documents, ResourceIndex) else ResourceIndex(documents)
    findings = []
    for control in controls:
        for arm_type in control.resource_types:
            for document in index.of_type(arm_type):
                findings.append(_judge(control, document, index, waivers))
    findings.sort(key=lambda f: (f.control, f.resource_id.lower()))
    return AuditResult(controls=tuple(controls), findings=tuple(findings), resources=len(index))


def _judge(control: Control, document: Document, index: ResourceIndex, waivers: Sequence[Waiver]) -> Finding:
    resource_id = str(document.get("id", ""))
    try:
        outcome = control.check(document, index)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # A malformed document must not pass: the check could not prove compliance.
        outcome = failed(f"{control.id} could not evaluate {resource_id or 'a resource'}: "
                         f"{type(error).__name__}: {error}.")
    status = Status.PASS if outcome.passed else Status.FAIL
    waiver = None
    if status is Status.FAIL:
        waiver = next((w for w in waivers if w.control == control.id
                       and fnmatch.fnmatchcase(resource_id.lower(), w.resource.lower())), None)
        if waiver is not None:
            status = Status.WAIVED
    return Finding(control=control.id, resource_id=resource_id, resource_type=type_of(document),
                   status=status, severity=control.severity, citations=control.citations,
                   message=outcome.message, waiver=waiver)
