"""Evaluate the catalog over a set of ARM documents.

Every control runs on every document of its types and yields one finding:

- ``pass`` / ``fail`` — what the check proved;
- ``manual`` — the check did not pass, and it used a value only known at deployment
  (`model.Unknown`, an expression the file cannot settle): a person must judge it;
- ``error`` — the check raised (a bug in carelift, named in the message), or the resource could not
  be read at all (an `InputProblem` from the reader, reported under the pseudo-control CL-INPUT-001);
- ``waived`` — a failure a waiver covers.

Duplicate resource ids are one ``error`` finding, not two copies of every result.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from infra.compliance.describe import label
from infra.compliance.index import ResourceIndex, type_of
from infra.compliance.model import (Control, Document, Finding, Gap, InputProblem, Outcome, Scope, Severity, Status,
                                    Waiver, touched_unknowns)

INPUT_CONTROL = Control(
    id="CL-INPUT-001", title="The resource can be read", severity=Severity.HIGH, citations=("45 CFR 164.308(a)(1)(ii)(A)",),
    resource_types=(), remediation="Fix the resource in the file (its type, name or scope) so it can be audited; "
                                   "until then nothing about it is proven.",
    check=lambda document, index: Outcome(False, "not run"), scope=Scope.RESOURCE,
    description="Not a rule of the baseline: findings of resources the reader could not turn into a document.")


@dataclass(frozen=True)
class AuditResult:
    controls: tuple[Control, ...]
    """The catalog evaluated, plus CL-INPUT-001 when some resource could not be read."""
    findings: tuple[Finding, ...]
    resources: int
    """Documents evaluated (after inline children and subscription pseudo-resources are added)."""
    not_audited: tuple[Gap, ...] = ()
    """Parts of the input that were not audited (linked templates, copy loops, conditions) and what they hide."""
    unused_waivers: tuple[Waiver, ...] = ()
    """Waivers that matched no finding."""

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.FAIL)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.ERROR)

    def summary(self) -> dict[str, int]:
        count = {status: 0 for status in Status}
        for finding in self.findings:
            count[finding.status] += 1
        return {"controls": len(self.controls), "resources": self.resources,
                "passed": count[Status.PASS], "failed": count[Status.FAIL], "waived": count[Status.WAIVED],
                "manual": count[Status.MANUAL], "errors": count[Status.ERROR], "notAudited": len(self.not_audited)}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"summary": self.summary(), "findings": [f.to_json() for f in self.findings],
                               "notAudited": [g.to_json() for g in self.not_audited]}
        if self.unused_waivers:
            out["unusedWaivers"] = [{"control": w.control, "resource": w.resource} for w in self.unused_waivers]
        return out


def evaluate(documents: Iterable[Document] | ResourceIndex, controls: Sequence[Control],
             waivers: Sequence[Waiver] = (), *, problems: Sequence[InputProblem] = (),
             not_audited: Sequence[Gap] = ()) -> AuditResult:
    """Run every control on every document of its types; waivers turn matching failures into waived.

    `problems` are resources the reader could not turn into documents; `not_audited` are parts of the
    input it skipped. Both come from `sources.ArmSource` and are carried into the result.
    """
    index = documents if isinstance(documents, ResourceIndex) else ResourceIndex(documents)
    findings = []
    used: set[int] = set()
    with touched_unknowns() as touched:  # one recorder for the run, emptied before each check
        for control in controls:
            for arm_type in control.resource_types:
                for document in index.of_type(arm_type):
                    findings.append(_judge(control, document, index, waivers, used, touched))
    inputs = [*problems, *(InputProblem(resource_id=str(d.get("id")), resource_type=type_of(d), location="",
                                        message=f"resource id {d.get('id')} appears more than once; only the first "
                                                "definition was audited")
                           for d in index.duplicates)]
    findings.extend(Finding(control=INPUT_CONTROL.id, resource_id=p.resource_id or p.location,
                            resource_type=p.resource_type, status=Status.ERROR, severity=INPUT_CONTROL.severity,
                            citations=INPUT_CONTROL.citations,
                            message=f"Could not read {p.location + ': ' if p.location else ''}{p.message}.")
                    for p in inputs)
    findings.sort(key=lambda f: (f.control, f.resource_id.lower(), f.message))
    evaluated = tuple(controls) + ((INPUT_CONTROL,) if inputs else ())
    return AuditResult(controls=evaluated, findings=tuple(findings), resources=len(index),
                       not_audited=tuple(not_audited),
                       unused_waivers=tuple(w for i, w in enumerate(waivers) if i not in used))


def _judge(control: Control, document: Document, index: ResourceIndex, waivers: Sequence[Waiver],
           used: set[int], touched: list) -> Finding:
    resource_id = str(document.get("id", ""))
    touched.clear()
    try:
        outcome = control.check(document, index)
    except Exception as error:  # noqa: BLE001 - a broken check must not stop the audit, nor pass or fail
        return Finding(control=control.id, resource_id=resource_id, resource_type=type_of(document),
                       status=Status.ERROR, severity=control.severity, citations=control.citations,
                       message=f"{control.id} raised {type(error).__name__} on {resource_id or 'a resource'}: "
                               f"{error} (a bug in carelift: nothing was proven either way).")
    if outcome.passed:
        status, message = Status.PASS, outcome.message
    elif outcome.manual:
        status, message = Status.MANUAL, outcome.message
    elif touched:
        status, message = Status.MANUAL, _manual_message(document, touched)
    else:
        status, message = Status.FAIL, outcome.message
    waiver = None
    if status is Status.FAIL:
        for number, candidate in enumerate(waivers):
            if candidate.control == control.id and fnmatch.fnmatchcase(resource_id.lower(),
                                                                       candidate.resource.lower()):
                waiver, status = candidate, Status.WAIVED
                used.add(number)
                break
    return Finding(control=control.id, resource_id=resource_id, resource_type=type_of(document),
                   status=status, severity=control.severity, citations=control.citations,
                   message=message, waiver=waiver)


def _manual_message(document: Document, touched: list) -> str:
    """"Storage account 'st1': cannot judge offline: location is an expression ([resourceGroup().location])."."""
    first = touched[0]
    what = first.where or "a value the check needs"
    why = first.why or f"is an expression ({str.__str__(first)}), only known at deployment"
    return f"{label(document)}: cannot judge offline: {what} {why}."
