"""Controls, outcomes and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

# The document shape and the unknown values live one layer down (the index reads them too); they
# are re-exported here, where the controls have always imported them from.
from infra.compliance.document import (SUBSCRIPTION_TYPE, Document, Unknown, _touch, has_unknown,  # noqa: F401
                                       is_unknown, touched_unknowns)

if TYPE_CHECKING:
    from infra.compliance.index import ResourceIndex



class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return ("critical", "high", "medium", "low").index(self.value)


class Scope(str, enum.Enum):
    """What a control's check reads besides the document it is given (the engine hands every check the
    document and the `ResourceIndex`). The policy pack decides from it when a control can judge."""

    RESOURCE = "resource"
    """The document alone (its type is one of the control's types): judged per resource, before Pulumi
    creates or updates it."""
    GRAPH = "graph"
    """Also other documents, through the index: children, extension resources (diagnostic settings,
    locks), references (endpoints pointing at a vault). Judged over the whole stack."""
    SUBSCRIPTION = "subscription"
    """The subscription pseudo-document (`SUBSCRIPTION_TYPE`, the control's only type) the index adds
    when the documents hold something deployed at subscription level, and those documents through the
    index. Judged over the whole stack."""


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    MANUAL = "manual"
    """The check needed a value only known at deployment (an expression): a person must judge it."""
    ERROR = "error"
    """The resource could not be read, or the check raised: nothing was proven either way."""


# 45 CFR Part 164 Subpart C sections -> the safeguard family auditors group by.
SAFEGUARDS = {
    "164.308": "Administrative safeguards",
    "164.310": "Physical safeguards",
    "164.312": "Technical safeguards",
    "164.314": "Organizational requirements",
    "164.316": "Policies, procedures and documentation",
}


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str
    """A full sentence naming the resource, e.g. "Key Vault 'kv-a' has purge protection enabled."."""
    manual: bool = False
    """The check says itself that it cannot judge offline (see `cannot_judge`)."""


def passed(message: str) -> Outcome:
    return Outcome(True, message)


def failed(message: str) -> Outcome:
    return Outcome(False, message)


def cannot_judge(message: str) -> Outcome:
    """For a check that sees an unknown value itself (`is_unknown`) and wants its own manual message."""
    return Outcome(False, message, manual=True)


CheckFn = Callable[[Document, "ResourceIndex"], Outcome]


@dataclass(frozen=True)
class Control:
    id: str
    """Stable identifier, e.g. CL-KV-001; never reused for another rule."""
    title: str
    severity: Severity
    citations: tuple[str, ...]
    """HIPAA Security Rule sections, e.g. "45 CFR 164.312(a)(1)"."""
    resource_types: tuple[str, ...]
    """ARM types the check runs on (case-insensitive), or SUBSCRIPTION_TYPE for subscription-wide rules."""
    remediation: str
    check: CheckFn = field(repr=False, compare=False)
    scope: Scope = field(kw_only=True)
    """What the check reads: the resource alone, the graph through the index, or the subscription."""
    azure_policy_ids: tuple[str, ...] = ()
    """Built-in Azure Policy definition ids covering the same rule, where one exists."""
    checkov_ids: tuple[str, ...] = ()
    description: str = ""

    @property
    def safeguards(self) -> tuple[str, ...]:
        found = []
        for citation in self.citations:
            section = citation.replace("45 CFR", "").strip()[:7]
            name = SAFEGUARDS.get(section)
            if name and name not in found:
                found.append(name)
        return tuple(found)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity.value,
                "citations": list(self.citations), "safeguards": list(self.safeguards),
                "resourceTypes": list(self.resource_types), "azurePolicyIds": list(self.azure_policy_ids),
                "checkovIds": list(self.checkov_ids), "remediation": self.remediation,
                "description": self.description}


@dataclass(frozen=True)
class Waiver:
    control: str
    resource: str
    """fnmatch pattern on the resource id (case-insensitive)."""
    justification: str
    approver: str
    category: str
    """waiver (risk accepted) or mitigated (covered by a compensating control)."""
    expires: str
    """ISO date after which the waiver no longer applies (and is an error)."""


@dataclass(frozen=True)
class InputProblem:
    """A resource the reader could not turn into a document; it becomes one `error` finding."""

    resource_id: str
    """The id as far as it is known, or "" (the finding then names `location`)."""
    resource_type: str
    location: str
    """Where in the file, e.g. "resources[3].name"."""
    message: str


@dataclass(frozen=True)
class Gap:
    """A part of the input that was not audited, and the resources it hides."""

    location: str
    reason: str
    """Why, e.g. "linked template (https://…/nested.json): its resources are not in this file"."""
    hides: tuple[str, ...] = ()
    """What is not audited because of it: resource types/names, or a linked template's URI."""

    def to_json(self) -> dict[str, Any]:
        return {"location": self.location, "reason": self.reason, "hides": list(self.hides)}


@dataclass(frozen=True)
class Finding:
    control: str
    resource_id: str
    resource_type: str
    status: Status
    severity: Severity
    citations: tuple[str, ...]
    message: str
    waiver: Waiver | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"control": self.control, "resourceId": self.resource_id, "resourceType": self.resource_type,
               "status": self.status.value, "severity": self.severity.value,
               "citations": list(self.citations), "message": self.message}
        if self.waiver is not None:
            out["waiver"] = {"justification": self.waiver.justification, "approver": self.waiver.approver,
                             "category": self.waiver.category, "expires": self.waiver.expires}
        return out
